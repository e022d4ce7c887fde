"""``/docqa docs add`` with a real attachment: searchable at once, in its own guild only."""

from __future__ import annotations

import asyncio

from discord_emulator import EmuFile, Emulator
from e2e.harness import (
    FIELD_NOTES,
    MODERATOR,
    TIMEOUT,
    ZORBLAX,
    add_document,
    embed_of,
    field_names,
)

from bot.app import DocqaBot

NOTES_TITLE = "Field notes on the Koryolink"
LEDGER = EmuFile("ledger.txt", b"Ledger of relay parts\n\nSpare zorblax coils: four.\n")


async def test_an_uploaded_document_answers_in_its_guild_only(
    emu: Emulator, live: DocqaBot
) -> None:
    alpha, beta = emu.guilds
    async with asyncio.timeout(TIMEOUT):
        report = await add_document(emu, FIELD_NOTES)
        here = await (await emu.send_slash("ask", {"question": ZORBLAX})).wait_response()
        there = await emu.send_slash("ask", {"question": ZORBLAX}, guild_id=beta.id)
        elsewhere = await there.wait_response()
    assert report.startswith(f"Added “{NOTES_TITLE}” as `field-notes.md`.")
    assert "(1 uploaded)" in report
    [download] = emu.requests_to("GET", "/attachments/*")  # the bot read the file it was given
    assert download.path.endswith("/field-notes.md")
    assert field_names(here)[0].startswith(f"[1] {NOTES_TITLE}")
    assert "zorblax" in embed_of(here)["fields"][0]["value"].lower()
    assert not any(NOTES_TITLE in name for name in field_names(elsewhere))
    assert int(elsewhere["channel_id"]) == beta.text_channel.id != alpha.text_channel.id
    emu.assert_clean()


async def test_docs_remove_autocompletes_uploads_for_moderators(
    emu: Emulator, live: DocqaBot
) -> None:
    moderator, member = emu.make_user("mod"), emu.make_user("member")
    emu.add_member(moderator, permissions=MODERATOR)
    emu.add_member(member)
    async with asyncio.timeout(TIMEOUT):
        for file in (FIELD_NOTES, LEDGER):
            await add_document(emu, file)
        typed = await emu.send_autocomplete(
            "docqa docs remove", {"name": "FIELD"}, "name", user=moderator
        )
        everything = await emu.send_autocomplete(
            "docqa docs remove", {"name": ""}, "name", user=moderator
        )
        hidden = await emu.send_autocomplete("docqa docs remove", {"name": ""}, "name", user=member)
        removed = await emu.send_slash(
            "docqa docs remove", {"name": typed[0]["value"]}, permissions=MODERATOR
        )
        report = (await removed.wait_response())["content"]
        left = await emu.send_autocomplete(
            "docqa docs remove", {"name": ""}, "name", user=moderator
        )
    assert typed == [{"name": f"field-notes.md: {NOTES_TITLE}", "value": "field-notes.md"}]
    assert sorted(c["value"] for c in everything) == ["field-notes.md", "ledger.txt"]
    assert hidden == []  # autocomplete skips checks, so the bot checks Manage Server itself
    assert report.startswith("Removed `field-notes.md`.")
    assert [c["value"] for c in left] == ["ledger.txt"]
    emu.assert_clean()
