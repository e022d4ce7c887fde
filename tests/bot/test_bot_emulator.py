"""The real bot over a real websocket and REST, against the local Discord emulator."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from discord_emulator import Emulator, running_client
from e2e.harness import (
    NOBODY,
    NOBODY_IN_REPLY,
    QUESTION,
    START,
    TIMEOUT,
    TOKEN,
    field_names,
    logged,
)

from bot.app import DocqaBot
from bot.settings import DEFAULT_CORPUS, Settings
from bot.storage.sqlite import Storage
from retrieval import SearchEngine


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(token=TOKEN) as emulator:
        yield emulator


@pytest.fixture
def overrides() -> dict[str, object]:
    """Settings a test changes for its live bot (parametrize indirectly to change them)."""
    return {}


@pytest.fixture
async def live(
    emu: Emulator,
    settings: Settings,
    storage: Storage,
    engine: SearchEngine,
    overrides: dict[str, object],
) -> AsyncIterator[DocqaBot]:
    configured = settings.model_copy(update={"dev_guild_id": emu.guild.id, **overrides})
    client = DocqaBot(configured, storage, engine=engine, guild_ready_timeout=0.05)
    async with running_client(emu, client, token=TOKEN) as running:
        yield running


async def test_commands_sync_to_the_dev_guild(emu: Emulator, live: DocqaBot) -> None:
    assert {c["name"] for c in emu.commands(emu.guild.id)} >= {"ask", "sources", "source"}
    assert emu.identify_payload is not None
    assert emu.identify_payload["intents"] & (1 << 15) == 0  # no message-content intent
    emu.assert_clean()


async def test_slash_ask_defers_then_follows_up(
    emu: Emulator, live: DocqaBot, storage: Storage
) -> None:
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash("ask", {"question": QUESTION, "k": 4})
        assert await handle.wait_ack() == 5  # deferred
        answer = await handle.wait_response()
        assert field_names(answer)[0].startswith("[1] ")
        assert emu.allowed_mentions(int(answer["id"])) == NOBODY
        row = await logged(storage, handle.id)
    assert (row.source, row.k, row.hit_count) == ("slash", 4, 4)
    emu.assert_clean()


async def test_mention_is_answered_as_a_reply(
    emu: Emulator, live: DocqaBot, storage: Storage
) -> None:
    async with asyncio.timeout(TIMEOUT):
        asked = await emu.send_message(QUESTION, mentions=[emu.bot_user])
        reply = await emu.wait_for_message(after=asked)
        row = await logged(storage, int(asked["id"]))
    assert reply["message_reference"]["message_id"] == asked["id"]
    assert field_names(reply)[0].startswith("[1] ")
    assert emu.allowed_mentions(int(reply["id"])) == NOBODY_IN_REPLY
    assert (row.source, row.guild_id, row.question) == ("mention", emu.guild.id, QUESTION)
    assert len(await storage.get_hits(row.id)) == row.hit_count > 0
    emu.assert_clean()


async def test_hostile_mention_pings_nobody(emu: Emulator, live: DocqaBot) -> None:
    async with asyncio.timeout(TIMEOUT):
        asked = await emu.send_message(
            "@everyone <@123> @here who founded Nosotek?", mentions=[emu.bot_user]
        )
        reply = await emu.wait_for_message(after=asked)
    assert emu.allowed_mentions(int(reply["id"])) == NOBODY_IN_REPLY
    assert reply["mentions"] == []
    assert reply["mention_everyone"] is False
    emu.assert_clean()


async def test_messages_without_a_mention_are_ignored_and_dms_answered(
    emu: Emulator, live: DocqaBot, storage: Storage
) -> None:
    async with asyncio.timeout(TIMEOUT):
        ignored = await emu.send_message("Who founded Nosotek?")
        direct = await emu.send_message("Who founded Nosotek?", dm=True)
        reply = await emu.wait_for_message(after=direct)
        row = await logged(storage, int(direct["id"]))
    assert field_names(reply)
    assert await storage.get_query(int(ignored["id"])) is None
    assert (row.source, row.guild_id) == ("dm", None)
    emu.assert_clean()


async def test_buttons_over_the_wire(emu: Emulator, live: DocqaBot, storage: Storage) -> None:
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash("ask", {"question": QUESTION})
        answer = await handle.wait_response()
        await logged(storage, handle.id)
        vote = await emu.click_button(answer, f"docqa:vote:{handle.id}:up")
        thanks = await vote.wait_response()
        more = await emu.click_button(answer, f"docqa:more:{handle.id}:2")
        assert await more.wait_ack() == 6  # deferred update of the same message
        page_two = await more.wait_response()
    assert thanks["content"] == "Thanks: your 👍 is recorded."
    assert field_names(page_two)[0].startswith("[4] ")
    emu.assert_clean()


@pytest.mark.parametrize("overrides", [{"ask_cooldown": 60.0, "answer_dms": False}])
async def test_mention_cooldown_and_dms_off(emu: Emulator, live: DocqaBot) -> None:
    async with asyncio.timeout(TIMEOUT):
        first = await emu.send_message(QUESTION, mentions=[emu.bot_user])
        await emu.wait_for_message(after=first)
        ignored = await emu.send_message(QUESTION, dm=True)
        second = await emu.send_message("and another one?", mentions=[emu.bot_user])
        slow_down = await emu.wait_for_message(after=second)
    assert slow_down["content"].startswith("You're asking quickly: try again in ")
    dm_channel = emu.messages(int(ignored["channel_id"]))
    assert [int(m["id"]) for m in dm_channel] == [int(ignored["id"])]  # no answer
    emu.assert_clean()


async def test_an_empty_mention_gets_a_hint(emu: Emulator, live: DocqaBot) -> None:
    async with asyncio.timeout(TIMEOUT):
        asked = await emu.send_message("", mentions=[emu.bot_user])
        reply = await emu.wait_for_message(after=asked)
    assert reply["content"].startswith("The question is empty. Ask me something after the mention")
    emu.assert_clean()


async def test_owner_syncs_globally_by_mention(emu: Emulator, live: DocqaBot) -> None:
    owner = emu.world.app_owner
    async with asyncio.timeout(TIMEOUT):
        asked = await emu.send_message("sync", author=owner, dm=True, mentions=[emu.bot_user])
        reply = await emu.wait_for_message(after=asked)
        other = await emu.send_message("sync", mentions=[emu.bot_user])  # not the owner
        answer = await emu.wait_for_message(after=other)
    synced = {c["name"] for c in emu.commands()}
    assert synced >= {"ask", "sources", "source"}
    assert reply["content"].startswith(f"Synced {len(synced)} commands globally")
    assert answer["embeds"]  # a member's "sync" is just a question
    emu.assert_clean()


async def run_bot_process(emu: Emulator, tmp_path: Path, token: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DOCQA_"))}
    env |= {
        "DISCORD_TOKEN": token, "DISCORD_API_BASE": emu.api_base,
        "DISCORD_GATEWAY_URL": emu.gateway_url, "DOCQA_CORPUS_DIR": str(DEFAULT_CORPUS),
        "DOCQA_DB_PATH": str(tmp_path / "docqa.db"), "DOCQA_LOG_LEVEL": "WARNING",
    }  # fmt: skip
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_rejected_token_is_one_line_and_exit_2(emu: Emulator, tmp_path: Path) -> None:
    process = await run_bot_process(emu, tmp_path, "not-the-token")
    stdout, stderr = await asyncio.wait_for(process.communicate(), TIMEOUT)
    assert process.returncode == 2
    assert stdout == b""
    lines = stderr.decode().strip().splitlines()
    assert lines == [lines[0]]
    assert "Discord rejected DISCORD_TOKEN" in lines[0]
    assert "not-the-token" not in stderr.decode()


@pytest.mark.slow
async def test_sigterm_flushes_the_log_and_exits_cleanly(emu: Emulator, tmp_path: Path) -> None:
    process = await run_bot_process(emu, tmp_path, TOKEN)
    try:
        async with asyncio.timeout(START + TIMEOUT):
            await emu.wait_for_bot_ready(START)
            asked = await emu.send_message(QUESTION, mentions=[emu.bot_user])
            await emu.wait_for_message(after=asked)
            process.send_signal(signal.SIGTERM)
            _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0, stderr.decode()
    async with await Storage.open(tmp_path / "docqa.db") as storage:
        row = await storage.get_query(int(asked["id"]))
    assert row is not None
    assert row.source == "mention"


async def test_source_autocomplete_over_the_wire(emu: Emulator, live: DocqaBot) -> None:
    async with asyncio.timeout(TIMEOUT):
        choices = await emu.send_autocomplete("source", {"name": "sword"}, focused="name")
    assert choices == [
        {
            "name": "Information Technology in North Korea: A Double-Edged Sword",
            "value": "002_98d01b565de9a77e.txt",
        }
    ]
    emu.assert_clean()
