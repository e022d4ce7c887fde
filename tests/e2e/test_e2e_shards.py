"""Two sharded bots side by side: shards 0 and 1 of 4 in one, 2 and 3 in the other.

Eight servers, guild n on shard n % 4 (and n % 2 of 2 shards), so each bot holds four. Here
each bot has its own SQLite query log (one shared PostgreSQL log: test_e2e_shared_log.py).
Every ``/ask`` must be answered exactly once (a second response is an emulator violation)
and logged exactly once, in the log of the bot holding the server's shard; a server setting
changed through that bot applies to it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from discord_emulator import (
    Emulator,
    InteractionHandle,
    shard_of,
)
from e2e.harness import MODERATOR, QUESTION, TIMEOUT, TOKEN
from e2e.process import bot_process
from e2e.sharded import HALVES, SHARDS, ask_everywhere, eight_servers, sharded_bot

from bot.storage.sqlite import Storage
from retrieval import SearchEngine

ASKS = 48  # six per server


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """Eight servers spread over four shards (overrides the two-server emulator)."""
    async with eight_servers() as emulator:
        yield emulator


async def configure(emu: Emulator, guild_id: int, default_k: int) -> None:
    handle = await emu.send_slash(
        "docqa config set", {"default_k": default_k}, guild_id=guild_id, permissions=MODERATOR
    )
    await handle.wait_response()


async def logged_ids(db_path: Path, handles: list[InteractionHandle]) -> dict[int, int]:
    """Question id -> k, for the handles' questions this log holds."""
    async with await Storage.open(db_path) as storage:
        rows = [await storage.get_query(handle.id) for handle in handles]
    return {row.id: row.k for row in rows if row is not None}


async def test_two_sharded_bots_answer_each_server_once(
    emu: Emulator, tmp_path: Path, seed_engine: SearchEngine
) -> None:
    low_guild, high_guild = emu.guilds[1], emu.guilds[2]  # shards 1 and 2
    async with asyncio.timeout(3 * TIMEOUT):
        async with (
            sharded_bot(emu, tmp_path / "low", HALVES[0], seed_engine) as low,
            sharded_bot(emu, tmp_path / "high", HALVES[1], seed_engine) as high,
        ):
            held = ({g.id for g in low.guilds}, {g.id for g in high.guilds})
            await configure(emu, low_guild.id, 2)
            await configure(emu, high_guild.id, 3)
            handles = await ask_everywhere(emu, ASKS)
            answers = await asyncio.gather(*(h.wait_response(TIMEOUT) for h in handles))
        logs = [await logged_ids(tmp_path / half / "docqa.db", handles) for half in ("low", "high")]
    shard_holder = {g.id: 0 if shard_of(g.id, SHARDS) in HALVES[0] else 1 for g in emu.guilds}
    assert held == tuple({g for g, half in shard_holder.items() if half == h} for h in (0, 1))
    assert all(len(answer["embeds"]) == 1 for answer in answers)  # answers, not error lines
    for handle in handles:
        assert handle.guild_id is not None
        holder = shard_holder[handle.guild_id]
        assert handle.id in logs[holder], f"question in {handle.guild_id} not logged by its bot"
        assert handle.id not in logs[1 - holder], f"question in {handle.guild_id} logged twice"
    ks = {h.guild_id: logs[shard_holder[h.guild_id]][h.id] for h in handles if h.guild_id}
    assert ks[low_guild.id] == 2
    assert ks[high_guild.id] == 3
    assert {ks[g.id] for g in emu.guilds if g not in (low_guild, high_guild)} == {5}
    emu.assert_clean()  # every interaction acknowledged in time and answered exactly once


@pytest.mark.slow  # two bot processes start side by side
async def test_two_bot_processes_split_the_servers_by_shard(
    emu: Emulator, tmp_path: Path, seed_cache: Path
) -> None:
    """``python -m bot`` twice, configured only by DOCQA_SHARD_COUNT=2 and DOCQA_SHARD_IDS."""
    folders = [tmp_path / "shard-0", tmp_path / "shard-1"]
    for folder in folders:
        folder.mkdir()
        (folder / "docqa-index").symlink_to(seed_cache, target_is_directory=True)
    async with asyncio.timeout(4 * TIMEOUT):
        async with (
            bot_process(emu, folders[0], TOKEN, DOCQA_SHARD_COUNT="2", DOCQA_SHARD_IDS="0") as zero,
            bot_process(emu, folders[1], TOKEN, DOCQA_SHARD_COUNT="2", DOCQA_SHARD_IDS="1") as one,
        ):
            await emu.wait_for_shards_ready([0, 1], 2, 2 * TIMEOUT)
            handles = [
                await emu.send_slash("ask", {"question": QUESTION}, guild_id=guild.id)
                for guild in emu.guilds
            ]
            for handle in handles:
                await handle.wait_response(TIMEOUT)
            statuses = [await zero.terminate(), await one.terminate()]
        logs = [await logged_ids(folder / "docqa.db", handles) for folder in folders]
    assert statuses == [0, 0], zero.stderr + one.stderr
    for handle in handles:
        assert handle.guild_id is not None
        shard = shard_of(handle.guild_id, 2)
        assert (handle.id in logs[shard], handle.id in logs[1 - shard]) == (True, False)
    assert sorted(emu.shard_sessions()) == [[0, 2], [1, 2]]
    emu.assert_clean()
