"""The query log in SQLite: with its reports (``bot/storage/reports.py``) and what it needs
around aiosqlite (``bot/storage/sqlite_driver.py``), the only SQL for SQLite."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.dbfile import FileId, file_id, move_aside
from bot.storage.journal import journal_path
from bot.storage.logstore import (
    StorageError,
    StorageUnavailableError,
    UnknownQueryError,
)
from bot.storage.records import (
    GuildConfig,
    HitRow,
    QueryLog,
    QueryRow,
    RowCounts,
    VoteChange,
    utc_iso,
    utc_now,
)
from bot.storage.reports import ReportQueries, query_row
from bot.storage.sqlite_driver import (
    BUSY_TIMEOUT,
    INSERT_HIT,
    INSERT_QUERY,
    CorruptDatabaseError,
    hit_values,
    insert_rows,
    migrate,
    open_prepared,
    passing_errors,
    query_values,
    schema_version,
    write_guild_config,
)

__all__ = ["Storage"]

log = logging.getLogger(__name__)


class Storage(ReportQueries):
    """An open query log. Use ``async with Storage.open(path) as storage``."""

    def __init__(
        self, db: aiosqlite.Connection, path: Path, busy_timeout: float, file: FileId
    ) -> None:
        self._db = db
        self.path = path
        self._busy_timeout = busy_timeout
        self._file = file  # the identity of the file the connection holds
        self._closed = False  # the connection was closed and a reopen has not succeeded yet
        self._lost = False  # the file went away and the warning about it was logged
        self._write = asyncio.Lock()  # one write transaction at a time on this connection

    @classmethod
    async def open(cls, path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT) -> Storage:
        """Open (creating if needed) and migrate the database at ``path``.

        A file that is not a database, or fails SQLite's quick check, is moved aside with
        one warning saying where, and a new database is started: the bot keeps answering.
        """
        path = Path(path)
        try:
            return await cls._open(path, busy_timeout)
        except CorruptDatabaseError as corrupt:
            try:
                aside = move_aside(path, utc_now())
            except OSError as exc:
                raise StorageError(f"the database {path} is corrupt ({corrupt}) and cannot "
                                   f"be moved aside: {exc}") from exc  # fmt: skip
            log.warning("The database %s is corrupt (%s); moved it to %s and started a new one",
                        path, corrupt, aside.name)  # fmt: skip
            return await cls._open(path, busy_timeout)

    @classmethod
    async def _open(cls, path: Path, busy_timeout: float) -> Storage:
        db, file = await open_prepared(path, busy_timeout)
        return cls(db, path, busy_timeout, file)

    @property
    def journal_path(self) -> Path:
        """Where the rows this database cannot take now wait: beside it."""
        return journal_path(self.path)

    async def close(self) -> None:
        async with self._write:  # let a write in progress commit first
            await self._db.close()

    async def _follow_file(self) -> None:
        """Reopen the database if its file was deleted or replaced since it was opened, or
        if an earlier reopen failed (a folder at the path, the disk read-only...).

        Until a reopen succeeds the connection stays closed and nothing is compared with the
        old file's identity: the original file moved back still needs a fresh connection.
        """
        if not self._closed and file_id(self.path) == self._file:
            return
        if not self._lost:
            log.warning("The database file %s was deleted or replaced while running; "
                        "reopened it, and new questions are logged there", self.path)  # fmt: skip
            self._lost = True
        self._closed = True
        await self._db.close()
        try:
            fresh = await Storage.open(self.path, busy_timeout=self._busy_timeout)
        except StorageError as exc:
            raise StorageUnavailableError(f"cannot reopen {self.path}: {exc}") from exc
        self._db, self._file = fresh._db, fresh._file
        self._closed = self._lost = False

    async def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        """Rows of a read; reopens first if the connection was closed by a failed reopen."""
        with passing_errors():
            if self._closed:
                async with self._write:
                    await self._follow_file()
            return list(await self._db.execute_fetchall(sql, tuple(params)))

    async def schema_version(self) -> int:
        return await schema_version(self._db)

    async def migrate(self) -> int:
        """Apply the migrations this database lacks; returns the resulting schema version."""
        return await migrate(self._db)

    @asynccontextmanager
    async def _transaction(self, *, deleting: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write:
            with passing_errors():
                await self._follow_file()
                await self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    await self._db.execute("COMMIT")
                except BaseException:
                    await self._rollback()
                    raise
            if deleting:
                await self._scrub()

    async def _rollback(self) -> None:
        # SQLite may have rolled back already (e.g. on a full disk); that is not a new error.
        with contextlib.suppress(sqlite3.Error, ValueError):
            if self._db.in_transaction:
                await self._db.execute("ROLLBACK")

    async def _scrub(self) -> None:
        """After a deletion, copy the WAL into the database and empty it: the WAL still holds
        the pages as they were, deleted rows and all (``secure_delete`` clears the database)."""
        with contextlib.suppress(sqlite3.Error):
            await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def _count(self, sql: str, params: Iterable[Any]) -> int:
        rows = await self._db.execute_fetchall(sql, tuple(params))  # inside a transaction
        return int(next(iter(rows))[0])

    async def log_query(self, entry: QueryLog) -> int:
        """Record one question with its hits in one transaction; returns the query id."""
        async with self._transaction() as db:
            cursor = await db.execute(INSERT_QUERY, query_values(entry))
            query_id = int(cursor.lastrowid or 0)
            await db.executemany(INSERT_HIT, hit_values(query_id, entry))
        return query_id

    async def log_queries(self, entries: Sequence[QueryLog]) -> list[int]:
        """Record questions that carry their ids, with their hits, in one transaction.

        One commit for many questions keeps a busy bot's writes from queueing one by one.
        """
        ids = [entry.query_id for entry in entries]
        if None in ids:
            raise ValueError("log_queries needs every entry's query_id; use log_query")
        async with self._transaction() as db:
            await insert_rows(db, entries)
        return [int(query_id or 0) for query_id in ids]

    async def replay_queries(self, entries: Sequence[QueryLog]) -> list[int]:
        """Record the entries (all with ids) the log does not hold yet, in one transaction;
        returns the ids written. The others were committed before a crash cut their journey."""
        ids = [int(entry.query_id or 0) for entry in entries]
        marks = ", ".join("?" * len(ids))  # at most the writer's batch size, well within limits
        async with self._transaction() as db:
            rows = await db.execute_fetchall(f"SELECT id FROM queries WHERE id IN ({marks})", ids)
            present = {int(row[0]) for row in rows}
            fresh = [entry for entry in entries if entry.query_id not in present]
            await insert_rows(db, fresh)
        return [int(entry.query_id or 0) for entry in fresh]

    async def get_query(self, query_id: int) -> QueryRow | None:
        rows = await self._fetch("SELECT * FROM queries WHERE id = ?", (query_id,))
        row = next(iter(rows), None)
        return None if row is None else query_row(row)

    async def get_hits(self, query_id: int) -> tuple[HitRow, ...]:
        rows = await self._fetch(
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
        async with self._transaction(deleting=True):
            return await self._delete_queries("created_at < ?", cutoff)

    async def delete_user(self, user_id: int) -> RowCounts:
        """Delete everything logged about one user: their questions and their votes."""
        async with self._transaction(deleting=True) as db:
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

    async def delete_user_in_guild(self, user_id: int, guild_id: int) -> RowCounts:
        """Delete what one member left in one guild: their questions there and their votes."""
        in_guild = "query_id IN (SELECT id FROM queries WHERE guild_id = ?)"
        async with self._transaction(deleting=True) as db:
            votes = await self._count(
                f"SELECT count(*) FROM feedback WHERE user_id = ? AND {in_guild}",
                [user_id, guild_id],
            )
            await db.execute(f"DELETE FROM feedback WHERE user_id = ? AND {in_guild}",
                             (user_id, guild_id))  # fmt: skip
            counts = await self._delete_queries("user_id = ? AND guild_id = ?", user_id, guild_id)
        return replace(counts, feedback=counts.feedback + votes)

    async def save_guild_config(self, config: GuildConfig) -> None:
        """Store a guild's settings, replacing what it had."""
        async with self._transaction() as db:
            await write_guild_config(db, config)

    async def library_versions(self) -> dict[int, int]:
        """None: one process per SQLite file, so no other process's uploads to follow."""
        return {}

    async def bump_library(self, guild_id: int) -> int:
        """Nothing to tell: no other process uses this file (see ``bot/library/watch.py``)."""
        return 0

    async def delete_guild_config(self, guild_id: int) -> None:
        """Forget a guild's settings (its channels go with them)."""
        async with self._transaction() as db:
            await db.execute("DELETE FROM guild_config WHERE guild_id = ?", (guild_id,))
