"""Outages under real processes: another process holds the database's write lock for 10 s
while ``python -m bot`` (then killed with SIGKILL) or ``python -m bot --console`` answers.

Every answered question is durable before its answer goes out (in the database, or in the
journal beside it), so a kill loses none, and answering does not wait for the lock.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from discord_emulator import Emulator
from e2e.harness import QUESTION, START, TIMEOUT, TOKEN
from e2e.process import bot_process
from hardening_support import ask_by_mention, lock_in_another_process, rows

from bot.settings import DEFAULT_CORPUS
from bot.storage.journal import Journal, journal_path

pytestmark = pytest.mark.slow

OUTAGE = 10.0  # seconds the other process holds the write lock (at least)
DURING = 40  # questions answered during it
NO_COOLDOWN = {"DOCQA_ASK_COOLDOWN": "0"}  # one member asks them all
QUESTIONS = ("Who founded Nosotek?", QUESTION, "What is Koryolink?", "How much is a phone?")
LANDS_WITHIN = 15.0  # seconds for a restarted bot or a finished console to write the journal


def asked(n: int) -> str:
    return f"{QUESTIONS[n % len(QUESTIONS)]} ({n})"


async def ask_slowly(emu: Emulator, question: str) -> tuple[int, dict[str, Any]]:
    """Ask by mention; the first answer of an outage waits out the busy timeout (5 s)."""
    sent = await emu.send_message(question, mentions=[emu.bot_user])
    return int(sent["id"]), await emu.wait_for_message(after=sent, timeout=TIMEOUT)


def logged_ids(db_path: Path) -> set[int]:
    return {query_id for (query_id,) in rows(db_path, "SELECT id FROM queries")}


async def until_logged(db_path: Path, count: int) -> None:
    async with asyncio.timeout(LANDS_WITHIN):
        while len(logged_ids(db_path)) < count:
            await asyncio.sleep(0.05)


async def test_sigkill_during_an_outage_loses_no_answered_question(
    emu: Emulator, tmp_path: Path
) -> None:
    db_path = tmp_path / "docqa.db"
    async with bot_process(emu, tmp_path, TOKEN, name="killed", **NO_COOLDOWN) as bot:
        async with asyncio.timeout(START + TIMEOUT + OUTAGE + LANDS_WITHIN):
            await emu.wait_for_bot_ready(START)
            before, _ = await ask_by_mention(emu, QUESTION)
            await until_logged(db_path, 1)
            async with lock_in_another_process(db_path) as locked_at:
                answered = []
                for n in range(DURING):
                    query_id, reply = await ask_slowly(emu, asked(n))
                    assert reply["embeds"], reply
                    answered.append(query_id)
                bot.process.send_signal(signal.SIGKILL)
                assert await bot.wait() == -signal.SIGKILL
                assert logged_ids(db_path) == {before}  # none of them committed: locked out
                pending = Journal(journal_path(db_path)).entries()
                assert [entry.query_id for entry in pending] == answered
                await asyncio.sleep(max(0.0, locked_at + OUTAGE - time.monotonic()))

    async with bot_process(emu, tmp_path, TOKEN, name="again", **NO_COOLDOWN) as restarted:
        async with asyncio.timeout(START + TIMEOUT + LANDS_WITHIN):
            await emu.wait_for_bot_ready(START, start=len(emu.gateway_events))
            await until_logged(db_path, 1 + DURING)  # replayed at start-up, nothing asked
            assert await restarted.terminate() == 0, restarted.stderr
    assert logged_ids(db_path) == {before, *answered}  # 40 of 40, and each once
    assert rows(db_path, "SELECT count(*) FROM queries q WHERE hit_count != "
                "(SELECT count(*) FROM hits h WHERE h.query_id = q.id)") == [(0,)]  # fmt: skip
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert not journal_path(db_path).exists()


async def start_console(tmp_path: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DOCQA_"))}
    env |= {"DOCQA_CORPUS_DIR": str(DEFAULT_CORPUS), "DOCQA_LOG_LEVEL": "WARNING",
            "DOCQA_DB_PATH": str(tmp_path / "docqa.db")}  # fmt: skip
    with (tmp_path / "console.stderr").open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--console", cwd=tmp_path, env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=stderr,
        )  # fmt: skip


async def ask_console(console: asyncio.subprocess.Process, questions: list[str]) -> None:
    assert console.stdin is not None
    console.stdin.write("".join(f"{text}\n" for text in questions).encode())
    await console.stdin.drain()


async def printed(console: asyncio.subprocess.Process, answers: int, by: float | None) -> int:
    """Read the console's output until ``answers`` more answers are printed or the monotonic
    time ``by``; returns how many were. Each answer ends with its "Documents:" line."""
    assert console.stdout is not None
    seen = 0
    while seen < answers:
        left = None if by is None else by - time.monotonic()
        if left is not None and left <= 0:
            break
        try:
            line = await asyncio.wait_for(console.stdout.readline(), left)
        except TimeoutError:
            break
        assert line, "the console ended early"
        seen += line.startswith(b"Documents: ")
    return seen


async def test_the_console_keeps_answering_through_a_locked_database(tmp_path: Path) -> None:
    db_path = tmp_path / "docqa.db"
    console = await start_console(tmp_path)
    try:
        async with asyncio.timeout(TIMEOUT + OUTAGE + LANDS_WITHIN + 30.0):  # start-up builds
            await ask_console(console, [asked(n) for n in range(4)])
            assert await printed(console, 4, None) == 4
            async with lock_in_another_process(db_path) as locked_at:
                await ask_console(console, [asked(n) for n in range(4, 4 + DURING)])
                during = await printed(console, DURING, locked_at + OUTAGE)
            assert console.stdin is not None
            console.stdin.close()
            assert await printed(console, DURING - during, None) == DURING - during
            assert await console.wait() == 0, (tmp_path / "console.stderr").read_text()
    finally:
        if console.returncode is None:
            console.kill()
            await console.wait()
    assert during >= 30, f"{during} of {DURING} answers printed during the 10 s lock"
    assert len(logged_ids(db_path)) == 4 + DURING  # 44 of 44
    assert not journal_path(db_path).exists()


async def test_every_answer_the_console_printed_is_logged_when_it_is_killed(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "docqa.db"
    console = await start_console(tmp_path)
    try:
        async with asyncio.timeout(TIMEOUT + 30.0):  # start-up builds the index
            await ask_console(console, [asked(n) for n in range(60)])
            seen = await printed(console, 10, None)
            console.send_signal(signal.SIGKILL)
            assert await console.wait() == -signal.SIGKILL
    finally:
        if console.returncode is None:
            console.kill()
            await console.wait()
    assert console.stdout is not None
    seen += (await console.stdout.read()).count(b"\nDocuments: ")  # printed before the kill
    assert len(logged_ids(db_path)) >= seen >= 10


async def test_the_console_replays_the_journal_while_it_waits_for_input(tmp_path: Path) -> None:
    """Input kept open and idle: the retries and the replay run anyway, not at the next line."""
    db_path = tmp_path / "docqa.db"
    console = await start_console(tmp_path)
    try:
        async with asyncio.timeout(TIMEOUT + 30.0):  # start-up builds the index
            await ask_console(console, [asked(0)])
            assert await printed(console, 1, None) == 1
            async with lock_in_another_process(db_path):
                await ask_console(console, [asked(n) for n in range(1, 4)])
                assert await printed(console, 3, None) == 3
                assert journal_path(db_path).exists()
        async with asyncio.timeout(LANDS_WITHIN):  # the log retries at most 5 s apart
            while len(logged_ids(db_path)) < 4 or journal_path(db_path).exists():
                await asyncio.sleep(0.05)
        assert console.returncode is None  # stdin is still open: no line came after the lock
    finally:
        if console.returncode is None:
            console.kill()
            await console.wait()
    assert len(logged_ids(db_path)) == 4
