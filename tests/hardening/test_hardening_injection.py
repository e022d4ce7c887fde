"""Injection through documents and questions, over the wire: nobody is pinged, no link is
masked, no Markdown is live but the highlighting, and SQL arrives in the log as plain text."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from discord_emulator import EmuFile, Emulator
from e2e.harness import NOBODY, NOBODY_IN_REPLY, TIMEOUT, embed_of, logged
from hardening_support import MASKED_LINK, ask_by_mention, rendered

from bot.answering import NUL_REFUSAL
from bot.app import DocqaBot
from bot.storage.sqlite import Storage


def hostile_text(emu: Emulator) -> str:
    """Every way a document could try to ping, link or restyle, around the words asked about."""
    user, role = emu.default_user.id, emu.guild.id  # a real member; the @everyone role's id
    return (
        f"# Zorblax notice @everyone\n\n"
        f"The zorblax relay pings @here, <@{user}>, <@!{user}> and <@&{role}>: see "
        f"[the zorblax relay guide](https://good.example) and "
        f"[Click for the zorblax manual](https://evil.example/phish). "
        f"**The zorblax relay** is __underlined__, ||a spoiler||, `code`, ~~struck~~ and "
        f"*leaning*; join discord.gg/zorblax or https://discord.com/invite/zorblax today.\n"
        f"> A zorblax relay quote @everyone\n- a zorblax list item\n-# zorblax subtext\n"
        f"```\nzorblax relay code block\n```\n"
    )


def pings(emu: Emulator, message: dict[str, Any]) -> list[str]:
    """What in a message the emulator (or the text) says would ping someone."""
    found = [f"mentions {m['id']}" for m in message["mentions"]]
    found += [f"role {r}" for r in message["mention_roles"]]
    found += ["everyone"] * message["mention_everyone"]
    text = str(message.get("content") or "") + str(message.get("embeds") or "")
    ids = (emu.default_user.id, emu.guild.id)
    found += re.findall(rf"@(?:everyone|here)|<@[!&]?(?:{ids[0]}|{ids[1]})>", text)
    return found


def texts(message: dict[str, Any]) -> list[str]:
    """The embed texts Discord renders Markdown in (a footer shows its text as it is)."""
    embed = embed_of(message)
    parts = [embed.get("title", ""), embed.get("description", "")]
    return parts + [f["name"] for f in embed.get("fields", [])]


@pytest.fixture
async def hostile(emu: Emulator, live: DocqaBot) -> str:
    """The hostile document, uploaded to the first guild with a hostile title."""
    title = f"@everyone **Zorblax** [manual](https://evil.example) <@&{emu.guild.id}>"
    file = EmuFile("zorblax.md", hostile_text(emu).encode(), "text/markdown")
    handle = await emu.send_slash(
        "docqa docs add", {"file": file, "title": title}, permissions=(1 << 5) | (1 << 10)
    )
    report = await handle.wait_response()
    assert report["content"].startswith("Added “")
    assert pings(emu, report) == []
    assert emu.allowed_mentions(int(report["id"])) == NOBODY
    assert "\\*\\*Zorblax\\*\\*" in report["content"]  # the title shows literally
    return title


def assert_inert_answer(emu: Emulator, answer: dict[str, Any]) -> None:
    assert pings(emu, answer) == []
    for field in embed_of(answer)["fields"]:
        text, bold = rendered(field["value"].replace("@\u200b", "@"))
        assert bold, field["value"]  # the question's words are highlighted...
        assert {text[a:b].lower() for a, b in bold} <= {"zorblax", "relay", "pings"}
    for text in texts(answer):  # ...and nothing else is live: no masked link, no mention
        assert not MASKED_LINK.search(text), text


async def test_a_hostile_document_answers_inertly(
    emu: Emulator, live: DocqaBot, storage: Storage, hostile: str
) -> None:
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash("ask", {"question": "What does the zorblax relay do?"})
        answer = await handle.wait_response()
        _, reply = await ask_by_mention(emu, "Who does the zorblax relay ping?")
        passages = []
        for rank in range(1, len(embed_of(answer)["fields"]) + 1):
            full = await emu.click_button(answer, f"docqa:full:{handle.id}:{rank}")
            passages.append(await full.wait_response())
        docs = await emu.send_slash("docqa docs list", {"public": True}, permissions=1 << 5)
        listing = await docs.wait_response()
    assert emu.allowed_mentions(int(answer["id"])) == NOBODY
    assert emu.allowed_mentions(int(reply["id"])) == NOBODY_IN_REPLY
    assert_inert_answer(emu, answer)
    assert_inert_answer(emu, reply)
    for message in (*passages, listing):
        assert pings(emu, message) == []
        assert not any(MASKED_LINK.search(text) for text in texts(message))
    shown = "".join(embed_of(passage)["description"] for passage in passages)
    assert "\\[the zorblax relay guide\\](https://good.example)" in shown  # as text
    emu.assert_clean()


@pytest.mark.parametrize(
    "question",
    [
        "@everyone @here who runs Koryolink?",
        "<@&{role}> <@{user}> who runs **Koryolink**?",
        "[who runs Koryolink](https://evil.example) ||?|| `x` discord.gg/abc",
        "Robert'); DROP TABLE queries; -- who runs Koryolink?",
        "who runs Koryolink? ' OR 1=1 -- \" ; DELETE FROM hits; /* %_ */",
    ],
)
async def test_a_hostile_question_pings_nobody_and_is_logged_verbatim(
    emu: Emulator, live: DocqaBot, storage: Storage, question: str
) -> None:
    question = question.format(role=emu.guild.id, user=emu.default_user.id)
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash("ask", {"question": question})
        answer = await handle.wait_response()
        asked, reply = await ask_by_mention(emu, question)
        rows = [await logged(storage, handle.id), await logged(storage, asked)]
    for message in (answer, reply):
        assert pings(emu, message) == []
        assert not MASKED_LINK.search(embed_of(message)["title"])
    assert [row.question for row in rows] == [question, question]  # stored as typed
    for row in rows:
        assert row.hit_count == len(await storage.get_hits(row.id))
    emu.assert_clean()


async def test_lone_surrogates_in_the_json_are_answered_and_logged(
    emu: Emulator, live: DocqaBot, storage: Storage
) -> None:
    # JSON may escape half a surrogate pair ("\\ud83d"); Python decodes it to a lone surrogate,
    # which UTF-8 (and so SQLite) cannot hold.
    question = "\ud83d who founded Nosotek? \udfff"
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash("ask", {"question": question})
        answer = await handle.wait_response()
        asked, reply = await ask_by_mention(emu, question)
        rows = [await logged(storage, handle.id), await logged(storage, asked)]
    assert embed_of(answer)["fields"]
    assert embed_of(reply)["fields"]
    assert [row.question for row in rows] == ["\ufffd who founded Nosotek? \ufffd"] * 2
    emu.assert_clean()


async def test_a_6000_character_question_gets_one_line(emu: Emulator, live: DocqaBot) -> None:
    question = ("Who founded Nosotek? " * 300)[:6000]
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash("ask", {"question": question})  # past Discord's own check
        refused = await handle.wait_response()
        _, reply = await ask_by_mention(emu, question)
    expected = "The question is 6000 characters long; the limit is 2000."
    assert refused["content"] == expected
    assert handle.ephemeral
    assert reply["content"] == expected
    emu.assert_clean()


async def test_a_nul_in_the_question_gets_one_line_everywhere(
    emu: Emulator, live: DocqaBot, storage: Storage
) -> None:
    # SQLite's text functions and its shell end a text at NUL: it would be logged cut short.
    question = "Who founded \x00 Nosotek?"
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash("ask", {"question": question})
        refused = await handle.wait_response()
        asked, reply = await ask_by_mention(emu, question)
    expected = NUL_REFUSAL[0].upper() + NUL_REFUSAL[1:] + "."
    assert refused["content"] == expected
    assert handle.ephemeral
    assert reply["content"] == expected
    assert await storage.get_query(handle.id) is None
    assert await storage.get_query(asked) is None
    emu.assert_clean()
