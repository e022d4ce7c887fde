"""A question full of mentions is answered without pinging anyone: the wire says so."""

from __future__ import annotations

import asyncio

from discord_emulator import Emulator, EmuUser
from e2e.harness import NOBODY, NOBODY_IN_REPLY, TIMEOUT, embed_of

from bot.app import DocqaBot


def hostile_question(emu: Emulator) -> tuple[str, EmuUser]:
    """@everyone, @here, a made-up user id, a real member and the guild's @everyone role."""
    victim = emu.make_user("victim")
    emu.add_member(victim)
    text = f"@everyone <@123> @here <@{victim.id}> <@&{emu.guild.id}> who founded Nosotek?"
    return text, victim


def assert_silent(emu: Emulator, message: dict[str, object]) -> None:
    stored = emu.stored_message(int(str(message["id"])))
    assert stored is not None
    assert stored.unguarded_everyone is False  # @everyone in content would not have pinged
    assert (message["mentions"], message["mention_roles"], message["mention_everyone"]) == (
        [],
        [],
        False,
    )


async def test_slash_ask_with_mentions_pings_nobody(emu: Emulator, live: DocqaBot) -> None:
    question, victim = hostile_question(emu)
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash("ask", {"question": question})
        answer = await handle.wait_response()
    [followup] = emu.requests_to("POST", f"/webhooks/*/{handle.token}")
    assert followup.json["allowed_mentions"] == NOBODY  # on the wire, not just in our store
    assert_silent(emu, answer)
    title = embed_of(answer)["title"]
    assert "@everyone" not in title  # escaped as well, for clients that render embeds oddly
    assert f"<@{victim.id}>" not in title
    emu.assert_clean()


async def test_direct_message_with_mentions_pings_nobody(emu: Emulator, live: DocqaBot) -> None:
    question, _ = hostile_question(emu)
    async with asyncio.timeout(TIMEOUT):
        asked = await emu.send_message(question, dm=True)
        reply = await emu.wait_for_message(after=asked)
    [sent] = emu.requests_to("POST", f"/channels/{asked['channel_id']}/messages")
    assert sent.json["allowed_mentions"] == NOBODY_IN_REPLY
    assert_silent(emu, reply)
    emu.assert_clean()
