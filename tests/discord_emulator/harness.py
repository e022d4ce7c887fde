"""Run a real discord.py client against an :class:`~.emulator.Emulator`, in-process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, TypeVar

import discord  # noqa: TID251 (tests drive a real discord.py client)
import yarl
from discord.gateway import DiscordWebSocket  # noqa: TID251
from discord.http import Route  # noqa: TID251

if TYPE_CHECKING:
    from .emulator import Emulator

log = logging.getLogger(__name__)

ClientT = TypeVar("ClientT", bound=discord.Client)
DEFAULT_TOKEN = "emulator-token"


@contextlib.contextmanager
def point_discord_py_at(emu: Emulator) -> Iterator[None]:
    """Point discord.py's two hard-coded Discord addresses at the emulator, then restore them.

    * ``discord.http.Route.BASE``: every REST call, including the interaction webhook
      (callbacks, follow-ups, @original) which builds its URLs from the same Route class.
    * ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``: a plain ``discord.Client`` never
      asks ``GET /gateway/bot``; it connects straight to this URL (so does an
      AutoShardedClient given a shard_count; without one it asks, and the emulator answers
      with its own URL). Resumes go to READY's resume_gateway_url,
      which is the emulator too.
    """
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = emu.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway


@contextlib.asynccontextmanager
async def running_client(
    emu: Emulator, client: ClientT, *, token: str = DEFAULT_TOKEN, ready_timeout: float = 5.0
) -> AsyncIterator[ClientT]:
    """Log `client` in, connect it, wait for on_ready; close it on exit.

    Build the client with a small ``guild_ready_timeout`` (e.g. 0.05): discord.py waits that
    long after the last GUILD_CREATE before on_ready (2 s by default).
    """
    with point_discord_py_at(emu):
        tasks: list[asyncio.Task[None]] = []
        try:
            await client.login(token)
            connect = asyncio.create_task(client.connect(reconnect=True), name="discord-connect")
            ready = asyncio.create_task(client.wait_until_ready())
            tasks += [connect, ready]
            await _wait_ready(connect, ready, ready_timeout)
            yield client
        finally:
            await client.close()  # also closes the HTTP session when login failed
            for task in reversed(tasks):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, 5.0)


async def _wait_ready(
    connect: asyncio.Task[None], ready: asyncio.Task[None], timeout: float
) -> None:
    done, _ = await asyncio.wait(
        {connect, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if connect in done:
        connect.result()  # re-raise why the client stopped
        raise RuntimeError("discord client stopped before becoming ready")
    if ready not in done:
        raise TimeoutError(f"discord client not ready within {timeout}s")
