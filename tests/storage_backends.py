"""The storage suite's two backends: SQLite in a temporary file, PostgreSQL in a fresh
database of the session's throwaway cluster. Import as ``from storage_backends import ...``.

``open_storage`` (parametrized: ``sqlite``, ``postgresql``) opens the test's one database,
as often as a test likes (a restart is a second open); ``storage`` is it opened once.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.storage.database import Database
from bot.storage.postgres import PgStorage
from bot.storage.sqlite import Storage

__all__ = [
    "BACKENDS", "StorageOpener", "fresh_pg_url", "open_storage", "read_rows", "storage",
]  # fmt: skip

BACKENDS = ("sqlite", "postgresql")
StorageOpener = Callable[[], Awaitable[Database]]

_databases = itertools.count(1)


def fresh_pg_url(request: pytest.FixtureRequest) -> str:
    """The URL of a new, empty database ``t_<n>`` on the session's cluster."""
    cluster = request.getfixturevalue("pg_cluster")
    return str(cluster.create_database(f"t_{next(_databases)}"))


@pytest.fixture(params=BACKENDS)
def open_storage(request: pytest.FixtureRequest, tmp_path: Path) -> StorageOpener:
    """Opens the test's database (SQLite file or PostgreSQL database) and migrates it."""
    if request.param == "sqlite":
        return lambda: Storage.open(tmp_path / "docqa.db")
    url = fresh_pg_url(request)
    return lambda: PgStorage.open(url, tmp_path / "docqa-postgres.pending")


@pytest.fixture
async def storage(open_storage: StorageOpener) -> AsyncIterator[Database]:
    async with await open_storage() as opened:
        yield opened


async def read_rows(storage: Database, sql: str) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` (no parameters; the same text on both backends), read beside the
    code under test: with the standard library's sqlite3, or straight from the pool."""
    if isinstance(storage, Storage):
        with sqlite3.connect(storage.path) as db:
            return list(db.execute(sql))
    return [tuple(row) for row in await storage._pool.fetch(sql)]
