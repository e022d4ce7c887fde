"""The moderators' reports on the query log (stats, export): reads only, in SQLite's SQL.

A mixin of :class:`bot.storage.Storage`, which supplies :meth:`ReportQueries._fetch`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypeVar

import aiosqlite

from bot.export import ExportRecord, VoteRow
from bot.records import HitRow, QueryRow, utc_iso
from bot.stats import DayCount, Tally, Totals

__all__ = ["ReportQueries", "query_row"]

T = TypeVar("T")


class ReportQueries:
    """Per-guild reads over a time window."""

    async def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        raise NotImplementedError

    async def _window(self, sql: str, guild_id: int, since: datetime, *more: Any) -> list[Any]:
        """Rows of ``sql``, whose first two parameters are the guild and the window start."""
        return await self._fetch(sql, (guild_id, utc_iso(since), *more))

    async def stats_totals(self, guild_id: int, since: datetime) -> Totals:
        """Questions, distinct askers, answered questions and votes in one guild's window."""
        ((questions, askers, answered),) = await self._window(
            "SELECT count(*), count(DISTINCT user_id), coalesce(sum(answered), 0)"
            " FROM queries WHERE guild_id = ? AND created_at >= ?", guild_id, since,
        )  # fmt: skip
        ((up, down),) = await self._window(
            "SELECT coalesce(sum(f.vote = 1), 0), coalesce(sum(f.vote = -1), 0)"
            " FROM feedback f JOIN queries q ON q.id = f.query_id"
            " WHERE q.guild_id = ? AND q.created_at >= ?", guild_id, since,
        )  # fmt: skip
        return Totals(questions, askers, answered, up, down)

    async def latencies(self, guild_id: int, since: datetime) -> tuple[float, ...]:
        """Answer latencies in the window, ascending (for percentiles)."""
        rows = await self._window(
            "SELECT latency_ms FROM queries WHERE guild_id = ? AND created_at >= ?"
            " ORDER BY latency_ms", guild_id, since,
        )  # fmt: skip
        return tuple(float(row[0]) for row in rows)

    async def daily_counts(self, guild_id: int, since: datetime) -> tuple[DayCount, ...]:
        """Answered and abstained questions per UTC day (days without questions left out)."""
        rows = await self._window(
            "SELECT substr(created_at, 1, 10) AS day, sum(answered), sum(1 - answered)"
            " FROM queries WHERE guild_id = ? AND created_at >= ? GROUP BY day ORDER BY day",
            guild_id, since,
        )  # fmt: skip
        return tuple(DayCount(date.fromisoformat(day), a, b) for day, a, b in rows)

    async def question_tallies(
        self, guild_id: int, since: datetime, limit: int, *, unanswered: bool = False
    ) -> tuple[Tally, ...]:
        """The most asked questions (case-insensitively the same), or the unanswered ones."""
        rows = await self._window(
            "SELECT min(question), count(*) AS n FROM queries"
            " WHERE guild_id = ? AND created_at >= ? AND answered <= ?"
            " GROUP BY lower(question) ORDER BY n DESC, min(question) LIMIT ?",
            guild_id, since, 0 if unanswered else 1, limit,
        )  # fmt: skip
        return tuple(Tally(label, count) for label, count in rows)

    async def document_tallies(
        self, guild_id: int, since: datetime, limit: int
    ) -> tuple[Tally, ...]:
        """The documents cited most often in the window's answers."""
        rows = await self._window(
            "SELECT h.doc, count(*) AS n FROM hits h JOIN queries q ON q.id = h.query_id"
            " WHERE q.guild_id = ? AND q.created_at >= ? GROUP BY h.doc"
            " ORDER BY n DESC, h.doc LIMIT ?", guild_id, since, limit,
        )  # fmt: skip
        return tuple(Tally(doc, count) for doc, count in rows)

    async def export_records(self, guild_id: int, since: datetime) -> tuple[ExportRecord, ...]:
        """The window's questions, oldest first, each with its hits and votes."""
        window = "guild_id = ? AND created_at >= ?"
        chosen = f"query_id IN (SELECT id FROM queries WHERE {window})"
        queries = await self._window(
            f"SELECT * FROM queries WHERE {window} ORDER BY created_at, id", guild_id, since
        )
        hits = _by_query(await self._window(
            "SELECT query_id, rank, doc, chunk_start, chunk_end, excerpt_start, excerpt_end,"
            f" score FROM hits WHERE {chosen} ORDER BY query_id, rank", guild_id, since,
        ), lambda row: HitRow(*row))  # fmt: skip
        votes = _by_query(await self._window(
            "SELECT query_id, user_id, vote, created_at FROM feedback"
            f" WHERE {chosen} ORDER BY query_id, created_at", guild_id, since,
        ), lambda row: VoteRow(row[0], row[1], datetime.fromisoformat(row[2])))  # fmt: skip
        return tuple(
            ExportRecord(query_row(q), hits.get(q["id"], ()), votes.get(q["id"], ()))
            for q in queries
        )


def query_row(row: aiosqlite.Row) -> QueryRow:
    values = dict(row)
    values["created_at"] = datetime.fromisoformat(values["created_at"])
    values["answered"] = bool(values["answered"])
    return QueryRow(**values)


def _by_query(rows: Iterable[Any], make: Callable[[Any], T]) -> dict[int, tuple[T, ...]]:
    """Rows whose first column is a query id, grouped by it (order kept), the rest made into T."""
    grouped: dict[int, list[T]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(make(tuple(row)[1:]))
    return {query_id: tuple(items) for query_id, items in grouped.items()}
