"""The query log on both backends (a real SQLite file, a real PostgreSQL database): schema,
round trips, votes, purges, deletions. The same assertions run on each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import asyncpg
import pytest
from storage_backends import StorageOpener, fresh_pg_url, open_storage, storage

from bot.storage.database import Database
from bot.storage.logstore import (  # fmt: skip
    RowRefusedError,
    StorageError,
    StorageUnavailableError,
    UnknownQueryError,
)
from bot.storage.postgres import PG_MIGRATIONS, PgStorage
from bot.storage.records import HitRow, QueryLog, RowCounts, VoteChange
from bot.storage.sqlite import Storage
from bot.storage.sqlite_driver import MIGRATIONS

__all__ = ["open_storage", "storage"]  # the fixtures: every test here runs on both backends

NOON = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def entry(user_id: int = 5, *, query_id: int | None = None, when: datetime = NOON) -> QueryLog:
    hits = (
        HitRow(1, "a.txt", 0, 100, 10, 60, 7.5),
        HitRow(2, "b.txt", 50, 150, 60, 140, 3.25),
    )
    return QueryLog(
        created_at=when, user_id=user_id, source="slash", question="What is BM25?", k=5,
        answered=True, latency_ms=12.5, hits=hits, guild_id=9, channel_id=10, query_id=query_id,
    )  # fmt: skip


async def test_log_query_round_trip(storage: Database) -> None:
    query_id = await storage.log_query(entry(query_id=1_234_567_890_123_456_789))
    assert query_id == 1_234_567_890_123_456_789
    row = await storage.get_query(query_id)
    assert row is not None
    assert (row.user_id, row.source, row.question, row.k) == (5, "slash", "What is BM25?", 5)
    assert (row.guild_id, row.channel_id, row.answered, row.hit_count) == (9, 10, True, 2)
    assert row.top_score == 7.5
    assert row.latency_ms == 12.5
    assert row.created_at == NOON
    assert await storage.get_hits(query_id) == entry().hits


async def test_database_chooses_ids_for_console_questions(storage: Database) -> None:
    first = await storage.log_query(entry(user_id=0))
    second = await storage.log_query(entry(user_id=0))
    assert second == first + 1
    assert await storage.get_query(999) is None
    assert await storage.get_hits(999) == ()


async def _sqlite_schema(storage: Storage) -> tuple[dict[str, list[str]], set[str]]:
    async with aiosqlite.connect(storage.path) as db:
        columns = {
            table: [row[1] for row in await db.execute_fetchall(f"PRAGMA table_info({table})")]
            for table in ("queries", "hits", "feedback")
        }
        (mode,) = next(iter(await db.execute_fetchall("PRAGMA journal_mode")))
        indexes = {row[1] for row in await db.execute_fetchall("PRAGMA index_list(queries)")}
    assert mode == "wal"
    return columns, indexes


async def _pg_schema(storage: PgStorage) -> tuple[dict[str, list[str]], set[str]]:
    columns: dict[str, list[str]] = {}
    for table in ("queries", "hits", "feedback"):
        rows = await storage._fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $1"
            " ORDER BY ordinal_position", (table,),
        )  # fmt: skip
        columns[table] = [row[0] for row in rows]
    rows = await storage._fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'queries'")
    return columns, {row[0] for row in rows}


async def test_schema_names_and_indexes(storage: Database) -> None:
    if isinstance(storage, Storage):
        columns, indexes = await _sqlite_schema(storage)
    else:
        columns, indexes = await _pg_schema(storage)
    assert columns["queries"][:12] == [
        "id", "created_at", "guild_id", "channel_id", "user_id", "source", "question", "k",
        "answered", "latency_ms", "hit_count", "top_score",
    ]  # fmt: skip
    assert columns["hits"][:8] == [
        "query_id", "rank", "doc", "chunk_start", "chunk_end", "excerpt_start", "excerpt_end",
        "score",
    ]  # fmt: skip
    assert columns["feedback"][:4] == ["query_id", "user_id", "vote", "created_at"]
    assert {"queries_created_at", "queries_guild_created_at", "queries_user_id"} <= indexes


async def test_migrations_are_idempotent(open_storage: StorageOpener) -> None:
    for _ in range(2):
        async with await open_storage() as storage:
            latest = len(MIGRATIONS if isinstance(storage, Storage) else PG_MIGRATIONS)
            assert await storage.schema_version() == latest
            assert await storage.migrate() == latest
            await storage.log_query(entry())


async def test_source_is_checked(storage: Database) -> None:
    bad = QueryLog(NOON, 1, "carrier-pigeon", "q", 1, False, 1.0)  # type: ignore[arg-type]
    with pytest.raises(RowRefusedError):
        await storage.log_query(bad)
    assert await storage.log_query(entry()) == 1  # the failed write left nothing behind


async def test_one_vote_per_user_per_query_changeable(storage: Database) -> None:
    query_id = await storage.log_query(entry())
    assert await storage.record_vote(query_id, 77, 1) == VoteChange(None, 1)
    assert await storage.record_vote(query_id, 77, 1) == VoteChange(1, 1)
    assert await storage.record_vote(query_id, 77, -1) == VoteChange(1, -1)
    assert await storage.record_vote(query_id, 78, 1) == VoteChange(None, 1)
    with pytest.raises(UnknownQueryError):
        await storage.record_vote(query_id + 1, 77, 1)
    with pytest.raises(ValueError, match="vote"):
        await storage.record_vote(query_id, 77, 0)


async def test_purge_older_than_counts_cascades(storage: Database) -> None:
    old = await storage.log_query(entry(when=NOON - timedelta(days=40)))
    new = await storage.log_query(entry(when=NOON - timedelta(days=2)))
    await storage.record_vote(old, 1, 1)
    await storage.record_vote(new, 1, -1)
    assert await storage.purge_older_than(30, now=NOON) == RowCounts(1, 2, 1)
    assert await storage.get_query(old) is None
    assert await storage.get_hits(old) == ()
    assert await storage.get_query(new) is not None
    assert await storage.purge_older_than(30, now=NOON) == RowCounts(0, 0, 0)


async def test_delete_user_removes_questions_hits_and_votes(storage: Database) -> None:
    theirs = await storage.log_query(entry(user_id=5))
    others = await storage.log_query(entry(user_id=6))
    await storage.record_vote(theirs, 6, 1)  # someone else's vote on their question
    await storage.record_vote(others, 5, -1)  # their vote on someone else's question
    await storage.record_vote(others, 6, 1)
    assert await storage.delete_user(5) == RowCounts(queries=1, hits=2, feedback=2)
    assert await storage.get_query(theirs) is None
    assert await storage.get_query(others) is not None
    assert await storage.record_vote(others, 6, 1) == VoteChange(1, 1)  # kept


async def test_unusable_path_is_one_storage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StorageError, match="cannot open the database"):
        await Storage.open(tmp_path / "file" / "docqa.db")


async def test_unreachable_server_is_one_storage_error(tmp_path: Path) -> None:
    url = f"postgresql://docqa@/none?host={tmp_path}&port=5432"  # no server on this socket
    with pytest.raises(StorageError, match="cannot connect to PostgreSQL"):
        await PgStorage.open(url, tmp_path / "j.pending")


async def test_text_the_database_cannot_hold_is_replaced(storage: Database) -> None:
    odd = QueryLog(NOON, 1, "slash", "nul\0 and \ud83d", 1, False, 1.0, query_id=7)
    await storage.log_queries([odd])
    row = await storage.get_query(7)
    assert row is not None
    nul = "\ufffd" if isinstance(storage, PgStorage) else "\0"  # PostgreSQL's text has no NUL
    assert row.question == f"nul{nul} and \ufffd"


async def test_library_versions_count_changes_in_postgresql_only(storage: Database) -> None:
    counted = [await storage.bump_library(9), await storage.bump_library(9)]
    await storage.bump_library(10)
    if isinstance(storage, PgStorage):  # shared by processes: they follow each other's uploads
        assert (counted, await storage.library_versions()) == ([1, 2], {9: 2, 10: 1})
    else:  # one process per file: nobody to tell
        assert (counted, await storage.library_versions()) == ([0, 0], {})


async def test_postgresql_refusing_connections_is_storage_unavailable(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The server ends every session and takes no new ones (a restart, an administrator):
    writes fail as "try again" (the writer journals them), and succeed once it is back."""
    url = fresh_pg_url(request)
    name = url.split("?")[0].rsplit("/", 1)[1]
    admin = await asyncpg.connect(request.getfixturevalue("pg_cluster").url("postgres"))
    try:
        async with await PgStorage.open(url, tmp_path / "j.pending") as storage:
            await storage.log_queries([entry(query_id=1)])
            await admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
            with pytest.raises(StorageUnavailableError):
                await storage.log_queries([entry(query_id=2)])
            with pytest.raises(StorageUnavailableError, match="cannot connect to PostgreSQL"):
                await storage.get_query(1)  # the pool cannot replace its connection
            await admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
            await storage.log_queries([entry(query_id=3)])
            present = [await storage.get_query(n) is not None for n in (1, 2, 3)]
    finally:
        await admin.close()
    assert present == [True, False, True]
