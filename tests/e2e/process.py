"""``python -m bot`` as a child process pointed at the emulator, as an operator would run it.

Its settings come only from the environment it is given (DISCORD_TOKEN, DISCORD_API_BASE,
DISCORD_GATEWAY_URL, DOCQA_*; none inherited from the test's shell). Its output goes to
files in the data folder, so a chatty bot never blocks on a full pipe and a failing test
can show the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from discord_emulator import Emulator

from bot.settings import DEFAULT_CORPUS

__all__ = ["BotProcess", "bot_env", "bot_process"]

log = logging.getLogger(__name__)

STOP_TIMEOUT = 10.0


def bot_env(emu: Emulator, data_dir: Path, token: str, **extra: str) -> dict[str, str]:
    """The parent's environment without DISCORD_*/DOCQA_*, plus the bot's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DOCQA_"))}
    env |= {
        "DISCORD_TOKEN": token,
        "DISCORD_API_BASE": emu.api_base,
        "DISCORD_GATEWAY_URL": emu.gateway_url,
        "DOCQA_CORPUS_DIR": str(DEFAULT_CORPUS),
        "DOCQA_DB_PATH": str(data_dir / "docqa.db"),
        "DOCQA_DEV_GUILD_ID": str(emu.guild.id),
        "DOCQA_LOG_LEVEL": "WARNING",
    }
    return env | extra


@dataclass
class BotProcess:
    """A running ``python -m bot``; its output is in ``stdout_path`` and ``stderr_path``."""

    process: asyncio.subprocess.Process
    stdout_path: Path
    stderr_path: Path

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    async def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def terminate(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM, as a service manager stops it; returns the exit status."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await self.wait(timeout)


@contextlib.asynccontextmanager
async def bot_process(
    emu: Emulator, data_dir: Path, token: str, *, name: str = "bot", **extra_env: str
) -> AsyncIterator[BotProcess]:
    """Start the bot; on exit it is killed if the test left it running."""
    out, err = data_dir / f"{name}.stdout", data_dir / f"{name}.stderr"
    env = bot_env(emu, data_dir, token, **extra_env)
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=data_dir, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=stdout, stderr=stderr,
        )  # fmt: skip
    running = BotProcess(process, out, err)
    try:
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
