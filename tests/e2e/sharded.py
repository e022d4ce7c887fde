"""Sharded bots over the emulator, shared by the sharding tests: eight servers over four
shards (guild n on shard n % 4), bots in-process for some of the shards, questions spread
over every server. Import as ``from e2e.sharded import ...``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from discord_emulator import (
    Emulator,
    GuildSpec,
    InteractionHandle,
    running_client,
    spread_guild_ids,
)
from e2e.harness import TOKEN, bot_settings, dev_questions

from bot.app import DocqaBot, make_bot
from bot.storage.database import open_database
from retrieval import SearchEngine

__all__ = ["HALVES", "SHARDS", "ask_everywhere", "eight_servers", "sharded_bot"]

SHARDS = 4
HALVES = ((0, 1), (2, 3))


@contextlib.asynccontextmanager
async def eight_servers() -> AsyncIterator[Emulator]:
    """An emulator with eight servers spread over :data:`SHARDS` shards."""
    specs = [GuildSpec(f"Server {n}", id=gid) for n, gid in enumerate(spread_guild_ids(8, SHARDS))]
    async with Emulator(specs, token=TOKEN) as emulator:
        yield emulator


async def no_pause(shard_id: int | None, *, initial: bool = False) -> None:
    """Instead of discord.py's 5 s between IDENTIFYs: the emulator has no identify limit."""


@contextlib.asynccontextmanager
async def sharded_bot(
    emu: Emulator, folder: Path, shard_ids: tuple[int, ...], engine: SearchEngine, **more: Any
) -> AsyncIterator[DocqaBot]:
    """A bot for ``shard_ids`` of :data:`SHARDS` with its data folder ``folder`` and its
    database as the settings ``more`` say (SQLite in the folder unless a database URL)."""
    folder.mkdir()
    settings = bot_settings(
        folder / "docqa.db", emu, shard_count=SHARDS, shard_ids=shard_ids, **more
    )
    async with await open_database(settings) as storage:
        bot = make_bot(settings, storage, engine=engine, guild_ready_timeout=0.05)
        bot.before_identify_hook = no_pause  # type: ignore[method-assign]
        async with running_client(emu, bot, token=TOKEN):
            yield bot


async def ask_everywhere(emu: Emulator, count: int) -> list[InteractionHandle]:
    """``count`` slash questions round-robin over the servers, from six members, 5 ms apart."""
    askers = [emu.make_user(f"asker-{n}") for n in range(6)]
    texts, guilds = dev_questions(), emu.guilds
    handles = []
    for n in range(count):
        guild = guilds[n % len(guilds)]
        question = {"question": texts[n % len(texts)]}
        handles.append(await emu.send_slash("ask", question, user=askers[n % 6], guild_id=guild.id))
        await asyncio.sleep(0.005)
    return handles
