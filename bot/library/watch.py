"""Uploads shared by several processes: when one rebuilds a server's engine, the others follow.

The processes share the uploads folder (``DOCQA_UPLOADS_DIR``) and the PostgreSQL database.
After an upload, a removal or a reindex, the process that did it adds one to the server's row
in ``library_versions``; every process reads those rows every :data:`POLL` seconds and
rebuilds the engine of each server whose number moved, from the shared folder. With SQLite
(one process per database) nothing is announced and nothing is watched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.engines import EngineRegistry
from bot.storage.database import Database
from bot.storage.logstore import StorageError

__all__ = ["POLL", "LibraryWatch"]

log = logging.getLogger(__name__)

POLL = 2.0  # seconds between two reads of the versions: how late another process catches up


class LibraryWatch:
    """Announces this process's rebuilds and follows the others'; :meth:`start`, :meth:`stop`."""

    def __init__(self, storage: Database, engines: EngineRegistry, poll: float = POLL) -> None:
        self._storage = storage
        self._engines = engines
        self._poll = poll
        self._seen: dict[int, int] = {}  # guild id -> the version this process's engine has
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    async def start(self) -> None:
        """Note the versions as they are (the engines were just built from the folder), then
        follow changes in the background."""
        with contextlib.suppress(StorageError):
            self._seen = await self._storage.library_versions()
        self._engines.announce = self.announce
        self._task = asyncio.create_task(self._follow(), name="docqa-library-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def announce(self, guild_id: int) -> None:
        """Tell the other processes that ``guild_id``'s uploads changed; a database outage
        is one warning (they catch up at the next change, or at their restart)."""
        try:
            self._seen[guild_id] = await self._storage.bump_library(guild_id)
        except StorageError as error:
            log.warning("Could not tell the other processes that server %s's documents "
                        "changed: %s", guild_id, error)  # fmt: skip

    async def check(self) -> list[int]:
        """Rebuild the engines of servers whose version moved; returns their ids."""
        versions = await self._storage.library_versions()
        moved = [gid for gid, version in versions.items() if self._seen.get(gid) != version]
        for guild_id in moved:
            await self._engines.rebuild_guild(guild_id, announce=False)
            self._seen[guild_id] = versions[guild_id]
            log.info("Rebuilt server %s's engine: its documents changed in another process",
                     guild_id)  # fmt: skip
        return moved

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(self._poll)
            try:
                await self.check()
            except StorageError as error:
                if not self._failing:
                    log.warning("Cannot read which servers' documents changed: %s", error)
                self._failing = True
            else:
                self._failing = False
