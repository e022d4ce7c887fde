"""The real docqa bot against the Discord emulator, in-process: settings, start-up, readers.

Shared by the end-to-end tests (tests/e2e) and the hardening tests; import it as
``from e2e.harness import ...`` (pytest puts tests/ on the path). The bot runs as a
subprocess with :mod:`e2e.process` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from discord_emulator import (
    DEFAULT_MEMBER_PERMISSIONS,
    MANAGE_GUILD,
    EmuFile,
    Emulator,
    GuildSpec,
    running_client,
)

from bot.app import DocqaBot
from bot.settings import Settings
from bot.storage.records import QueryRow
from bot.storage.sqlite import Storage
from retrieval import SearchEngine

__all__ = [
    "ANSWERS",
    "FIELD_NOTES",
    "MEMBER",
    "MODERATOR",
    "NOBODY",
    "NOBODY_IN_REPLY",
    "QUESTION",
    "TIMEOUT",
    "TOKEN",
    "ZORBLAX",
    "add_document",
    "bot_settings",
    "dev_questions",
    "embed_of",
    "field_names",
    "live_bot",
    "logged",
    "two_guilds",
]

log = logging.getLogger(__name__)

TOKEN = "emulator-token"
TIMEOUT = 10.0  # per test: every wait inside is shorter
# A bot process's start: loading the sentence-embedding model and a first index build (seconds
# on a quiet machine, several times that on a busy one).
START = 30.0
QUESTION = "How many North Koreans have mobile phones?"
NOBODY = {"parse": []}  # allowed_mentions that ping no one
NOBODY_IN_REPLY = {"parse": [], "replied_user": False}
ANSWERS = "answers"  # the second channel of the first guild
MEMBER = DEFAULT_MEMBER_PERMISSIONS  # a member's permissions field, as Discord resolves it
MODERATOR = DEFAULT_MEMBER_PERMISSIONS | MANAGE_GUILD
# An upload whose made-up words ("zorblax") no seed document contains.
FIELD_NOTES = EmuFile(
    "field-notes.md",
    b"# Field notes on the Koryolink\n\n"
    b"The zorblax relay carries Koryolink calls between Pyongyang and the border towns.\n",
    "text/markdown",
)
ZORBLAX = "What does the zorblax relay carry?"
DEV_QUESTIONS = Path(__file__).resolve().parents[2] / "eval" / "questions_dev.jsonl"


def dev_questions() -> list[str]:
    """The dev set's question texts, in file order: real questions for load tests."""
    lines = DEV_QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def two_guilds() -> list[GuildSpec]:
    """Alpha (#general, #answers; the dev guild the bot syncs to) and Beta (#general)."""
    return [GuildSpec("Alpha", channels=("general", ANSWERS)), GuildSpec("Beta")]


def bot_settings(db_path: Path, emu: Emulator, **overrides: Any) -> Settings:
    """Settings for a bot under test: no .env, no cooldown, commands synced to the first guild."""
    return Settings(
        _env_file=None,
        db_path=db_path,
        dev_guild_id=emu.guild.id,
        ask_cooldown=0,
        retention_days=0,
        **overrides,
    )


@contextlib.asynccontextmanager
async def live_bot(
    emu: Emulator, settings: Settings, storage: Storage, engine: SearchEngine | None = None
) -> AsyncIterator[DocqaBot]:
    """The real bot, connected to the emulator and ready; closed (log flushed) on exit."""
    client = DocqaBot(settings, storage, engine=engine, guild_ready_timeout=0.05)
    async with running_client(emu, client, token=TOKEN) as running:
        yield running


async def logged(storage: Storage, query_id: int, timeout: float = 2.0) -> QueryRow:
    """The logged row, once the bot's background write (after its reply) has landed."""
    async with asyncio.timeout(timeout):
        while (row := await storage.get_query(query_id)) is None:
            await asyncio.sleep(0.01)
    return row


def embed_of(message: dict[str, Any]) -> dict[str, Any]:
    [embed] = message["embeds"]
    return dict(embed)


def field_names(message: dict[str, Any]) -> list[str]:
    return [field["name"] for field in embed_of(message).get("fields", [])]


async def add_document(emu: Emulator, file: EmuFile, guild_id: int | None = None) -> str:
    """``/docqa docs add`` as a moderator; returns the bot's one-line report."""
    handle = await emu.send_slash(
        "docqa docs add", {"file": file}, guild_id=guild_id, permissions=MODERATOR
    )
    return str((await handle.wait_response())["content"])
