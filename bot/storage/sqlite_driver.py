"""What the SQLite log (:mod:`bot.storage.sqlite`) needs around aiosqlite: which SQLite errors
mean "not now" and which "never", text SQLite can hold, opening the file (still the file that
was there), checking that it is a docqa query log, its migrations (``migration_*.sql``), and a
question's rows and a guild's settings as SQLite stores them (the insert statements
PostgreSQL's log numbers too)."""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.dbfile import FileId, claim, file_id
from bot.storage.logstore import RowRefusedError, StorageError, StorageUnavailableError
from bot.storage.records import GuildConfig, QueryLog, utc_iso, utc_now

__all__ = [
    "BUSY_TIMEOUT",
    "CORRUPT",
    "INSERT_HIT",
    "INSERT_QUERY",
    "MIGRATIONS",
    "CorruptDatabaseError",
    "connect",
    "error_name",
    "hit_values",
    "insert_rows",
    "migrate",
    "open_prepared",
    "passing_errors",
    "prepare",
    "query_values",
    "schema_version",
    "storable",
    "write_guild_config",
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
CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_SURROGATE = re.compile("[\ud800-\udfff]")


class CorruptDatabaseError(Exception):
    """The file is not a usable SQLite database (moved aside at start-up)."""


def error_name(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


@contextlib.contextmanager
def passing_errors() -> Iterator[None]:
    """Raise SQLite errors that can pass as :class:`StorageUnavailableError`, a row SQLite
    refuses as :class:`RowRefusedError`; others as they are."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise RowRefusedError(str(exc)) from exc
    except sqlite3.Error as exc:
        if error_name(exc).startswith(_PASSING):
            raise StorageUnavailableError(str(exc)) from exc
        raise
    except ValueError as exc:  # aiosqlite's "no active connection": closed, not reopened yet
        if "connection" in str(exc):
            raise StorageUnavailableError(str(exc)) from exc
        raise


def storable(text: str) -> str:
    """Text SQLite can hold as UTF-8: lone surrogates, which JSON can carry ("\\ud83d") and
    Python keeps, become U+FFFD; before, the whole row failed to encode and was lost."""
    return _SURROGATE.sub("\ufffd", text)


async def connect(path: Path) -> tuple[aiosqlite.Connection, FileId]:
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


async def open_prepared(path: Path, busy_timeout: float) -> tuple[aiosqlite.Connection, FileId]:
    """:func:`connect`, then :func:`prepare`; a connection that fails to prepare is closed (its
    thread would keep the process alive) and the failure raised as :class:`CorruptDatabaseError`
    (the file is to be moved aside) or :class:`StorageError`."""
    db, file = await connect(path)
    db.row_factory = aiosqlite.Row
    try:
        await prepare(db, path, busy_timeout)
    except BaseException as exc:
        await db.close()
        if error_name(exc).startswith(CORRUPT):
            raise CorruptDatabaseError(str(exc)) from exc
        if isinstance(exc, sqlite3.Error):
            raise StorageError(f"cannot use the database {path}: {exc}") from exc
        raise
    return db, file


async def prepare(db: aiosqlite.Connection, path: Path, busy_timeout: float) -> None:
    """Check, configure and migrate a fresh connection; checking comes first, so a corrupt
    file is moved aside exactly as it was found (switching to WAL rewrites its header)."""
    await db.execute(f"PRAGMA busy_timeout = {round(busy_timeout * 1000):d}")
    rows = await db.execute_fetchall("PRAGMA quick_check(1)")
    if (problem := " ".join(str(next(iter(rows))[0]).split())) != "ok":
        raise CorruptDatabaseError(problem)
    await _check_ours(db, path)
    await db.execute("PRAGMA journal_mode = WAL")
    await db.execute("PRAGMA foreign_keys = ON")
    await db.execute("PRAGMA synchronous = NORMAL")
    # Deleted rows are overwritten, not left in free pages: forgetting someone is for real.
    await db.execute("PRAGMA secure_delete = ON")
    await migrate(db)


async def _check_ours(db: aiosqlite.Connection, path: Path) -> None:
    """Refuse, before changing anything in it, a healthy database that is not a docqa query
    log: another program's (tables of its own at version 0, or no ``queries`` table) or a
    newer docqa's (a schema version past the migrations this one knows)."""
    version = await schema_version(db)
    rows = await db.execute_fetchall(
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
        f"the database {path} is not a docqa query log: {reason}; it was left "
        "untouched: set DOCQA_DB_PATH to another file"
    )


async def schema_version(db: aiosqlite.Connection) -> int:
    rows = await db.execute_fetchall("PRAGMA user_version")
    return int(next(iter(rows))[0])


async def migrate(db: aiosqlite.Connection) -> int:
    """Apply the migrations this database lacks; returns the resulting schema version."""
    version = await schema_version(db)
    for number, name in enumerate(MIGRATIONS[version:], start=version + 1):
        script = (SQL_DIR / name).read_text(encoding="utf-8")
        # PRAGMA takes no parameters; ``number`` is our own int.
        body = f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number:d};\nCOMMIT;"
        try:
            await db.executescript(body)
        except sqlite3.Error:
            await db.execute("ROLLBACK")
            raise
        log.info("Database schema migrated to version %d", number)
    return len(MIGRATIONS)


INSERT_QUERY = (
    "INSERT INTO queries (id, created_at, guild_id, channel_id, user_id, source, question, k,"
    " answered, latency_ms, hit_count, top_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_HIT = (
    "INSERT INTO hits (query_id, rank, doc, chunk_start, chunk_end, excerpt_start, excerpt_end,"
    " score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def query_values(entry: QueryLog) -> tuple[Any, ...]:
    return (
        entry.query_id, utc_iso(entry.created_at), entry.guild_id, entry.channel_id,
        entry.user_id, entry.source, storable(entry.question), entry.k, int(entry.answered),
        entry.latency_ms, len(entry.hits), entry.top_score,
    )  # fmt: skip


def hit_values(query_id: int | None, entry: QueryLog) -> list[tuple[Any, ...]]:
    return [
        (query_id, h.rank, storable(h.doc), h.chunk_start, h.chunk_end, h.excerpt_start,
         h.excerpt_end, h.score) for h in entry.hits
    ]  # fmt: skip


async def insert_rows(db: aiosqlite.Connection, entries: Sequence[QueryLog]) -> None:
    """Inside a transaction: insert questions that carry their ids, with their hits."""
    await db.executemany(INSERT_QUERY, [query_values(entry) for entry in entries])
    await db.executemany(INSERT_HIT, [
        values for entry in entries for values in hit_values(entry.query_id, entry)
    ])  # fmt: skip


async def write_guild_config(db: aiosqlite.Connection, config: GuildConfig) -> None:
    """Inside a transaction: store a guild's settings, replacing what it had."""
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
