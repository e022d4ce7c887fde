"""Crash safety: ``python -m bot`` killed with SIGKILL in the middle of a load of questions.

After the kill and a restart, ``PRAGMA integrity_check`` is ok and every question whose
answer reached the emulator before the kill is in the query log, with all its hits.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from discord_emulator import Emulator, InteractionHandle
from e2e.harness import QUESTION, START, TIMEOUT, TOKEN, field_names
from e2e.process import bot_process
from hardening_support import ask_by_mention, rows

LOAD = 80  # questions: mentions and /ask, alternating
KILL_AFTER = LOAD // 3  # answers received when the SIGKILL goes out
NO_COOLDOWN = {"DOCQA_ASK_COOLDOWN": "0"}  # one member asks them all
QUESTIONS = ("Who founded Nosotek?", QUESTION, "What is Koryolink?", "How much is a phone?")

pytestmark = pytest.mark.slow


async def send_load(emu: Emulator, mentions: list[int], slashes: list[InteractionHandle]) -> None:
    """Ask LOAD questions without waiting for answers, noting what was asked."""
    for n in range(LOAD):
        question = f"{QUESTIONS[n % len(QUESTIONS)]} ({n})"
        if n % 2:
            slashes.append(await emu.send_slash("ask", {"question": question}))
        else:
            asked = await emu.send_message(question, mentions=[emu.bot_user])
            mentions.append(int(asked["id"]))
        await asyncio.sleep(0.005)


def answered_mentions(emu: Emulator, asked: list[int]) -> set[int]:
    bot_id = str(emu.bot_user.id)
    replied = {
        int(message["message_reference"]["message_id"])
        for message in emu.messages()
        if message["author"]["id"] == bot_id and message.get("message_reference")
        and message.get("embeds")
    }  # fmt: skip
    return replied & set(asked)


def answered_slashes(handles: list[InteractionHandle]) -> set[int]:
    return {h.id for h in handles if any(m.get("embeds") for m in h.messages.items)}


def answered(emu: Emulator, mentions: list[int], handles: list[InteractionHandle]) -> set[int]:
    return answered_mentions(emu, mentions) | answered_slashes(handles)


async def test_sigkill_mid_load_loses_no_answered_question(emu: Emulator, tmp_path: Path) -> None:
    db_path = tmp_path / "docqa.db"
    async with bot_process(emu, tmp_path, TOKEN, name="killed", **NO_COOLDOWN) as bot:
        async with asyncio.timeout(START + TIMEOUT):
            await emu.wait_for_bot_ready(START)
            mentions: list[int] = []
            handles: list[InteractionHandle] = []
            load = asyncio.create_task(send_load(emu, mentions, handles))
            while len(answered(emu, mentions, handles)) < KILL_AFTER:
                await asyncio.sleep(0.002)
            bot.process.send_signal(signal.SIGKILL)
            assert await bot.wait() == -signal.SIGKILL
            await load
    sent = answered(emu, mentions, handles)  # everything that reached "Discord" before the kill
    assert KILL_AFTER <= len(sent) < LOAD, "the kill should land mid-load"

    async with bot_process(emu, tmp_path, TOKEN, name="again", **NO_COOLDOWN) as restarted:
        async with asyncio.timeout(START + TIMEOUT):
            await emu.wait_for_bot_ready(START, start=len(emu.gateway_events))
            after, reply = await ask_by_mention(emu, QUESTION)
            assert field_names(reply)
            assert await restarted.terminate() == 0, restarted.stderr

    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    logged = {query_id for (query_id,) in rows(db_path, "SELECT id FROM queries")}
    assert sent | {after} <= logged, f"answered but not logged: {sorted(sent - logged)}"
    assert logged <= set(mentions) | {h.id for h in handles} | {after}
    # Each row came with all its hits (one transaction), never half a question.
    assert rows(db_path, "SELECT count(*) FROM queries q WHERE hit_count != "
                "(SELECT count(*) FROM hits h WHERE h.query_id = q.id)") == [(0,)]  # fmt: skip
