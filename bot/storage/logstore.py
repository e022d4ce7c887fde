"""What the query log writer needs from a database, whichever database it is.

:mod:`bot.storage.sqlite` (SQLite) implements :class:`QueryLogStore`; the write-behind writer
(:mod:`bot.storage.logwriter`) and the journal (:mod:`bot.storage.journal`) know only this
module, so another
backend plugs in without changing them. A backend raises these errors and no driver's own:
the writer's decisions (retry, journal, drop) depend on nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.storage.records import QueryLog, RowCounts

__all__ = [
    "QueryLogStore",
    "RowRefusedError",
    "StorageError",
    "StorageUnavailableError",
    "UnknownQueryError",
]


class StorageError(Exception):
    """The database cannot be opened or used."""


class UnknownQueryError(StorageError):
    """A vote names a query the log does not hold (purged, or never written)."""


class StorageUnavailableError(StorageError):
    """A write failed for a reason that can pass (locked, read-only, disk full, the file gone
    or replaced and not reopened yet): retry it."""


class RowRefusedError(StorageError):
    """The database will never take this row (its id is taken, a value breaks a constraint)."""


class QueryLogStore(Protocol):
    """The writes a query log backend offers the writer; each is one transaction.

    Every method raises :class:`StorageUnavailableError` when the database cannot take the
    write now, :class:`RowRefusedError` when it never will.
    """

    async def log_query(self, entry: QueryLog) -> int:
        """Record one question with its hits; returns its id."""
        ...

    async def log_queries(self, entries: Sequence[QueryLog]) -> list[int]:
        """Record questions that carry their ids, with their hits; returns the ids."""
        ...

    async def replay_queries(self, entries: Sequence[QueryLog]) -> list[int]:
        """Record the questions whose ids the log does not hold yet (the others landed
        before a crash); returns the ids written."""
        ...

    async def delete_user(self, user_id: int) -> RowCounts: ...

    async def delete_user_in_guild(self, user_id: int, guild_id: int) -> RowCounts: ...

    async def purge_older_than(self, days: int, now: datetime | None = None) -> RowCounts: ...
