"""The query log in PostgreSQL (``DOCQA_DATABASE_URL``): what :mod:`bot.storage.sqlite` does
in SQLite.

The same tables, the same meaning (``pg_migration_*.sql``), the same methods and errors, so
the writer, the journal and the cogs cannot tell the two apart; the reads (stats, export,
settings) are shared, in ``bot/storage/reports.py``. Several bot processes share one
database: each writes its own questions (their ids are Discord's, unique), and every process
reads all of them (stats, export, votes) and deletes from all of them (forget, retention).
Beside the shared reads, the only SQL for PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bot.storage.logstore import StorageError, StorageUnavailableError, UnknownQueryError
from bot.storage.pg_driver import (
    CONNECTING,
    Connection,
    affected,
    insert_rows,
    numbered,
    passing_errors,
)  # fmt: skip
from bot.storage.records import (
    GuildConfig,
    HitRow,
    QueryLog,
    QueryRow,
    RowCounts,
    VoteChange,
    utc_now,
)
from bot.storage.reports import ReportQueries, query_row

__all__ = ["PG_MIGRATIONS", "PgStorage"]

log = logging.getLogger(__name__)

PG_MIGRATIONS: tuple[str, ...] = (
    "pg_migration_001.sql", "pg_migration_002.sql", "pg_migration_003.sql",
)  # fmt: skip
COMMAND_TIMEOUT = 5.0  # seconds a statement or a connection may take: SQLite's lock wait
POOL_SIZE = 4  # connections per process; writes are batched, so few are needed
SQL_DIR = Path(__file__).resolve().parent
MIGRATION_LOCK = 0x646F6371  # advisory lock id ("docq"): one process migrates at a time


class PgStorage(ReportQueries):
    """An open query log in PostgreSQL. Use ``async with await PgStorage.open(url, journal)``.

    ``journal_path`` is where this process journals the rows the server cannot take now.
    """

    DAY = "(created_at AT TIME ZONE 'UTC')::date"
    BYTEWISE = ' COLLATE "C"'

    def __init__(self, pool: asyncpg.Pool, journal_path: Path) -> None:
        self._pool = pool
        self.journal_path = journal_path

    @classmethod
    async def open(cls, url: str, journal_path: Path) -> PgStorage:
        """Connect to the database at ``url`` and migrate it; raises StorageError saying why
        not (the URL itself is never repeated: it may hold a password)."""
        try:
            # No connection floor: while the server is down, asyncpg would log a traceback each
            # time it tried to restore one; connections are opened as questions need them.
            pool = await asyncpg.create_pool(
                url, min_size=0, max_size=POOL_SIZE, timeout=COMMAND_TIMEOUT,
                command_timeout=COMMAND_TIMEOUT, server_settings={"timezone": "UTC"},
            )  # fmt: skip
        except CONNECTING as exc:
            raise StorageError(f"cannot connect to PostgreSQL: {exc}") from exc
        try:
            await pool.execute("SELECT 1")  # the pool connects lazily: reach the server now
        except CONNECTING as exc:
            await pool.close()
            raise StorageError(f"cannot connect to PostgreSQL: {exc}") from exc
        storage = cls(pool, journal_path)
        try:
            await storage.migrate()
        except BaseException as exc:
            await pool.close()
            if isinstance(exc, asyncpg.PostgresError | OSError):
                raise StorageError(f"cannot use the PostgreSQL database: {exc}") from exc
            raise
        return storage

    async def close(self) -> None:
        """Wait for transactions in progress, then close every connection."""
        try:
            await self._pool.close()
        except TimeoutError:
            self._pool.terminate()

    async def schema_version(self) -> int:
        async with self._pool.acquire() as db:
            return await _version(db)

    async def migrate(self) -> int:
        """Apply the migrations this database lacks; returns the resulting schema version.
        Processes starting together take turns (an advisory lock): each migration runs once."""
        async with self._pool.acquire() as db, db.transaction():
            await db.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await db.execute("CREATE TABLE IF NOT EXISTS docqa_schema (version INTEGER NOT NULL)")
            version = await _version(db)
            for number, name in enumerate(PG_MIGRATIONS[version:], start=version + 1):
                await db.execute((SQL_DIR / name).read_text(encoding="utf-8"))
                await db.execute("DELETE FROM docqa_schema")
                await db.execute("INSERT INTO docqa_schema (version) VALUES ($1)", number)
                log.info("PostgreSQL schema migrated to version %d", number)
        return len(PG_MIGRATIONS)

    def _moment(self, when: datetime) -> Any:
        return when

    async def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        """Rows of a read written with ``?`` placeholders (as the shared reports are)."""
        with passing_errors():
            async with self._connection() as db:
                return list(await db.fetch(numbered(sql), *params))

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Connection]:
        with passing_errors():
            async with self._connection() as db, db.transaction():
                yield db

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Connection]:
        """A connection of the pool, which replaces connections the server ended. Any
        failure to get one within :data:`COMMAND_TIMEOUT` (every connection busy, the server
        down or refusing: a restart, a changed password, a database closed to connections)
        is :class:`StorageUnavailableError`: rows wait in the journal until it takes them."""
        try:
            db = await self._pool.acquire(timeout=COMMAND_TIMEOUT)
        except Exception as exc:  # whatever the reason, not a reason to drop the rows
            raise StorageUnavailableError(f"cannot connect to PostgreSQL: {exc}") from exc
        try:
            yield db
        finally:
            await self._pool.release(db)

    async def log_query(self, entry: QueryLog) -> int:
        """Record one question with its hits in one transaction; returns the query id (the
        next after the largest for a question without one, as SQLite's rowid)."""
        async with self._transaction() as db:
            if entry.query_id is None:
                next_id = await db.fetchval("SELECT coalesce(max(id), 0) + 1 FROM queries")
                entry = replace(entry, query_id=int(next_id))
            await insert_rows(db, [entry])
        return int(entry.query_id or 0)

    async def log_queries(self, entries: Sequence[QueryLog]) -> list[int]:
        """Record questions that carry their ids, with their hits, in one transaction."""
        ids = [entry.query_id for entry in entries]
        if None in ids:
            raise ValueError("log_queries needs every entry's query_id; use log_query")
        async with self._transaction() as db:
            await insert_rows(db, entries)
        return [int(query_id or 0) for query_id in ids]

    async def replay_queries(self, entries: Sequence[QueryLog]) -> list[int]:
        """Record the entries (all with ids) the log does not hold yet; returns the ids written."""
        ids = [int(entry.query_id or 0) for entry in entries]
        async with self._transaction() as db:
            rows = await db.fetch("SELECT id FROM queries WHERE id = ANY($1::bigint[])", ids)
            present = {int(row[0]) for row in rows}
            fresh = [entry for entry in entries if entry.query_id not in present]
            await insert_rows(db, fresh)
        return [int(entry.query_id or 0) for entry in fresh]

    async def get_query(self, query_id: int) -> QueryRow | None:
        rows = await self._fetch("SELECT * FROM queries WHERE id = $1", (query_id,))
        return None if not rows else query_row(rows[0])

    async def get_hits(self, query_id: int) -> tuple[HitRow, ...]:
        rows = await self._fetch(
            "SELECT rank, doc, chunk_start, chunk_end, excerpt_start, excerpt_end, score"
            " FROM hits WHERE query_id = $1 ORDER BY rank",
            (query_id,),
        )
        return tuple(HitRow(*row) for row in rows)

    async def record_vote(self, query_id: int, user_id: int, vote: int) -> VoteChange:
        """Record ``user_id``'s vote (+1/-1) on a query, replacing their earlier vote."""
        if vote not in (-1, 1):
            raise ValueError(f"a vote is +1 or -1, not {vote}")
        async with self._transaction() as db:
            if await db.fetchval("SELECT count(*) FROM queries WHERE id = $1", query_id) == 0:
                raise UnknownQueryError(f"no query {query_id} in the log")
            previous = await db.fetchval(
                "SELECT vote FROM feedback WHERE query_id = $1 AND user_id = $2 FOR UPDATE",
                query_id, user_id,
            )  # fmt: skip
            await db.execute(
                "INSERT INTO feedback (query_id, user_id, vote, created_at) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (query_id, user_id)"
                " DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at",
                query_id, user_id, vote, utc_now(),
            )  # fmt: skip
        return VoteChange(None if previous is None else int(previous), vote)

    async def purge_older_than(self, days: int, now: datetime | None = None) -> RowCounts:
        """Delete questions logged more than ``days`` days ago, with their hits and votes."""
        cutoff = (now or utc_now()) - timedelta(days=days)
        async with self._transaction() as db:
            return await _delete_queries(db, "created_at < $1", cutoff)

    async def delete_user(self, user_id: int) -> RowCounts:
        """Delete everything logged about one user: their questions and their votes."""
        async with self._transaction() as db:
            votes = await db.execute("DELETE FROM feedback WHERE user_id = $1", user_id)
            counts = await _delete_queries(db, "user_id = $1", user_id)
        return replace(counts, feedback=counts.feedback + affected(votes))

    async def delete_user_in_guild(self, user_id: int, guild_id: int) -> RowCounts:
        """Delete what one member left in one guild: their questions there and their votes."""
        async with self._transaction() as db:
            votes = await db.execute(
                "DELETE FROM feedback WHERE user_id = $1"
                " AND query_id IN (SELECT id FROM queries WHERE guild_id = $2)",
                user_id, guild_id,
            )  # fmt: skip
            counts = await _delete_queries(db, "user_id = $1 AND guild_id = $2", user_id, guild_id)
        return replace(counts, feedback=counts.feedback + affected(votes))

    async def save_guild_config(self, config: GuildConfig) -> None:
        """Store a guild's settings, replacing what it had."""
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO guild_config (guild_id, default_k, private, cooldown_s, updated_at)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (guild_id) DO UPDATE SET"
                " default_k = excluded.default_k, private = excluded.private,"
                " cooldown_s = excluded.cooldown_s, updated_at = excluded.updated_at",
                config.guild_id, config.default_k, config.private, config.cooldown, utc_now(),
            )  # fmt: skip
            await db.execute("DELETE FROM guild_channels WHERE guild_id = $1", config.guild_id)
            await db.executemany(
                "INSERT INTO guild_channels (guild_id, channel_id) VALUES ($1, $2)",
                [(config.guild_id, channel) for channel in sorted(config.channels)],
            )

    async def library_versions(self) -> dict[int, int]:
        """Each server's count of document changes (``bot/library/watch.py``)."""
        rows = await self._fetch("SELECT guild_id, version FROM library_versions")
        return {int(guild_id): int(version) for guild_id, version in rows}

    async def bump_library(self, guild_id: int) -> int:
        """Count one more change of ``guild_id``'s documents; returns the new count."""
        async with self._transaction() as db:
            version = await db.fetchval(
                "INSERT INTO library_versions (guild_id, version) VALUES ($1, 1)"
                " ON CONFLICT (guild_id) DO UPDATE SET version = library_versions.version + 1"
                " RETURNING version",
                guild_id,
            )
        return int(version)

    async def delete_guild_config(self, guild_id: int) -> None:
        """Forget a guild's settings (its channels go with them)."""
        async with self._transaction() as db:
            await db.execute("DELETE FROM guild_config WHERE guild_id = $1", guild_id)


async def _version(db: Connection) -> int:
    exists = await db.fetchval("SELECT to_regclass('docqa_schema') IS NOT NULL")
    return int(await db.fetchval("SELECT max(version) FROM docqa_schema") or 0) if exists else 0


async def _delete_queries(db: Connection, where: str, *values: object) -> RowCounts:
    """Inside a transaction: delete the matching questions; hits and votes cascade."""
    # ``where`` is one of the literal conditions above, never user text.
    chosen = f"query_id IN (SELECT id FROM queries WHERE {where})"
    hits = await db.fetchval(f"SELECT count(*) FROM hits WHERE {chosen}", *values)
    votes = await db.fetchval(f"SELECT count(*) FROM feedback WHERE {chosen}", *values)
    queries = await db.execute(f"DELETE FROM queries WHERE {where}", *values)
    return RowCounts(affected(queries), int(hits), int(votes))
