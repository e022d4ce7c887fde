"""``python -m bot --console``: the bot's answers in a terminal, one question per line.

As in the bot, each question's row is durable (in the database, or in the journal while the
database cannot take it) before its answer is printed, and answering never waits for the
database to come back. At end of input the delayed rows are given a last chance to land.
"""

from __future__ import annotations

import logging
from typing import TextIO

from bot.config import Settings
from bot.database import open_database
from bot.formatting import answer_text
from bot.index import load_engine
from bot.service import AskService, Origin
from retrieval import QueryError

__all__ = ["CONSOLE", "run_console"]

log = logging.getLogger(__name__)

CONSOLE = Origin("console", user_id=0)
PROMPT = "> "


async def run_console(settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    """Answer each line of ``stdin`` until end of input; exit status 0."""
    engine = await load_engine(
        settings.corpus_dir, settings.engine_options, settings.index_cache_dir
    )
    async with await open_database(settings) as storage:
        service = AskService(engine, storage, settings.default_k)
        interactive = stdin.isatty()
        while line := _read(stdin, stdout, interactive):
            if line.strip():
                await _answer(service, line, stdout)
        if interactive:
            stdout.write("\n")
        await service.drain()
    return 0


def _read(stdin: TextIO, stdout: TextIO, interactive: bool) -> str:
    """The next line, or "" at end of input; prompts only a person at a terminal."""
    if interactive:
        stdout.write(PROMPT)
        stdout.flush()
    # A blocking read on purpose: nothing else runs on this loop, and a reader thread would
    # keep Ctrl-C from ending the process until another line arrives.
    return stdin.readline()


async def _answer(service: AskService, question: str, stdout: TextIO) -> None:
    try:
        answer = await service.ask(question)
    except QueryError as error:
        stdout.write(f"error: {error}\n")
        return
    await service.record(answer, CONSOLE)  # first, as the bot does: a printed answer is logged
    stdout.write(answer_text(answer.result) + "\n\n")
    stdout.flush()
