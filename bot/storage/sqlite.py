"""The query log in SQLite: with its reports (``bot/storage/reports.py``), the only SQL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.dbfile import FileId, claim, file_id, move_aside
from bot.storage.journal import journal_path
from bot.storage.logstore import (
    RowRefusedError,
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

__all__ = [
    "BUSY_TIMEOUT",
    "INSERT_HIT",
    "INSERT_QUERY",
    "MIGRATIONS",
    "RowRefusedError",
    "Storage",
    "StorageError",
    "StorageUnavailableError",
    "UnknownQueryError",
]

log = logging.getLogger(__name__)

MIGRATIONS: tuple[str, ...] = ("migration_001.sql", "migration_002.sql")
BUSY_TIMEOUT = 5.0  # seconds a write waits for another writer's lock before it fails
SQL_DIR = Path(__file__).resolve().parent
# SQLite's primary result codes that mean "not now" rather than "never": another writer holds
# the lock, the file or its disk turned read-only, the disk is full, I/O failed.
_PASSING = (
    "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_READONLY", "SQLITE_FULL", "SQLITE_IOERR",
    "SQLITE_CANTOPEN",
)  # fmt: skip
_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _CorruptDatabaseError(Exception):
    """The file is not a usable SQLite database (moved aside at start-up)."""


def _error_name(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


@contextlib.contextmanager
def _passing_errors() -> Iterator[None]:
    """Raise SQLite errors that can pass as :class:`StorageUnavailableError`, a row SQLite
    refuses as :class:`RowRefusedError`; others as they are."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise RowRefusedError(str(exc)) from exc
    except sqlite3.Error as exc:
        if _error_name(exc).startswith(_PASSING):
            raise StorageUnavailableError(str(exc)) from exc
        raise
    except ValueError as exc:  # aiosqlite's "no active connection": closed, not reopened yet
        if "connection" in str(exc):
            raise StorageUnavailableError(str(exc)) from exc
        raise


def _storable(text: str) -> str:
    """Text SQLite can hold as UTF-8: lone surrogates, which JSON can carry ("\\ud83d") and
    Python keeps, become U+FFFD; before, the whole row failed to encode and was lost."""
    return _SURROGATE.sub("\ufffd", text)


async def _connect(path: Path) -> tuple[aiosqlite.Connection, FileId]:
    """A connection to the file at ``path`` (created if missing) and that file's identity.

    A file swapped in while SQLite opens the path (an operator restoring a backup just then)
    would leave the connection on the old file under the new one's ``-wal``/``-shm`` names,
    mixing two databases' pages; so the path must still name the file that was there.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        identity = claim(path)
        uri = f"{path.absolute().as_uri()}?mode=rw"  # never creates: ``claim`` did, once
        db = await aiosqlite.connect(uri, uri=True, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"cannot open the database {path}: {exc}") from exc
    if file_id(path) != identity:
        await db.close()
        raise StorageError(f"cannot open the database {path}: it was replaced meanwhile")
    return db, identity


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
        except _CorruptDatabaseError as corrupt:
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
        db, file = await _connect(path)
        storage = cls(db, path, busy_timeout, file)
        try:
            await storage._prepare()
        except BaseException as exc:
            await storage._db.close()  # an open connection's thread would keep the process alive
            if _error_name(exc).startswith(_CORRUPT):
                raise _CorruptDatabaseError(str(exc)) from exc
            if isinstance(exc, sqlite3.Error):
                raise StorageError(f"cannot use the database {path}: {exc}") from exc
            raise
        return storage

    @property
    def journal_path(self) -> Path:
        """Where the rows this database cannot take now wait: beside it."""
        return journal_path(self.path)

    async def close(self) -> None:
        async with self._write:  # let a write in progress commit first
            await self._db.close()

    async def _prepare(self) -> None:
        """Check, configure and migrate a fresh connection; checking comes first, so a corrupt
        file is moved aside exactly as it was found (switching to WAL rewrites its header)."""
        self._db.row_factory = aiosqlite.Row
        await self._db.execute(f"PRAGMA busy_timeout = {round(self._busy_timeout * 1000):d}")
        rows = await self._db.execute_fetchall("PRAGMA quick_check(1)")
        if (problem := " ".join(str(next(iter(rows))[0]).split())) != "ok":
            raise _CorruptDatabaseError(problem)
        await self._check_ours()
        await self._db.execute("PRAGMA journal_mode = WAL")
        await self._db.execute("PRAGMA foreign_keys = ON")
        await self._db.execute("PRAGMA synchronous = NORMAL")
        # Deleted rows are overwritten, not left in free pages: forgetting someone is for real.
        await self._db.execute("PRAGMA secure_delete = ON")
        await self.migrate()

    async def _check_ours(self) -> None:
        """Refuse, before changing anything in it, a healthy database that is not a docqa query
        log: another program's (tables of its own at version 0, or no ``queries`` table) or a
        newer docqa's (a schema version past the migrations this one knows)."""
        version = await self.schema_version()
        rows = await self._db.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        tables = {str(row[0]) for row in rows}
        if version > len(MIGRATIONS):
            reason = f"its schema version {version} is newer than this docqa's {len(MIGRATIONS)}"
        elif tables and "queries" not in tables:
            reason = f"it holds other tables ({', '.join(sorted(tables)[:3])})"
        else:
            return
        raise StorageError(
            f"the database {self.path} is not a docqa query log: {reason}; it was left "
            "untouched: set DOCQA_DB_PATH to another file"
        )

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
        with _passing_errors():
            if self._closed:
                async with self._write:
                    await self._follow_file()
            return list(await self._db.execute_fetchall(sql, tuple(params)))

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
    async def _transaction(self, *, deleting: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write:
            with _passing_errors():
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
            cursor = await db.execute(INSERT_QUERY, _query_values(entry))
            query_id = int(cursor.lastrowid or 0)
            await db.executemany(INSERT_HIT, _hit_values(query_id, entry))
        return query_id

    async def log_queries(self, entries: Sequence[QueryLog]) -> list[int]:
        """Record questions that carry their ids, with their hits, in one transaction.

        One commit for many questions keeps a busy bot's writes from queueing one by one.
        """
        ids = [entry.query_id for entry in entries]
        if None in ids:
            raise ValueError("log_queries needs every entry's query_id; use log_query")
        async with self._transaction() as db:
            await db.executemany(INSERT_QUERY, [_query_values(entry) for entry in entries])
            await db.executemany(INSERT_HIT, [
                values for entry in entries for values in _hit_values(entry.query_id, entry)
            ])  # fmt: skip
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
            await db.executemany(INSERT_QUERY, [_query_values(entry) for entry in fresh])
            await db.executemany(INSERT_HIT, [
                values for entry in fresh for values in _hit_values(entry.query_id, entry)
            ])  # fmt: skip
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

    # ---- Moderation (/docqa commands; the reports are in bot/storage/reports.py) ---------

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
            await db.execute(
                "INSERT INTO guild_config (guild_id, default_k, private, cooldown_s, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
                " default_k = excluded.default_k, private = excluded.private,"
                " cooldown_s = excluded.cooldown_s, updated_at = excluded.updated_at",
                (config.guild_id, config.default_k, int(config.private), config.cooldown,
                 utc_iso(utc_now())),
            )  # fmt: skip
            await db.execute("DELETE FROM guild_channels WHERE guild_id = ?", (config.guild_id,))
            await db.executemany(
                "INSERT INTO guild_channels (guild_id, channel_id) VALUES (?, ?)",
                [(config.guild_id, channel) for channel in sorted(config.channels)],
            )

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


INSERT_QUERY = (
    "INSERT INTO queries (id, created_at, guild_id, channel_id, user_id, source, question, k,"
    " answered, latency_ms, hit_count, top_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_HIT = (
    "INSERT INTO hits (query_id, rank, doc, chunk_start, chunk_end, excerpt_start, excerpt_end,"
    " score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def _query_values(entry: QueryLog) -> tuple[Any, ...]:
    return (
        entry.query_id, utc_iso(entry.created_at), entry.guild_id, entry.channel_id,
        entry.user_id, entry.source, _storable(entry.question), entry.k, int(entry.answered),
        entry.latency_ms, len(entry.hits), entry.top_score,
    )  # fmt: skip


def _hit_values(query_id: int | None, entry: QueryLog) -> list[tuple[Any, ...]]:
    return [
        (query_id, h.rank, _storable(h.doc), h.chunk_start, h.chunk_end, h.excerpt_start,
         h.excerpt_end, h.score) for h in entry.hits
    ]  # fmt: skip
