"""The throwaway PostgreSQL cluster (tests/pg_server.py) and its session fixture ``pg_url``."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import pg_server
import pytest
from pg_server import PgUnavailable, check_installed, find_bin_dir, throwaway_cluster


async def test_pg_url_serves_an_empty_database(pg_url: str) -> None:
    conn = await asyncpg.connect(pg_url)
    try:
        tables = await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        await conn.execute("CREATE TABLE probe (id bigint PRIMARY KEY, note text)")
        async with conn.transaction():
            await conn.execute("INSERT INTO probe VALUES ($1, $2)", 1, "ünïcode ✓")
        rows = [tuple(row) for row in await conn.fetch("SELECT id, note FROM probe")]
        database = await conn.fetchval("SELECT current_database()")
        await conn.execute("DROP TABLE probe")
    finally:
        await conn.close()
    assert tables == 0
    assert rows == [(1, "ünïcode ✓")]
    assert database == "docqa_test"


def test_the_server_listens_on_a_socket_in_a_temporary_folder(pg_url: str) -> None:
    parts = urlsplit(pg_url)
    [host] = parse_qs(parts.query)["host"]
    [port] = parse_qs(parts.query)["port"]
    assert parts.scheme == "postgresql"
    assert Path(host).parent == Path(tempfile.gettempdir())
    assert (Path(host) / f".s.PGSQL.{port}").is_socket()


async def test_the_cluster_is_stopped_and_removed_even_when_the_body_fails() -> None:
    try:
        check_installed()
    except PgUnavailable as missing:
        pytest.skip(str(missing))
    seen: list[tuple[Path, int]] = []
    with pytest.raises(RuntimeError, match="the test failed"):
        await fail_inside_a_cluster(seen)
    [(root, pid)] = seen
    assert not root.exists()
    assert await stopped(pid)


async def fail_inside_a_cluster(seen: list[tuple[Path, int]]) -> None:
    """Start a cluster, note its folder and server process, connect, then fail."""
    with throwaway_cluster() as cluster:
        pid = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
        seen.append((cluster.root, pid))
        await (await asyncpg.connect(cluster.url("postgres"))).close()
        raise RuntimeError("the test failed")


async def stopped(pid: int, patience: float = 10.0) -> bool:
    """Whether process ``pid`` exits (or is a zombie) within ``patience`` seconds.

    pg_ctl returns once the server removed its pid file, a moment before the process ends.
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(patience):
            while not exited(pid):
                await asyncio.sleep(0.05)
    return exited(pid)


def exited(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_a_missing_server_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pg_server, "INSTALL_ROOT", tmp_path)
    with pytest.raises(PgUnavailable, match="install Debian's postgresql package"):
        find_bin_dir()


def test_the_newest_installed_version_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for version in ("9.6", "15", "13"):
        (tmp_path / version / "bin").mkdir(parents=True)
        (tmp_path / version / "bin" / "initdb").touch()
    monkeypatch.setattr(pg_server, "INSTALL_ROOT", tmp_path)
    assert find_bin_dir() == tmp_path / "15" / "bin"
