"""The unmodified bot as a process (``python -m bot``), configured only by its environment."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from discord_emulator import Emulator
from e2e.harness import NOBODY, QUESTION, START, TIMEOUT, TOKEN, embed_of, field_names, logged
from e2e.process import bot_process

from bot.storage.sqlite import Storage

COMMANDS = {"ask", "docqa", "forget-me", "source", "sources"}
BOLD = re.compile(r"\*\*[^*]+\*\*")  # the excerpt's highlighted query terms


async def test_bot_process_answers_ask_then_exits_on_sigterm(emu: Emulator, tmp_path: Path) -> None:
    async with bot_process(emu, tmp_path, TOKEN) as bot, asyncio.timeout(START + TIMEOUT):
        await emu.wait_for_bot_ready(START)
        assert {c["name"] for c in emu.commands(emu.guild.id)} >= COMMANDS  # synced before READY
        handle = await emu.send_slash("ask", {"question": QUESTION, "k": 4})
        assert await handle.wait_ack() == 5  # deferred: "DocQA is thinking…"
        answer = await handle.wait_response()
        async with await Storage.open(tmp_path / "docqa.db") as storage:
            row = await logged(storage, handle.id)
            hits = await storage.get_hits(row.id)
        status = await bot.terminate()
    assert status == 0, bot.stderr
    assert "Traceback" not in bot.stderr
    assert [name[:4] for name in field_names(answer)] == ["[1] ", "[2] ", "[3] "]  # page 1 of 2
    assert all(BOLD.search(field["value"]) for field in embed_of(answer)["fields"])
    assert emu.allowed_mentions(int(answer["id"])) == NOBODY
    assert (row.source, row.question, row.k, row.guild_id) == ("slash", QUESTION, 4, emu.guild.id)
    assert [hit.rank for hit in hits] == [1, 2, 3, 4]
    emu.assert_clean()


async def test_buttons_work_after_the_bot_process_restarts(emu: Emulator, tmp_path: Path) -> None:
    async with asyncio.timeout(2 * START + TIMEOUT):
        async with bot_process(emu, tmp_path, TOKEN, name="first") as first:
            await emu.wait_for_bot_ready(START)
            handle = await emu.send_slash("ask", {"question": QUESTION, "k": 4})
            answer = await handle.wait_response()
            assert await first.terminate() == 0, first.stderr  # flushes the query log
        since = len(emu.gateway_events)
        async with bot_process(emu, tmp_path, TOKEN, name="second") as second:
            await emu.wait_for_bot_ready(START, start=since)
            full = await emu.click_button(answer, f"docqa:full:{handle.id}:1")
            passage = await full.wait_response()
            up = await emu.click_button(answer, f"docqa:vote:{handle.id}:up")
            thanks = await up.wait_response()
            down = await emu.click_button(answer, f"docqa:vote:{handle.id}:down")
            changed = await down.wait_response()
            more = await emu.click_button(answer, f"docqa:more:{handle.id}:2")
            assert await more.wait_ack() == 6  # deferred update of the answer itself
            page_two = await more.wait_response()
            assert await second.terminate() == 0, second.stderr
    assert field_names(page_two) == [field_names(page_two)[0]]  # hit 4 alone on page 2 of 2
    assert field_names(page_two)[0].startswith("[4] ")
    assert int(page_two["id"]) == int(answer["id"])  # edited in place
    assert embed_of(passage)["title"] == field_names(answer)[0]
    assert [full.ephemeral, up.ephemeral, down.ephemeral] == [True, True, True]
    assert thanks["content"] == "Thanks: your 👍 is recorded."
    assert changed["content"] == "Changed your vote to 👎."
    emu.assert_clean()
