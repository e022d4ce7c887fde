"""The query log in SQLite: the only module that talks to the database."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

from bot.records import HitRow, QueryLog, QueryRow, RowCounts, VoteChange, utc_iso, utc_now

__all__ = ["MIGRATIONS", "Storage", "StorageError", "UnknownQueryError"]

log = logging.getLogger(__name__)

MIGRATIONS: tuple[str, ...] = ("migration_001.sql",)
BUSY_TIMEOUT_MS = 5000
SQL_DIR = Path(__file__).resolve().parent


class StorageError(Exception):
    """The database cannot be opened or used."""


class UnknownQueryError(StorageError):
    """A vote names a query the log does not hold (purged, or never written)."""


class Storage:
    """An open query log. Use ``async with Storage.open(path) as storage``."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._write = asyncio.Lock()  # one write transaction at a time on this connection

    @classmethod
    async def open(cls, path: Path | str) -> Storage:
        """Open (creating if needed) and migrate the database at ``path``."""
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open the database {path}: {exc}") from exc
        storage = cls(db)
        try:
            await storage._configure()
            await storage.migrate()
        except BaseException as exc:
            await db.close()  # an open connection's thread would keep the process alive
            if isinstance(exc, sqlite3.Error):
                raise StorageError(f"cannot use the database {path}: {exc}") from exc
            raise
        return storage

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        async with self._write:  # let a write in progress commit first
            await self._db.close()

    async def _configure(self) -> None:
        self._db.row_factory = aiosqlite.Row
        await self._db.execute("PRAGMA journal_mode = WAL")
        await self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        await self._db.execute("PRAGMA foreign_keys = ON")
        await self._db.execute("PRAGMA synchronous = NORMAL")

    async def schema_version(self) -> int:
        rows = await self._db.execute_fetchall("PRAGMA user_version")
        return int(next(iter(rows))[0])

    async def migrate(self) -> int:
        """Apply the migrations this database lacks; returns the resulting schema version."""
        version = await self.schema_version()
        for number, name in enumerate(MIGRATIONS[version:], start=version + 1):
            script = (SQL_DIR / name).read_text(encoding="utf-8")
            # PRAGMA takes no parameters; ``number`` is our own int.
            body = f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number:d};\nCOMMIT;"
            try:
                await self._db.executescript(body)
            except sqlite3.Error:
                await self._db.execute("ROLLBACK")
                raise
            log.info("Database schema migrated to version %d", number)
        return len(MIGRATIONS)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def _count(self, sql: str, params: Iterable[Any]) -> int:
        rows = await self._db.execute_fetchall(sql, tuple(params))
        return int(next(iter(rows))[0])

    async def log_query(self, entry: QueryLog) -> int:
        """Record one question with its hits in one transaction; returns the query id."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO queries (id, created_at, guild_id, channel_id, user_id, source,"
                " question, k, answered, latency_ms, hit_count, top_score)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.query_id, utc_iso(entry.created_at), entry.guild_id, entry.channel_id,
                    entry.user_id, entry.source, entry.question, entry.k, int(entry.answered),
                    entry.latency_ms, len(entry.hits), entry.top_score,
                ),
            )  # fmt: skip
            query_id = int(cursor.lastrowid or 0)
            await db.executemany(
                "INSERT INTO hits (query_id, rank, doc, chunk_start, chunk_end, excerpt_start,"
                " excerpt_end, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(query_id, h.rank, h.doc, h.chunk_start, h.chunk_end, h.excerpt_start,
                  h.excerpt_end, h.score) for h in entry.hits],
            )  # fmt: skip
        return query_id

    async def get_query(self, query_id: int) -> QueryRow | None:
        rows = await self._db.execute_fetchall("SELECT * FROM queries WHERE id = ?", (query_id,))
        row = next(iter(rows), None)
        return None if row is None else _query_row(row)

    async def get_hits(self, query_id: int) -> tuple[HitRow, ...]:
        rows = await self._db.execute_fetchall(
            "SELECT rank, doc, chunk_start, chunk_end, excerpt_start, excerpt_end, score"
            " FROM hits WHERE query_id = ? ORDER BY rank",
            (query_id,),
        )
        return tuple(HitRow(**dict(row)) for row in rows)

    async def record_vote(self, query_id: int, user_id: int, vote: int) -> VoteChange:
        """Record ``user_id``'s vote (+1/-1) on a query, replacing their earlier vote."""
        if vote not in (-1, 1):
            raise ValueError(f"a vote is +1 or -1, not {vote}")
        async with self._transaction() as db:
            if await self._count("SELECT count(*) FROM queries WHERE id = ?", [query_id]) == 0:
                raise UnknownQueryError(f"no query {query_id} in the log")
            rows = await db.execute_fetchall(
                "SELECT vote FROM feedback WHERE query_id = ? AND user_id = ?", (query_id, user_id)
            )
            previous = next((int(row[0]) for row in rows), None)
            await db.execute(
                "INSERT INTO feedback (query_id, user_id, vote, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (query_id, user_id)"
                " DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at",
                (query_id, user_id, vote, utc_iso(utc_now())),
            )
        return VoteChange(previous, vote)

    async def purge_older_than(self, days: int, now: datetime | None = None) -> RowCounts:
        """Delete questions logged more than ``days`` days ago, with their hits and votes."""
        cutoff = utc_iso((now or utc_now()) - timedelta(days=days))
        async with self._transaction():
            return await self._delete_queries("created_at < ?", cutoff)

    async def delete_user(self, user_id: int) -> RowCounts:
        """Delete everything logged about one user: their questions and their votes."""
        async with self._transaction() as db:
            votes = await self._count("SELECT count(*) FROM feedback WHERE user_id = ?", [user_id])
            await db.execute("DELETE FROM feedback WHERE user_id = ?", (user_id,))
            counts = await self._delete_queries("user_id = ?", user_id)
        return replace(counts, feedback=counts.feedback + votes)

    async def _delete_queries(self, where: str, *values: object) -> RowCounts:
        """Inside a transaction: delete the matching questions; hits and votes cascade."""
        # ``where`` is one of the literal conditions above, never user text.
        chosen = f"query_id IN (SELECT id FROM queries WHERE {where})"
        queries = await self._count(f"SELECT count(*) FROM queries WHERE {where}", values)
        hits = await self._count(f"SELECT count(*) FROM hits WHERE {chosen}", values)
        votes = await self._count(f"SELECT count(*) FROM feedback WHERE {chosen}", values)
        await self._db.execute(f"DELETE FROM queries WHERE {where}", values)
        return RowCounts(queries, hits, votes)


def _query_row(row: aiosqlite.Row) -> QueryRow:
    values = dict(row)
    values["created_at"] = datetime.fromisoformat(values["created_at"])
    values["answered"] = bool(values["answered"])
    return QueryRow(**values)
