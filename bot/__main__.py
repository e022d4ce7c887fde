"""``python -m bot``: run the Discord bot, or ``--console`` to ask from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

import aiohttp
import discord
from pydantic import ValidationError

from bot.app import DocqaBot, make_bot
from bot.console import run_console
from bot.discord_patches import use_endpoints
from bot.settings import Settings, describe_error, unknown_settings
from bot.signals import on_shutdown_signals
from bot.storage.database import open_database
from bot.storage.dbfile import check_path
from bot.storage.logstore import StorageError
from retrieval import RetrievalError

__all__ = ["main"]

log = logging.getLogger(__name__)

NO_TOKEN = (
    "error: DISCORD_TOKEN is not set; put it in the environment or in .env "
    "(see .env.example), or run `python -m bot --console` to ask from the terminal"
)
BAD_TOKEN = "error: Discord rejected DISCORD_TOKEN; check the bot token in .env or the environment"

# discord.py's own format for a stream without colour.
PLAIN_LOG = logging.Formatter("[{asctime}] [{levelname:<8}] {name}: {message}", "%Y-%m-%d %H:%M:%S",
                              style="{")  # fmt: skip


class StartupError(Exception):
    """A one-line reason the bot cannot start; exit status 2 (settings) unless told otherwise."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument(
        "--console", action="store_true", help="answer questions typed (or piped) on stdin"
    )
    parser.add_argument(
        "--has-token", action="store_true",
        help="exit 0 if DISCORD_TOKEN is set (environment or .env), 1 if not; prints nothing",
    )  # fmt: skip
    parser.add_argument(
        "--sync-global", action="store_true", help="sync slash commands to every server on start"
    )
    return parser


def _close_on_signals(bot: DocqaBot) -> None:
    """SIGINT/SIGTERM close the bot, which flushes pending log writes before the database shuts."""
    loop = asyncio.get_running_loop()
    closing: set[asyncio.Task[None]] = set()

    def close() -> None:
        task = loop.create_task(bot.close())
        closing.add(task)
        task.add_done_callback(closing.discard)

    on_shutdown_signals(close)


async def _run_bot(settings: Settings, sync_global: bool) -> None:
    token = settings.discord_token
    if token is None:
        raise StartupError(NO_TOKEN)
    use_endpoints(settings)
    async with (
        await open_database(settings) as storage,
        make_bot(settings, storage, sync_global=sync_global) as bot,
    ):
        _close_on_signals(bot)
        try:
            await bot.start(token.get_secret_value())
        except discord.LoginFailure:
            raise StartupError(BAD_TOKEN) from None
        except (aiohttp.ClientError, OSError) as exc:  # at login; later drops are retried
            where = settings.discord_api_base
            raise StartupError(f"error: cannot reach Discord at {where}: {exc}", 1) from None


def _run(args: argparse.Namespace, settings: Settings) -> int:
    check_path(settings.db_path)  # before anything is built beside it
    if args.console:
        return asyncio.run(run_console(settings, sys.stdin, sys.stdout))
    asyncio.run(_run_bot(settings, args.sync_global))
    return 0


def _setup_logging(level: int) -> None:
    """discord.py's log lines on stderr, coloured only at a terminal: left to decide,
    discord.py colours any stream inside Docker, so a file or pipe would get ANSI codes."""
    handler = logging.StreamHandler()
    if handler.stream.isatty():
        discord.utils.setup_logging(handler=handler, level=level)
    else:
        discord.utils.setup_logging(handler=handler, formatter=PLAIN_LOG, level=level)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"error: {describe_error(error)}", file=sys.stderr)
        return 2
    if args.has_token:  # what `make run` asks, so "configured" means what the bot reads
        return 0 if settings.discord_token is not None else 1
    _setup_logging(logging.getLevelNamesMapping()[settings.log_level])
    if unknown := unknown_settings(os.environ):
        log.warning("Ignored unknown settings: %s", ", ".join(unknown))
    try:
        return _run(args, settings)
    except (StartupError, StorageError, RetrievalError) as error:
        message = str(error)
        print(message if message.startswith("error:") else f"error: {message}", file=sys.stderr)
        return error.status if isinstance(error, StartupError) else 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
