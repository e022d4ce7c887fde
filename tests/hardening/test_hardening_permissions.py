"""Moderator commands refuse a member without Manage Server, whatever else the interaction
payload claims: only the invoking member's resolved permissions count, and a malformed
value counts as none. Payloads are built by the emulator, then tampered with."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from discord_emulator import ALL_PERMISSIONS, MANAGE_GUILD, Emulator, InteractionHandle
from discord_emulator.builders import command_interaction
from e2e.harness import MEMBER, QUESTION, TIMEOUT, logged
from hardening_support import ask_by_mention, problems, rows

from bot.app import DocqaBot
from bot.storage.sqlite import Storage

REFUSAL = "You are missing Manage Server permission(s) to run this command."
IN_A_SERVER = "Moderator commands work in a server only."
Payload = dict[str, Any]


def member_perms(value: object) -> Callable[[Payload], None]:
    def tamper(payload: Payload) -> None:
        payload["member"]["permissions"] = value

    return tamper


def app_perms(payload: Payload) -> None:  # the bot's own permissions: it has Manage Server
    payload["app_permissions"] = str(ALL_PERMISSIONS)


def channel_perms(payload: Payload) -> None:  # the channel object's resolved permissions
    payload["channel"]["permissions"] = str(ALL_PERMISSIONS)


def bad_app_perms(payload: Payload) -> None:  # a field discord.py reads with int()
    payload["app_permissions"] = "all of them"


def target_perms(payload: Payload) -> None:  # the member the command names is a moderator
    for member in payload["data"].get("resolved", {}).get("members", {}).values():
        member["permissions"] = str(ALL_PERMISSIONS)


def without_permissions(payload: Payload) -> None:
    del payload["member"]["permissions"]


def as_a_dm(payload: Payload) -> None:  # no guild: the user-shaped payload of a DM
    user = payload.pop("member")["user"]
    payload.pop("guild_id")
    payload.pop("guild", None)
    payload["user"] = user
    payload["context"] = 1
    payload["channel"]["permissions"] = str(ALL_PERMISSIONS)


TAMPERED = {
    "app_permissions has Manage Server": (app_perms, REFUSAL),
    "channel permissions have it": (channel_perms, REFUSAL),
    "the named member has it": (target_perms, REFUSAL),
    "no permissions field": (without_permissions, REFUSAL),
    "permissions -1 (all bits, as a signed number)": (member_perms("-1"), REFUSAL),
    "permissions -4294967263": (member_perms(str(-(2**32) + MANAGE_GUILD + 1)), REFUSAL),
    "permissions beyond 53 bits": (member_perms(str(2**64 - 1)), REFUSAL),
    "permissions as a number, not a string": (member_perms(-1), REFUSAL),
    "permissions as a float that truncates to Manage Server": (member_perms(32.9), REFUSAL),
    "permissions as a whole float": (member_perms(float(ALL_PERMISSIONS)), REFUSAL),
    "permissions as a float string": (member_perms(f"{MANAGE_GUILD}.0"), REFUSAL),
    "permissions as true": (member_perms(True), REFUSAL),
    "permissions with an underscore": (member_perms("3_2"), REFUSAL),
    "permissions in other digits": (member_perms("\u0663\u0662"), REFUSAL),  # Arabic-Indic 32
    "permissions padded with spaces": (member_perms(f" {MANAGE_GUILD} "), REFUSAL),
    "permissions not a number": (member_perms("all of them"), REFUSAL),
    "a DM with every permission": (as_a_dm, IN_A_SERVER),
}


async def crafted(
    emu: Emulator, command: str, options: dict[str, Any], tamper: Callable[[Payload], None]
) -> InteractionHandle:
    """The interaction a member without Manage Server would send, tampered with on the way.

    (The emulator's own builders and dispatch; ``send_slash`` can only set one number.)
    """
    invoker = emu._invoker(None, permissions=MEMBER)
    built = command_interaction(emu.world, invoker, command, options)
    tamper(built.payload)
    return emu._dispatch(built, invoker)


def counts(db_path: Any) -> list[int]:
    return [rows(db_path, f"SELECT count(*) FROM {table}")[0][0] for table in ("queries", "hits")]


@pytest.mark.parametrize("case", TAMPERED.values(), ids=TAMPERED.keys())
async def test_a_tampered_payload_is_refused(
    emu: Emulator, live: DocqaBot, storage: Storage, case: tuple[Callable[[Payload], None], str],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    tamper, refusal = case
    async with asyncio.timeout(TIMEOUT):
        asked, _ = await ask_by_mention(emu, QUESTION)
        await logged(storage, asked)
        before = counts(storage.path)
        forget = await crafted(emu, "docqa forget", {"user": emu.default_user}, tamper)
        export = await crafted(emu, "docqa export", {"days": 30}, tamper)
        replies = [await forget.wait_response(), await export.wait_response()]
    assert [reply["content"] for reply in replies] == [refusal, refusal]
    assert [reply["attachments"] for reply in replies] == [[], []]  # no export leaked
    assert forget.ephemeral
    assert export.ephemeral
    assert counts(storage.path) == before  # nothing forgotten
    assert problems(caplog) == []  # a refusal is not an operator's problem
    emu.assert_clean()


async def test_a_moderator_s_integer_permissions_still_count(
    emu: Emulator, live: DocqaBot, storage: Storage
) -> None:
    async with asyncio.timeout(TIMEOUT):
        for value in (MANAGE_GUILD, str(MANAGE_GUILD)):
            export = await crafted(emu, "docqa export", {"days": 30}, member_perms(value))
            reply = await export.wait_response()
            assert reply["content"] != REFUSAL, value
    emu.assert_clean()


async def test_an_unreadable_interaction_costs_only_itself(
    emu: Emulator, live: DocqaBot, storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    async with asyncio.timeout(TIMEOUT):
        asked, _ = await ask_by_mention(emu, QUESTION)
        await logged(storage, asked)
        before = counts(storage.path)
        forget = await crafted(emu, "docqa forget", {"user": emu.default_user}, bad_app_perms)
        _, still = await ask_by_mention(emu, "Who founded Nosotek?")  # the bot carries on
    assert forget.response is None
    assert counts(storage.path)[0] == before[0] + 1  # the new question, nothing forgotten
    assert still["embeds"]
    assert problems(caplog) == [
        f"Dropped an unreadable INTERACTION_CREATE event (id {forget.id}): "
        "ValueError(\"invalid literal for int() with base 10: 'all of them'\")"
    ]
    emu.take_violations()  # the dropped interaction was never acknowledged, as intended
    emu.assert_clean()


async def test_an_unreadable_message_costs_only_itself(
    emu: Emulator, live: DocqaBot, caplog: pytest.LogCaptureFixture
) -> None:
    async with asyncio.timeout(TIMEOUT):
        emu.world.gateway.dispatch(  # no author, no timestamp: discord.py cannot build it
            "MESSAGE_CREATE", {"id": "42", "channel_id": str(emu.channel.id), "content": "hi"}
        )
        _, still = await ask_by_mention(emu, QUESTION)
    assert still["embeds"]
    [line] = problems(caplog)
    assert line.startswith("Dropped an unreadable MESSAGE_CREATE event (id 42): KeyError(")
    emu.assert_clean()
