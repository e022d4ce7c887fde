"""The emulator's sharded gateway, driven by bare discord.py ``AutoShardedClient``s in-process.

Eight guilds spread over four shards (guild n on shard n % 4); one client holds shards 0 and 1,
another 2 and 3. Each guild's events must reach exactly the client holding its shard.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import discord  # noqa: TID251 (tests drive a real discord.py client)
import pytest
from discord_emulator import (
    EmuGuild,
    Emulator,
    GuildSpec,
    running_client,
    shard_of,
    spread_guild_ids,
)

TIMEOUT = 10.0
SHARDS = 4


class ShardedClient(discord.AutoShardedClient):
    """Records what reaches it and answers every interaction, so none misses its deadline."""

    def __init__(self, **options: Any) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05, **options)
        self.messages: list[tuple[int | None, int | None]] = []  # (guild id, shard id)
        self.interactions: list[tuple[int | None, int | None]] = []

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5 s pause between shards' IDENTIFYs: the emulator has no identify rate limit."""

    async def on_message(self, message: discord.Message) -> None:
        if message.author == self.user:  # its own answers to the interactions
            return
        shard = message.guild.shard_id if message.guild else None
        self.messages.append((message.guild and message.guild.id, shard))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        shard = interaction.guild.shard_id if interaction.guild else None
        self.interactions.append((interaction.guild_id, shard))
        await interaction.response.send_message("seen")


def eight_guilds() -> list[GuildSpec]:
    return [
        GuildSpec(f"Guild {n}", id=guild_id)
        for n, guild_id in enumerate(spread_guild_ids(8, SHARDS))
    ]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(eight_guilds(), ack_deadline=5.0) as emulator:
        yield emulator


@contextlib.asynccontextmanager
async def two_processes(emu: Emulator) -> AsyncIterator[tuple[ShardedClient, ShardedClient]]:
    low = ShardedClient(shard_count=SHARDS, shard_ids=[0, 1])
    high = ShardedClient(shard_count=SHARDS, shard_ids=[2, 3])
    async with running_client(emu, low), running_client(emu, high):
        yield low, high


def held_by(guilds: list[EmuGuild], shards: set[int]) -> set[int]:
    return {g.id for g in guilds if shard_of(g.id, SHARDS) in shards}


async def test_each_client_gets_only_its_shards_guilds(emu: Emulator) -> None:
    async with asyncio.timeout(TIMEOUT), two_processes(emu) as (low, high):
        sessions = emu.shard_sessions()
        low_guilds = {g.id: g.shard_id for g in low.guilds}
        high_guilds = {g.id: g.shard_id for g in high.guilds}
    assert sorted(sessions) == [[0, 4], [1, 4], [2, 4], [3, 4]]
    assert set(low_guilds) == held_by(emu.guilds, {0, 1})
    assert set(high_guilds) == held_by(emu.guilds, {2, 3})
    assert len(low_guilds) == len(high_guilds) == 4
    assert all(shard == shard_of(gid, SHARDS) for gid, shard in (low_guilds | high_guilds).items())
    readies = [e.detail["shard"] for e in emu.gateway_events if e.kind == "READY"]
    assert sorted(readies) == [[0, 4], [1, 4], [2, 4], [3, 4]]


async def test_messages_and_interactions_go_to_the_guilds_shard(emu: Emulator) -> None:
    async with asyncio.timeout(TIMEOUT), two_processes(emu) as (low, high):
        handles = []
        for guild in emu.guilds:
            await emu.send_message("hello", channel_id=guild.text_channel.id)
            handles.append(await emu.send_slash("ping", {}, guild_id=guild.id))
        for handle in handles:
            await handle.wait_response()
        await emu.send_message("a direct message", dm=True)
        while len(low.messages) + len(high.messages) < 9:
            await asyncio.sleep(0.01)
    expected_low = sorted((gid, shard_of(gid, SHARDS)) for gid in held_by(emu.guilds, {0, 1}))
    expected_high = sorted((gid, shard_of(gid, SHARDS)) for gid in held_by(emu.guilds, {2, 3}))
    assert sorted(low.interactions) == expected_low
    assert sorted(high.interactions) == expected_high
    assert sorted(m for m in low.messages if m[0] is not None) == expected_low
    assert sorted(high.messages) == expected_high  # the DM went to shard 0's client only
    assert (None, None) in low.messages
    emu.assert_clean()


async def test_unsharded_client_still_gets_every_guild(emu: Emulator) -> None:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    async with asyncio.timeout(TIMEOUT), running_client(emu, client):
        guild_ids = {g.id for g in client.guilds}
        identify = emu.identify_payload
    assert guild_ids == {g.id for g in emu.guilds}
    assert identify is not None
    assert "shard" not in identify or identify["shard"] == [0, 1]
    assert emu.shard_sessions() == [[0, 1]]


async def test_automatic_shard_count_comes_from_gateway_bot() -> None:
    async with (
        Emulator(eight_guilds(), recommended_shards=2) as emu,
        asyncio.timeout(TIMEOUT),
    ):
        client = ShardedClient()
        async with running_client(emu, client):
            count, guilds = client.shard_count, len(client.guilds)
            sessions = emu.shard_sessions()
    assert count == 2
    assert guilds == 8
    assert sessions == [[0, 2], [1, 2]]


async def test_a_shard_outside_its_count_is_refused(emu: Emulator) -> None:
    client = ShardedClient(shard_count=2, shard_ids=[2])
    with pytest.raises(discord.ConnectionClosed) as closed:
        async with asyncio.timeout(TIMEOUT), running_client(emu, client):
            pass
    assert closed.value.code == 4010
    assert emu.shard_sessions() == []
