"""The moderators' reports on the query log (stats, export) and the guild settings' reads:
reads only, in SQL that SQLite and PostgreSQL both run.

A mixin of :class:`bot.storage.sqlite.Storage` and :class:`bot.storage.postgres.PgStorage`,
which supply
:meth:`ReportQueries._fetch` (``?`` placeholders; PostgreSQL's numbers them), the window start
as each stores times (:meth:`ReportQueries._moment`), and the two expressions that differ:
a row's UTC day and bytewise text order (SQLite's own; PostgreSQL's ``COLLATE "C"``, whatever
the database's locale). Values come back as either driver gives them; this module makes them
the same (an ISO text or a datetime, 0/1 or a boolean).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from bot.storage.records import (
    DayCount,
    ExportRecord,
    GuildConfig,
    HitRow,
    QueryRow,
    Tally,
    Totals,
    VoteRow,
    utc_iso,
)

__all__ = ["ReportQueries", "by_query", "query_row"]

T = TypeVar("T")


class ReportQueries(ABC):
    """Per-guild reads over a time window, and the stored guild settings; a backend supplies
    :meth:`_fetch` (and, where its SQL differs, ``DAY``, ``BYTEWISE`` and :meth:`_moment`)."""

    DAY = "substr(created_at, 1, 10)"  # a row's UTC day (SQLite keeps ISO-8601 text)
    BYTEWISE = ""  # the collation clause that orders text by its bytes

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: TracebackType | None
    ) -> None:
        await self.close()

    @abstractmethod
    async def close(self) -> None:
        """Finish writes in progress, then close the connection(s)."""

    @abstractmethod
    async def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        """The rows of a read, ``?`` placeholders bound to ``params``."""

    def _moment(self, when: datetime) -> Any:
        """``when`` as the database compares times: ISO text in SQLite."""
        return utc_iso(when)

    async def _window(self, sql: str, guild_id: int, since: datetime, *more: Any) -> list[Any]:
        """Rows of ``sql``, whose first two parameters are the guild and the window start."""
        return await self._fetch(sql, (guild_id, self._moment(since), *more))

    async def stats_totals(self, guild_id: int, since: datetime) -> Totals:
        """Questions, distinct askers, answered questions and votes in one guild's window."""
        ((questions, askers, answered),) = await self._window(
            "SELECT count(*), count(DISTINCT user_id), count(*) FILTER (WHERE answered)"
            " FROM queries WHERE guild_id = ? AND created_at >= ?", guild_id, since,
        )  # fmt: skip
        ((up, down),) = await self._window(
            "SELECT count(*) FILTER (WHERE f.vote = 1), count(*) FILTER (WHERE f.vote = -1)"
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
            f"SELECT {self.DAY} AS day, count(*) FILTER (WHERE answered),"
            " count(*) FILTER (WHERE NOT answered)"
            " FROM queries WHERE guild_id = ? AND created_at >= ? GROUP BY day ORDER BY day",
            guild_id, since,
        )  # fmt: skip
        return tuple(DayCount(_day(day), a, b) for day, a, b in rows)

    async def question_tallies(
        self, guild_id: int, since: datetime, limit: int, *, unanswered: bool = False
    ) -> tuple[Tally, ...]:
        """The most asked questions (case-insensitively the same), or the unanswered ones."""
        rows = await self._window(
            f"SELECT min(question{self.BYTEWISE}) AS label, count(*) AS n FROM queries"
            " WHERE guild_id = ? AND created_at >= ? AND (NOT ? OR NOT answered)"
            " GROUP BY lower(question) ORDER BY n DESC, label LIMIT ?",
            guild_id, since, unanswered, limit,
        )  # fmt: skip
        return tuple(Tally(label, count) for label, count in rows)

    async def document_tallies(
        self, guild_id: int, since: datetime, limit: int
    ) -> tuple[Tally, ...]:
        """The documents cited most often in the window's answers."""
        rows = await self._window(
            "SELECT h.doc, count(*) AS n FROM hits h JOIN queries q ON q.id = h.query_id"
            " WHERE q.guild_id = ? AND q.created_at >= ? GROUP BY h.doc"
            f" ORDER BY n DESC, h.doc{self.BYTEWISE} LIMIT ?", guild_id, since, limit,
        )  # fmt: skip
        return tuple(Tally(doc, count) for doc, count in rows)

    async def export_records(self, guild_id: int, since: datetime) -> tuple[ExportRecord, ...]:
        """The window's questions, oldest first, each with its hits and votes."""
        window = "guild_id = ? AND created_at >= ?"
        chosen = f"query_id IN (SELECT id FROM queries WHERE {window})"
        queries = await self._window(
            f"SELECT * FROM queries WHERE {window} ORDER BY created_at, id", guild_id, since
        )
        hits = by_query(await self._window(
            "SELECT query_id, rank, doc, chunk_start, chunk_end, excerpt_start, excerpt_end,"
            f" score FROM hits WHERE {chosen} ORDER BY query_id, rank", guild_id, since,
        ), lambda row: HitRow(*row))  # fmt: skip
        votes = by_query(await self._window(
            "SELECT query_id, user_id, vote, created_at FROM feedback"
            f" WHERE {chosen} ORDER BY query_id, created_at", guild_id, since,
        ), lambda row: VoteRow(row[0], row[1], _time(row[2])))  # fmt: skip
        return tuple(
            ExportRecord(query_row(q), hits.get(q["id"], ()), votes.get(q["id"], ()))
            for q in queries
        )

    async def guild_configs(self) -> tuple[GuildConfig, ...]:
        """Every guild's stored settings."""
        return await self._guild_configs("", ())

    async def guild_config(self, guild_id: int) -> GuildConfig | None:
        return next(iter(await self._guild_configs("WHERE guild_id = ?", (guild_id,))), None)

    async def _guild_configs(self, where: str, params: tuple[Any, ...]) -> tuple[GuildConfig, ...]:
        # ``where`` is one of the two literals above, never user text.
        rows = await self._fetch(
            f"SELECT guild_id, default_k, private, cooldown_s FROM guild_config {where}", params
        )
        channels: dict[int, set[int]] = {}
        for guild_id, channel_id in await self._fetch(
            f"SELECT guild_id, channel_id FROM guild_channels {where}", params
        ):
            channels.setdefault(guild_id, set()).add(channel_id)
        return tuple(
            GuildConfig(gid, frozenset(channels.get(gid, ())), k, bool(private), cooldown)
            for gid, k, private, cooldown in rows
        )


def query_row(row: Any) -> QueryRow:
    """A ``queries`` row (an aiosqlite Row or an asyncpg Record) as a QueryRow."""
    values = dict(row)
    values["created_at"] = _time(values["created_at"])
    values["answered"] = bool(values["answered"])
    return QueryRow(**values)


def _time(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _day(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def by_query(rows: Iterable[Any], make: Callable[[Any], T]) -> dict[int, tuple[T, ...]]:
    """Rows whose first column is a query id, grouped by it (order kept), the rest made into T."""
    grouped: dict[int, list[T]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(make(tuple(row)[1:]))
    return {query_id: tuple(items) for query_id, items in grouped.items()}
