from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from discord_emulator import Emulator
from pg_server import PgCluster, PgUnavailable, check_installed, throwaway_cluster


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """A started Discord emulator (one guild with #general, real 3 s ack deadline)."""
    async with Emulator() as emu:
        yield emu


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A throwaway PostgreSQL cluster for the session (see tests/pg_server.py), removed after.

    Started only when a test asks for it; skipped only when the server is not installed.
    """
    try:
        check_installed()
    except PgUnavailable as missing:
        pytest.skip(str(missing))
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def pg_url(pg_cluster: PgCluster) -> str:
    """The URL of an empty database ``docqa_test`` in :func:`pg_cluster`, over a Unix socket."""
    return pg_cluster.create_database("docqa_test")
