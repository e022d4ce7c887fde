"""What the PostgreSQL log (:mod:`bot.storage.postgres`) needs around asyncpg: which of its errors
mean "not now" and which "never", text PostgreSQL can hold, ``?`` placeholders numbered, a
command's row count, and a question's rows as PostgreSQL stores them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, TypeAlias

import asyncpg

from bot.storage.logstore import RowRefusedError, StorageUnavailableError
from bot.storage.records import QueryLog
from bot.storage.sqlite_driver import INSERT_HIT, INSERT_QUERY

__all__ = [
    "CONNECTING", "Connection", "affected", "insert_rows", "numbered", "passing_errors", "storable",
]  # fmt: skip

# Errors that mean "not now": the server unreachable, restarting, out of connections or disk,
# a statement timed out, a transaction lost a deadlock, a standby refuses writes; and the
# driver's own confusion when the server ends a session mid-statement (InternalClientError
# "cannot switch to state ...", seen when sessions are terminated).
_PASSING: tuple[type[BaseException], ...] = (
    OSError, TimeoutError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError, asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.TransactionRollbackError, asyncpg.exceptions.ReadOnlySQLTransactionError,
    asyncpg.exceptions.CannotConnectNowError, asyncpg.InternalClientError,
)  # fmt: skip
_REFUSED = (asyncpg.IntegrityConstraintViolationError, asyncpg.DataError)
# Errors of opening the database: any of the above, any refusal, a URL asyncpg cannot parse.
CONNECTING: tuple[type[BaseException], ...] = (*_PASSING, asyncpg.PostgresError, ValueError)
Connection: TypeAlias = "asyncpg.pool.PoolConnectionProxy[asyncpg.Record]"


@contextlib.contextmanager
def passing_errors() -> Iterator[None]:
    """Raise errors that can pass as :class:`StorageUnavailableError`, a row the server
    refuses as :class:`RowRefusedError`; others as they are."""
    try:
        yield
    except _REFUSED as exc:
        raise RowRefusedError(str(exc)) from exc
    except _PASSING as exc:
        raise StorageUnavailableError(f"PostgreSQL: {str(exc) or type(exc).__name__}") from exc


def storable(text: str) -> str:
    """Text PostgreSQL can hold: lone surrogates and NUL (which ``text`` refuses) become U+FFFD."""
    return "".join("\ufffd" if c == "\0" or "\ud800" <= c <= "\udfff" else c for c in text)


def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, ...`` (our SQL has no ``?`` in literals)."""
    pieces = sql.split("?")
    return "".join(f"{piece}${n}" for n, piece in enumerate(pieces[:-1], start=1)) + pieces[-1]


def affected(status: str) -> int:
    """The row count of a command status such as ``DELETE 3``."""
    return int(status.rsplit(" ", 1)[-1])


# SQLite's statements, numbered: one column list for both backends.
_INSERT_QUERY = numbered(INSERT_QUERY)
_INSERT_HIT = numbered(INSERT_HIT)


def _query_values(entry: QueryLog) -> tuple[Any, ...]:
    return (
        entry.query_id, entry.created_at, entry.guild_id, entry.channel_id, entry.user_id,
        entry.source, storable(entry.question), entry.k, entry.answered, entry.latency_ms,
        len(entry.hits), entry.top_score,
    )  # fmt: skip


async def insert_rows(db: Connection, entries: Sequence[QueryLog]) -> None:
    """Inside a transaction: insert questions that carry their ids, with their hits."""
    await db.executemany(_INSERT_QUERY, [_query_values(entry) for entry in entries])
    await db.executemany(_INSERT_HIT, [
        (entry.query_id, h.rank, storable(h.doc), h.chunk_start, h.chunk_end,
         h.excerpt_start, h.excerpt_end, h.score) for entry in entries for h in entry.hits
    ])  # fmt: skip
