"""``python -m bot --console``: the bot's answers in a terminal, one question per line.

As in the bot, each question's row is durable (in the database, or in the journal while the
database cannot take it) before its answer is printed, and answering never waits for the
database to come back. At end of input the delayed rows are given a last chance to land.
"""

from __future__ import annotations

import asyncio
from typing import TextIO

from bot.answering import AskService, Origin
from bot.engines import EngineSet, seed_engine
from bot.lines import LineReader
from bot.settings import Settings
from bot.signals import on_shutdown_signals
from bot.storage.database import open_database
from bot.ui.terminal import answer_text
from retrieval import QueryError

__all__ = ["CONSOLE", "run_console"]


CONSOLE = Origin("console", user_id=0)
PROMPT = "> "


async def run_console(settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    """Answer each line of ``stdin`` until end of input, Ctrl-C or SIGTERM; exit status 0."""
    async with await open_database(settings) as storage:  # checked before any build
        engines = EngineSet(await seed_engine(settings))  # no servers: the seeds answer
        service = AskService(engines, storage, settings.default_k)
        interactive = stdin.isatty()
        lines = LineReader(stdin)
        stop = asyncio.Event()
        on_shutdown_signals(stop.set)  # once answering starts; before, they end the process
        while line := await _read(lines, stop, stdout, interactive):
            if line.strip():
                await _answer(service, line, stdout)
        if interactive:
            stdout.write("\n")
        await service.drain()
    return 0


async def _read(lines: LineReader, stop: asyncio.Event, stdout: TextIO, interactive: bool) -> str:
    """The next line, or "" at end of input or once ``stop`` is set; prompts only a person at
    a terminal. The loop keeps running meanwhile: the log retries the database and replays
    its journal."""
    if stop.is_set():
        return ""
    if interactive:
        stdout.write(PROMPT)
        stdout.flush()
    reading = asyncio.ensure_future(lines.readline())
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait((reading, stopping), return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if not reading.done():
        reading.cancel()
        return ""
    return reading.result()


async def _answer(service: AskService, question: str, stdout: TextIO) -> None:
    try:
        answer = await service.answer(question, CONSOLE)  # logged first, as the bot does
    except QueryError as error:
        stdout.write(f"error: {error}\n")
        return
    stdout.write(answer_text(answer.result) + "\n\n")
    stdout.flush()
