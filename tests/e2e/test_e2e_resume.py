"""The emulator drops the bot's websocket mid-session: the bot resumes and keeps answering."""

from __future__ import annotations

import asyncio

import pytest
from discord_emulator import Emulator
from e2e.harness import QUESTION, TIMEOUT, field_names, logged

from bot.app import DocqaBot
from bot.storage.sqlite import Storage


@pytest.mark.parametrize("abort", [False, True], ids=["close-4000", "tcp-reset"])
async def test_bot_resumes_after_a_dropped_websocket(
    emu: Emulator, live: DocqaBot, storage: Storage, abort: bool
) -> None:
    async with asyncio.timeout(TIMEOUT):
        before = await emu.send_slash("ask", {"question": QUESTION})
        await before.wait_response()
        await emu.drop_gateway(abort=abort)
        missed = await emu.send_slash("ask", {"question": "Who founded Nosotek?"})  # in the gap
        await emu.wait_for_resume()
        after = await emu.send_slash("ask", {"question": "Who owns Koryolink?"})
        answers = [await missed.wait_response(), await after.wait_response()]
        for handle in (missed, after):
            await logged(storage, handle.id)
    assert (emu.gateway_count("IDENTIFY"), emu.gateway_count("RESUMED")) == (1, 1)
    assert [missed.ack_type, after.ack_type] == [5, 5]  # the missed one was replayed on RESUME
    assert all(field_names(answer)[0].startswith("[1] ") for answer in answers)
    emu.assert_clean()
