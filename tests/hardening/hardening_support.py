"""Small helpers the hardening tests share: asking over the emulator, reading the log lines."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from discord_emulator import Emulator

__all__ = ["ask_by_mention", "problems", "rows", "write_lock_held"]


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
