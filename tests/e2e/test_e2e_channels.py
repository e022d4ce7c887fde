"""Answer channels chosen with ``/docqa config channel`` hold for mentions and ``/ask``."""

from __future__ import annotations

import asyncio
from typing import Any

from discord_emulator import Emulator
from e2e.harness import ANSWERS, MODERATOR, NOBODY, QUESTION, TIMEOUT, embed_of, logged

from bot.app import DocqaBot
from bot.storage.sqlite import Storage

EPHEMERAL = 1 << 6


def public(messages: list[dict[str, Any]]) -> list[str]:
    return [m["id"] for m in messages if not m["flags"] & EPHEMERAL]


async def test_answer_channels_from_the_guild_config(
    emu: Emulator, live: DocqaBot, storage: Storage
) -> None:
    general, answers = emu.channel, emu.guild.channel(ANSWERS)
    async with asyncio.timeout(TIMEOUT):
        configured = await emu.send_slash(
            "docqa config channel", {"action": "add", "channel": answers}, permissions=MODERATOR
        )
        settings = await configured.wait_response()
        ignored = await emu.send_message(QUESTION, mentions=[emu.bot_user])
        asked = await emu.send_message(QUESTION, mentions=[emu.bot_user], channel_id=answers.id)
        reply = await emu.wait_for_message(after=asked)
        await logged(storage, int(asked["id"]))
        elsewhere = await emu.send_slash("ask", {"question": QUESTION})
        assert await elsewhere.wait_ack() == 4  # refused at once, before any defer
        pointer = await elsewhere.wait_response()
        there = await emu.send_slash("ask", {"question": QUESTION}, channel_id=answers.id)
        assert await there.wait_ack() == 5
        await logged(storage, there.id)
    assert embed_of(settings)["fields"][0] == {
        "name": "Answers in", "value": f"<#{answers.id}>", "inline": False
    }  # fmt: skip
    assert reply["channel_id"] == str(answers.id)
    assert public(emu.messages(general.id)) == [ignored["id"]]  # the mention got no answer
    assert await storage.get_query(int(ignored["id"])) is None
    assert elsewhere.ephemeral
    assert (
        pointer["content"]
        == f"In this server I answer questions in <#{answers.id}>; please ask there."
    )
    assert emu.allowed_mentions(int(pointer["id"])) == NOBODY
    assert await storage.get_query(elsewhere.id) is None
    emu.assert_clean()
