"""Every moderator command, with and without Manage Server in the interaction's permissions.

Without it: one ephemeral refusal and nothing changes (log, config, uploads, engines, and
not even the attachment is downloaded). With it: the command's normal result.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from discord_emulator import EmuFile, Emulator, EmuUser, InteractionHandle
from e2e.harness import (
    FIELD_NOTES,
    MEMBER,
    MODERATOR,
    QUESTION,
    TIMEOUT,
    add_document,
    embed_of,
    logged,
)

from bot.app import DocqaBot
from bot.library.uploaded import StoredDocument
from bot.storage.records import ExportRecord, GuildConfig
from bot.storage.sqlite import Storage

REFUSAL = "You are missing Manage Server permission(s) to run this command."
PNG = b"\x89PNG\r\n\x1a\n"
LEDGER = EmuFile("ledger.txt", b"Ledger of relay parts\n\nSpare coils: four.\n")
ASKER = object()  # stands for the member who asked, in the options below
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class State:
    """What a moderator command could change, as the bot and its database see it."""

    records: tuple[ExportRecord, ...]
    config: GuildConfig | None
    uploads: tuple[StoredDocument, ...]
    engines: int  # identity of the current engine generation
    downloads: int  # attachments the bot fetched


@dataclass(frozen=True)
class Guild:
    """A guild with a logged question, an upload and a config, for commands to act on."""

    bot: DocqaBot
    storage: Storage
    emu: Emulator
    asker: EmuUser

    async def state(self) -> State:
        guild_id = self.emu.guild.id
        return State(
            await self.storage.export_records(guild_id, EPOCH),
            await self.storage.guild_config(guild_id),
            self.bot.engines.library.stored(guild_id),
            id(self.bot.engines.current),
            len(self.emu.requests_to("GET", "/attachments/*")),
        )

    async def run(
        self, command: str, options: dict[str, Any], permissions: int, user: EmuUser | None = None
    ) -> Ran:
        values = {k: self.asker if v is ASKER else v for k, v in options.items()}
        before = await self.state()
        handle = await self.emu.send_slash(command, values, user=user, permissions=permissions)
        reply = await handle.wait_response()
        return Ran(handle, reply, before, await self.state())


@dataclass(frozen=True)
class Ran:
    handle: InteractionHandle
    reply: dict[str, Any]
    before: State
    after: State


@pytest.fixture
async def guild(emu: Emulator, live: DocqaBot, storage: Storage) -> Guild:
    asker = emu.make_user("asker")
    async with asyncio.timeout(TIMEOUT):
        asked = await emu.send_slash("ask", {"question": QUESTION}, user=asker)
        await logged(storage, asked.id)
        await add_document(emu, FIELD_NOTES)
        configured = await emu.send_slash(
            "docqa config set", {"default_k": 3}, permissions=MODERATOR
        )
        await configured.wait_response()
    return Guild(live, storage, emu, asker)


def stats(emu: Emulator, ran: Ran) -> None:
    [chart] = ran.reply["attachments"]
    assert chart["filename"] == "questions-per-day.png"
    assert embed_of(ran.reply)["image"]["url"] == "attachment://questions-per-day.png"
    [followup] = emu.requests_to("POST", f"/webhooks/*/{ran.handle.token}")
    assert followup.files[0].data.startswith(PNG)


def docs_add(_emu: Emulator, ran: Ran) -> None:
    assert [d.name for d in ran.after.uploads] == ["field-notes.md", "ledger.txt"]


def docs_remove(_emu: Emulator, ran: Ran) -> None:
    assert ran.after.uploads == ()
    assert ran.after.engines != ran.before.engines


def docs_list(_emu: Emulator, ran: Ran) -> None:
    assert "`field-notes.md`: Field notes on the Koryolink" in embed_of(ran.reply)["description"]


def reindex(_emu: Emulator, ran: Ran) -> None:
    assert ran.reply["content"].startswith("Reindexed. This server now searches 6 documents")
    assert ran.after.engines != ran.before.engines


def export(emu: Emulator, ran: Ran) -> None:
    [log] = ran.reply["attachments"]
    assert log["filename"] == f"docqa-{emu.guild.id}-30d.csv"
    [followup] = emu.requests_to("POST", f"/webhooks/*/{ran.handle.token}")
    assert QUESTION in followup.files[0].data.decode()
    assert ran.reply["content"] == "1 question from the last 30 days."


def forget(_emu: Emulator, ran: Ran) -> None:
    assert re.match(r"Deleted everything logged about \S+ \(\d+\): ", ran.reply["content"])
    assert (len(ran.before.records), ran.after.records) == (1, ())


def config_show(_emu: Emulator, ran: Ran) -> None:
    fields = {f["name"]: f["value"] for f in embed_of(ran.reply)["fields"]}
    assert fields["Passages per answer"] == "3"


def config_set(_emu: Emulator, ran: Ran) -> None:
    assert ran.after.config is not None
    assert ran.after.config.default_k == 1


def config_channel(emu: Emulator, ran: Ran) -> None:
    assert ran.after.config is not None
    assert ran.after.config.channels == {emu.channel.id}  # default: the channel it is used in


def config_reset(_emu: Emulator, ran: Ran) -> None:
    assert ran.after.config is None


Check = Callable[[Emulator, Ran], None]


@dataclass(frozen=True)
class Case:
    """A moderator command, its options, and what it does when a moderator uses it."""

    command: str
    options: dict[str, Any]
    check: Check

    def __str__(self) -> str:
        return self.command.removeprefix("docqa ")


CASES = [
    Case("docqa stats", {}, stats),
    Case("docqa docs add", {"file": LEDGER}, docs_add),
    Case("docqa docs remove", {"name": "field-notes.md"}, docs_remove),
    Case("docqa docs list", {}, docs_list),
    Case("docqa reindex", {}, reindex),
    Case("docqa export", {}, export),
    Case("docqa forget", {"user": ASKER}, forget),
    Case("docqa config show", {}, config_show),
    Case("docqa config set", {"default_k": 1}, config_set),
    Case("docqa config channel", {"action": "add"}, config_channel),
    Case("docqa config reset", {}, config_reset),
]


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_members_without_manage_server_are_refused(
    emu: Emulator, guild: Guild, case: Case
) -> None:
    async with asyncio.timeout(TIMEOUT):
        ran = await guild.run(case.command, case.options, MEMBER)
    assert (ran.handle.ack_type, ran.handle.ephemeral) == (4, True)  # refused before deferring
    assert ran.reply["content"] == REFUSAL
    assert ran.reply["attachments"] == []
    assert ran.after == ran.before
    emu.assert_clean()


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_moderators_get_the_result(emu: Emulator, guild: Guild, case: Case) -> None:
    async with asyncio.timeout(TIMEOUT):
        ran = await guild.run(case.command, case.options, MODERATOR)
    assert (ran.handle.ack_type, ran.handle.ephemeral) == (5, True)
    assert ran.reply["content"] != REFUSAL
    case.check(emu, ran)
    emu.assert_clean()


@pytest.mark.parametrize("permissions", [MEMBER, MODERATOR], ids=["member", "moderator"])
async def test_forget_me_needs_no_permission_and_forgets_only_the_caller(
    emu: Emulator, guild: Guild, storage: Storage, permissions: int
) -> None:
    async with asyncio.timeout(TIMEOUT):
        other = await emu.send_slash("ask", {"question": "Who founded Nosotek?"})
        await logged(storage, other.id)
        ran = await guild.run("forget-me", {}, permissions, user=guild.asker)
    assert ran.handle.ephemeral
    assert ran.reply["content"].startswith("Deleted everything logged about you: 1 question, ")
    assert [r.query.id for r in ran.after.records] == [other.id]  # someone else's stays
    emu.assert_clean()
