"""Two sharded bots sharing one PostgreSQL query log (``DOCQA_DATABASE_URL``).

Shards 0 and 1 of 4 in one bot, 2 and 3 in the other, eight servers (guild n on shard n % 4),
each bot with its own connection pool and its own journal. Every ``/ask`` must be answered
exactly once (a second response is an emulator violation) and logged exactly once in the one
database; ``/docqa stats`` in each server counts that server's questions, and either bot's
connection reads the same counts. A document uploaded through one bot, into the uploads
folder both share, is searchable through the other once it has seen the server's version
move. A bot process killed (SIGKILL) while PostgreSQL is locked loses no answered question:
they wait in its journal and land when it restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from discord_emulator import (
    Emulator,
)
from e2e.harness import (
    FIELD_NOTES,
    MODERATOR,
    QUESTION,
    START,
    TIMEOUT,
    TOKEN,
    ZORBLAX,
    add_document,
)  # fmt: skip
from e2e.process import bot_process
from e2e.sharded import HALVES, SHARDS, ask_everywhere, eight_servers, sharded_bot
from storage_backends import fresh_pg_url, read_rows

from bot.storage.journal import Journal
from bot.storage.records import utc_now
from retrieval import SearchEngine

ASKS = 400  # fifty per server
DURING = 20  # questions answered while PostgreSQL is locked
LANDS_WITHIN = 15.0  # seconds for a restarted bot to replay its journal
STATS_LINE = re.compile(r"\*\*(\d+) questions?\*\* from")


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """Eight servers spread over four shards (overrides the two-server emulator)."""
    async with eight_servers() as emulator:
        yield emulator


async def stats_count(emu: Emulator, guild_id: int) -> int:
    handle = await emu.send_slash("docqa stats", {}, guild_id=guild_id, permissions=MODERATOR)
    reply = await handle.wait_response(TIMEOUT)
    found = STATS_LINE.search(reply["embeds"][0]["description"])
    assert found is not None, reply["embeds"][0]["description"]
    return int(found[1])


async def test_two_sharded_bots_log_every_question_once_in_one_database(
    emu: Emulator, tmp_path: Path, seed_engine: SearchEngine, request: pytest.FixtureRequest
) -> None:
    url = fresh_pg_url(request)
    async with asyncio.timeout(6 * TIMEOUT):
        async with (
            sharded_bot(emu, tmp_path / "low", HALVES[0], seed_engine, database_url=url) as low,
            sharded_bot(emu, tmp_path / "high", HALVES[1], seed_engine, database_url=url) as high,
        ):
            handles = await ask_everywhere(emu, ASKS)
            answers = await asyncio.gather(*(h.wait_response(3 * TIMEOUT) for h in handles))
            await asyncio.gather(low.service.drain(), high.service.drain())
            stats = {g.id: await stats_count(emu, g.id) for g in emu.guilds}
            since = utc_now().replace(year=2000)
            seen = [
                {g.id: (await bot.storage.stats_totals(g.id, since)).questions for g in emu.guilds}
                for bot in (low, high)
            ]
            rows = await read_rows(low.storage, "SELECT id, guild_id FROM queries")
    asked = Counter(handle.guild_id for handle in handles)
    assert all(len(answer["embeds"]) == 1 for answer in answers)  # answers, not error lines
    assert sorted(row[0] for row in rows) == sorted(handle.id for handle in handles)
    assert Counter(row[1] for row in rows) == asked
    assert stats == seen[0] == seen[1] == dict(asked)
    assert not (tmp_path / "low" / "docqa.db").exists()  # nothing went to SQLite
    emu.assert_clean()  # every interaction acknowledged in time and answered exactly once


@contextlib.asynccontextmanager
async def queries_locked(url: str) -> AsyncIterator[asyncpg.Connection]:
    """Another session holds an exclusive lock on ``queries`` (every write waits, then times
    out) until the block ends; yields that session, which alone can still read the table."""
    holder = await asyncpg.connect(url)
    try:
        async with holder.transaction():
            await holder.execute("LOCK TABLE queries IN ACCESS EXCLUSIVE MODE")
            yield holder
    finally:
        await holder.close()


async def until_logged(url: str, ids: set[int]) -> None:
    connection = await asyncpg.connect(url)
    try:
        async with asyncio.timeout(LANDS_WITHIN):
            while {row[0] for row in await connection.fetch("SELECT id FROM queries")} != ids:
                await asyncio.sleep(0.05)
    finally:
        await connection.close()


@pytest.mark.slow  # a bot process twice, and a write waits out its 5 s timeout
async def test_sigkill_with_postgresql_locked_loses_no_answered_question(
    emu: Emulator, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = fresh_pg_url(request)
    env = {"DOCQA_DATABASE_URL": url, "DOCQA_ASK_COOLDOWN": "0"}
    journal = tmp_path / "docqa-postgres.pending"  # beside the data folder's database name
    async with bot_process(emu, tmp_path, TOKEN, name="killed", **env) as bot:
        async with asyncio.timeout(START + 2 * TIMEOUT):
            await emu.wait_for_bot_ready(START)
            async with queries_locked(url) as holder:
                handles = [
                    await emu.send_slash("ask", {"question": f"{QUESTION} ({n})"})
                    for n in range(DURING)
                ]
                answers = [await handle.wait_response(TIMEOUT) for handle in handles]
                bot.process.send_signal(signal.SIGKILL)
                assert await bot.wait() == -signal.SIGKILL
                assert await holder.fetch("SELECT id FROM queries") == []  # none committed
                pending = {entry.query_id for entry in Journal(journal).entries()}
    answered = {handle.id for handle, answer in zip(handles, answers, strict=True)}
    assert all(answer["embeds"] for answer in answers), "every question was answered"
    assert pending == answered
    async with bot_process(emu, tmp_path, TOKEN, name="again", **env) as restarted:
        async with asyncio.timeout(START + LANDS_WITHIN):
            await emu.wait_for_bot_ready(START, start=len(emu.gateway_events))
            await until_logged(url, answered)  # replayed at start-up: nothing asked
            assert await restarted.terminate() == 0, restarted.stderr
    assert not journal.exists()


async def test_an_upload_through_one_bot_is_searchable_through_the_other(
    emu: Emulator, tmp_path: Path, seed_engine: SearchEngine, request: pytest.FixtureRequest
) -> None:
    shared = {"database_url": fresh_pg_url(request), "uploads_dir": tmp_path / "uploads"}
    guild = emu.guilds[0]  # shard 0: the first bot's
    async with asyncio.timeout(3 * TIMEOUT):
        async with (
            sharded_bot(emu, tmp_path / "low", HALVES[0], seed_engine, **shared) as low,
            sharded_bot(emu, tmp_path / "high", HALVES[1], seed_engine, **shared) as high,
        ):
            before = high.engines.for_guild(guild.id).search(ZORBLAX, 5)
            report = await add_document(emu, FIELD_NOTES, guild.id)
            while guild.id not in high.engines.current.guilds:  # its watch: every 2 s
                await asyncio.sleep(0.05)
            after = high.engines.for_guild(guild.id).search(ZORBLAX, 5)
            assert guild.id in low.engines.current.guilds
    assert report.startswith("Added ")
    assert "field-notes.md" not in {hit.chunk.doc_id for hit in before.hits}
    assert after.hits[0].chunk.doc_id == "field-notes.md"
    assert not (tmp_path / "low" / "docqa-uploads").exists()  # in the shared folder instead
    emu.assert_clean()


@pytest.mark.slow  # two bot processes; each waits 5 s between its two shards' IDENTIFYs
async def test_two_bot_processes_log_every_question_once_in_one_database(
    emu: Emulator, tmp_path: Path, seed_cache: Path, request: pytest.FixtureRequest
) -> None:
    """``python -m bot`` twice, shards 0,1 and 2,3 of 4, both given one DOCQA_DATABASE_URL."""
    url = fresh_pg_url(request)
    folders = [tmp_path / "low", tmp_path / "high"]
    for folder in folders:
        folder.mkdir()
        (folder / "docqa-index").symlink_to(seed_cache, target_is_directory=True)
    env = {"DOCQA_DATABASE_URL": url, "DOCQA_SHARD_COUNT": str(SHARDS), "DOCQA_ASK_COOLDOWN": "0"}
    async with asyncio.timeout(8 * TIMEOUT):
        async with (
            bot_process(emu, folders[0], TOKEN, DOCQA_SHARD_IDS="0,1", **env) as low,
            bot_process(emu, folders[1], TOKEN, DOCQA_SHARD_IDS="2,3", **env) as high,
        ):
            await emu.wait_for_shards_ready(range(SHARDS), SHARDS, 3 * TIMEOUT)
            handles = await ask_everywhere(emu, ASKS)
            answers = await asyncio.gather(*(h.wait_response(3 * TIMEOUT) for h in handles))
            stats = {g.id: await stats_count(emu, g.id) for g in emu.guilds}
            statuses = [await low.terminate(), await high.terminate()]
        connection = await asyncpg.connect(url)
        try:
            rows = await connection.fetch("SELECT id, guild_id FROM queries")
        finally:
            await connection.close()
    assert statuses == [0, 0], low.stderr + high.stderr
    assert all(len(answer["embeds"]) == 1 for answer in answers)
    assert sorted(row[0] for row in rows) == sorted(handle.id for handle in handles)
    assert stats == dict(Counter(handle.guild_id for handle in handles))
    assert sorted(emu.shard_sessions()) == [[n, SHARDS] for n in range(SHARDS)]
    emu.assert_clean()
