"""Discord misbehaving, through the emulator: rate limits, server errors, reconnect storms."""

from __future__ import annotations

import asyncio
import time

import pytest
from discord_emulator import Emulator, InteractionHandle
from e2e.harness import QUESTION, TIMEOUT, field_names, logged
from hardening_support import ask_by_mention, problems

from bot.app import DocqaBot
from bot.storage.sqlite import Storage

RETRY_AFTER = 0.3
QUESTIONS = (QUESTION, "Who founded Nosotek?", "What is Koryolink?", "How much is a phone?")


def answer_count(emu: Emulator, asked_id: int) -> int:
    """How many messages the bot posted in reply to message ``asked_id``."""
    bot_id = str(emu.bot_user.id)
    return sum(
        1
        for message in emu.messages()
        if message["author"]["id"] == bot_id
        and (message.get("message_reference") or {}).get("message_id") == str(asked_id)
    )


async def test_a_rate_limited_reply_waits_and_arrives(
    emu: Emulator, live: DocqaBot, storage: Storage
) -> None:
    emu.inject_rate_limit("POST", "/channels/*/messages", count=2, retry_after=RETRY_AFTER)
    started = time.perf_counter()
    async with asyncio.timeout(TIMEOUT):
        asked, reply = await ask_by_mention(emu, QUESTION)
        await logged(storage, asked)
    assert time.perf_counter() - started >= 2 * RETRY_AFTER  # it waited as told, twice
    assert field_names(reply)[0].startswith("[1] ")
    assert len(emu.requests_to("POST", "/channels/*/messages")) == 3  # two 429s, then the reply
    assert answer_count(emu, asked) == 1
    emu.assert_clean()


@pytest.mark.parametrize(
    "route",
    ["/interactions/*/*/callback", "/webhooks/*/*"],
    ids=["the-acknowledgement", "the-follow-up"],
)
async def test_a_rate_limited_slash_answer_waits_and_arrives(
    emu: Emulator, live: DocqaBot, storage: Storage, route: str
) -> None:
    emu.inject_rate_limit("POST", route, count=1, retry_after=RETRY_AFTER)
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash("ask", {"question": QUESTION})
        answer = await handle.wait_response()
        await logged(storage, handle.id)
    assert handle.ack_type == 5
    assert field_names(answer)[0].startswith("[1] ")
    assert len(emu.requests_to("POST", route)) == 2
    emu.assert_clean()


async def test_a_follow_up_failing_once_is_retried(
    emu: Emulator, live: DocqaBot, storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    emu.inject_server_error("POST", "/webhooks/*/*", status=502, count=1)
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash("ask", {"question": QUESTION})
        answer = await handle.wait_response()
    assert len(emu.requests_to("POST", "/webhooks/*/*")) == 2
    assert field_names(answer)[0].startswith("[1] ")
    assert problems(caplog) == []
    emu.assert_clean()


@pytest.mark.parametrize("status", [500, 503])
async def test_a_follow_up_failing_twice_is_shown_in_place_with_one_line(
    emu: Emulator, live: DocqaBot, storage: Storage, caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:  # fmt: skip
    emu.inject_server_error("POST", "/webhooks/*/*", status=status, count=2)
    started = time.perf_counter()
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash("ask", {"question": QUESTION})
        answer = await handle.wait_response()
        await logged(storage, handle.id)
        elapsed = time.perf_counter() - started
        while not problems(caplog):  # logged once the reply is in place, which we saw first
            await asyncio.sleep(0.01)
    assert elapsed < 2.5  # one retry (after 1 s), not discord.py's five
    assert len(emu.requests_to("POST", "/webhooks/*/*")) == 2
    assert field_names(answer)[0].startswith("[1] ")  # the deferred message shows the answer
    assert problems(caplog) == [
        f"Discord failed the follow-up for interaction {handle.id} (Discord answered HTTP "
        f"{status} then {status}, retried once); showed the reply in its original response "
        "instead"
    ]
    emu.assert_clean()


async def test_when_discord_keeps_failing_the_handler_returns_with_one_line(
    emu: Emulator, live: DocqaBot, storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    emu.inject_server_error("POST", "/webhooks/*/*", count=2)
    emu.inject_server_error("PATCH", "/webhooks/*/*/messages/@original", count=2)
    emu.inject_server_error("POST", "/channels/*/messages", count=2)
    started = time.perf_counter()
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash("ask", {"question": QUESTION})
        asked = await emu.send_message("Who founded Nosotek?", mentions=[emu.bot_user])
        await logged(storage, handle.id)
        await logged(storage, int(asked["id"]))
        while len(problems(caplog)) < 2:
            await asyncio.sleep(0.05)
    assert time.perf_counter() - started < 4.0
    assert handle.ack_type == 5
    assert handle.response is None
    assert sorted(problems(caplog)) == [
        f"Discord failed the follow-up for interaction {handle.id} (Discord answered HTTP 500 "
        "then 500, retried once) and the edit of its original response (Discord answered HTTP "
        "500 then 500); the reply is lost",
        f"Discord failed the reply to message {asked['id']} (Discord answered HTTP 500 then "
        "500, retried once); the reply is lost",
    ]


async def ask_during(emu: Emulator, n: int) -> tuple[int | InteractionHandle, ...]:
    """A mention and a /ask, the n-th pair of questions."""
    asked = await emu.send_message(f"{QUESTIONS[n % 4]} ({n})", mentions=[emu.bot_user])
    handle = await emu.send_slash("ask", {"question": f"{QUESTIONS[(n + 1) % 4]} ({n})"})
    return int(asked["id"]), handle


@pytest.mark.parametrize("abort", [False, True], ids=["close-4000", "tcp-reset"])
async def test_a_reconnect_storm_loses_no_question_and_answers_none_twice(
    emu: Emulator, live: DocqaBot, storage: Storage, abort: bool
) -> None:
    async with asyncio.timeout(TIMEOUT):
        asked = [await ask_during(emu, 0)]
        await emu.drop_gateway(times=5, abort=abort)
        for n in range(1, 6):  # during the storm: some land between drops, some in a gap
            asked.append(await ask_during(emu, n))
            await asyncio.sleep(0.05)
        await emu.wait_for_resume(TIMEOUT)  # the session resumes after the fifth drop
        asked.append(await ask_during(emu, 6))
        for mention, handle in asked:
            await emu.wait_for_message(predicate=lambda m, i=mention: replies_to(m, i))
            await handle.wait_response()
            await logged(storage, mention)
            await logged(storage, handle.id)
        await asyncio.sleep(0.3)  # time for any second answer to show up
    assert [emu.gateway_count(kind) for kind in ("DROP", "RESUME", "RESUMED")] == [5, 5, 1]
    assert emu.gateway_count("IDENTIFY") == 1  # every reconnect resumed the session
    for mention, handle in asked:
        assert answer_count(emu, mention) == 1
        assert len(handle.messages.items) == 1
        assert handle.callback_attempts == 1
    ids = [row for mention, handle in asked for row in (mention, handle.id)]
    assert len(ids) == len(set(ids)) == 14
    emu.assert_clean()


def replies_to(message: dict[str, object], asked_id: int) -> bool:
    reference = message.get("message_reference") or {}
    return reference.get("message_id") == str(asked_id)  # type: ignore[union-attr]
