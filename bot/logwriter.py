"""Writing the query log: every question committed promptly, and retried while it cannot be.

A write the database refuses for a reason that passes (another writer holds the lock past the
busy timeout, the file turned read-only, the disk is full) waits and tries again until it
lands, so an outage loses no question. The operator sees one warning when writes start
failing and one info line when they land again, not a line per question.
"""

from __future__ import annotations

import asyncio
import logging

from bot.records import QueryLog
from bot.storage import Storage, StorageError, StorageUnavailableError

__all__ = ["FIRST_RETRY", "LAST_RETRY", "QueryLogWriter"]

log = logging.getLogger(__name__)

FIRST_RETRY = 0.05  # seconds before the first retry; doubled up to LAST_RETRY
LAST_RETRY = 5.0


class QueryLogWriter:
    """Writes query log entries, each in a task of its own, retrying passing failures."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._pending: set[asyncio.Task[int | None]] = set()
        self._failing: str | None = None  # why writes fail, while they do

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(self, entry: QueryLog) -> asyncio.Task[int | None]:
        """Start writing ``entry`` in the background."""
        task = asyncio.create_task(self.write(entry), name=f"log-query-{entry.query_id}")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return task

    async def write(self, entry: QueryLog) -> int | None:
        """Write ``entry``, retrying while the database is unavailable; None if it cannot be."""
        delay = FIRST_RETRY
        while True:
            try:
                query_id = await self.storage.log_query(entry)
            except StorageUnavailableError as error:
                self._outage(error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, LAST_RETRY)
                continue
            except StorageError as error:
                log.error("Could not log query %s: %s; answering continues", entry.query_id, error)
                return None
            except Exception:
                log.exception("Could not log query %s; answering continues", entry.query_id)
                return None
            self._landed()
            return query_id

    def _outage(self, error: StorageUnavailableError) -> None:
        if self._failing is None:
            log.warning(
                "Cannot write the query log (%s); answering continues and the writes are "
                "retried until the database accepts them", error,
            )  # fmt: skip
        self._failing = str(error)

    def _landed(self) -> None:
        if self._failing is not None:
            log.info("The query log accepts writes again; delayed questions are being saved")
            self._failing = None

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for the writes in flight; after ``timeout`` seconds give up on them, loudly."""
        if not self._pending:
            return
        log.info("Flushing %d pending query log writes", len(self._pending))
        _, stuck = await asyncio.wait(set(self._pending), timeout=timeout)
        if stuck:
            for task in stuck:
                task.cancel()
            await asyncio.wait(stuck)
            log.error("%d questions were not logged: the database stayed unavailable (%s)",
                      len(stuck), self._failing or "writes did not finish in time")  # fmt: skip
