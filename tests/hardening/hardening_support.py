"""Small helpers the hardening tests share: asking over the emulator, reading the log lines."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from discord_emulator import Emulator

__all__ = [
    "MASKED_LINK",
    "ask_by_mention",
    "lock_in_another_process",
    "problems",
    "rendered",
    "rows",
    "write_lock_held",
]

MASKED_LINK = re.compile(r"(?<!\\)\[[^\]\n]*\]\(")  # [text](url) with a live "["
# What Discord's Markdown turns into a link (its "url" rule): no formatting applies inside it.
DISCORD_LINK = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s]")


async def ask_by_mention(emu: Emulator, question: str, **send: Any) -> tuple[int, dict[str, Any]]:
    """Mention the bot with ``question``; returns the message id and the bot's reply."""
    asked = await emu.send_message(question, mentions=[emu.bot_user], **send)
    reply = await emu.wait_for_message(after=asked)
    return int(asked["id"]), reply


def problems(caplog: pytest.LogCaptureFixture, prefix: str = "bot.") -> list[str]:
    """The WARNING-or-worse lines docqa's own loggers wrote: what an operator would see."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING and record.name.startswith(prefix)
    ]


def rows(db_path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows read with the standard library, not through the code under test."""
    with sqlite3.connect(db_path) as db:
        return list(db.execute(sql, params))


@contextmanager
def write_lock_held(db_path: Path) -> Iterator[None]:
    """Another process's writer holding the database's write lock until the block ends."""
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


_HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()  # until the test closes it (or dies)
db.execute("ROLLBACK")
"""


@asynccontextmanager
async def lock_in_another_process(db_path: Path) -> AsyncIterator[float]:
    """A separate Python process holding the database's write lock until the block ends;
    yields the ``time.monotonic()`` at which it took the lock."""
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _HOLD_LOCK, str(db_path),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert holder.stdin is not None
    assert holder.stdout is not None
    try:
        assert await asyncio.wait_for(holder.stdout.readline(), 10.0) == b"locked\n"
        yield time.monotonic()
    finally:
        holder.stdin.close()
        try:
            await asyncio.wait_for(holder.wait(), 10.0)
        except TimeoutError:
            holder.kill()
            await holder.wait()


def rendered(markdown: str) -> tuple[str, list[tuple[int, int]]]:
    """How Discord shows ``markdown`` built by the highlighter: the literal text, and the
    bold runs as spans of it. Fails on markup the highlighter must never leave live."""
    text: list[str] = []
    runs: list[tuple[int, int]] = []
    bold_from: int | None = None
    i = 0
    while i < len(markdown):
        char = markdown[i]
        if link := DISCORD_LINK.match(markdown, i):  # Discord shows a link's text as written
            text.extend(link.group())
            i = link.end()
        elif char == "\\":
            assert i + 1 < len(markdown), f"a lone trailing backslash in {markdown!r}"
            text.append(markdown[i + 1])
            i += 2
        elif markdown.startswith("**", i):
            assert not markdown.startswith("*", i + 2), f"'***' or '****' in {markdown!r}"
            if bold_from is None:
                bold_from = len(text)
            else:
                assert len(text) > bold_from, f"an empty bold run in {markdown!r}"
                runs.append((bold_from, len(text)))
                bold_from = None
            i += 2
        else:
            assert char not in "*_~`|[]", f"live {char!r} at {i} in {markdown!r}"
            at_line_start = i == 0 or markdown[i - 1] == "\n"
            assert not (at_line_start and char in ">#-"), f"live {char!r} in {markdown!r}"
            text.append(char)
            i += 1
    assert bold_from is None, f"an unclosed bold run in {markdown!r}"
    return "".join(text), runs
