"""Writing the query log: questions committed promptly, together, and retried until they land.

One writer task commits whatever questions are waiting in one transaction (a group commit):
on a busy bot each write would otherwise queue behind the others, a few thread hops apiece.
A write the database refuses for a reason that passes (another writer holds the lock past
the busy timeout, the file turned read-only, the disk is full) waits and tries again, so an
outage loses no question. The operator sees one warning when writes start failing and one
info line when they land again, not a line per question.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.records import QueryLog
from bot.storage import Storage, StorageError, StorageUnavailableError

__all__ = ["FIRST_RETRY", "LAST_RETRY", "MAX_BATCH", "QueryLogWriter"]

log = logging.getLogger(__name__)

FIRST_RETRY = 0.05  # seconds before the first retry; doubled up to LAST_RETRY
LAST_RETRY = 5.0
MAX_BATCH = 200  # questions per transaction

_Item = tuple[QueryLog, "asyncio.Future[int | None]"]


class QueryLogWriter:
    """A queue of query log entries and the one task that writes them, oldest first."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._queue: list[_Item] = []  # the front is what the writer task is writing
        self._task: asyncio.Task[None] | None = None
        self._failing: str | None = None  # why writes fail, while they do
        self._trouble = asyncio.Event()  # set while writes fail

    @property
    def pending(self) -> int:
        return len(self._queue)

    def submit(self, entry: QueryLog) -> asyncio.Future[int | None]:
        """Queue ``entry``; the future gives its query id once committed (None if it cannot be)."""
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._queue.append((entry, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="query-log-writer")
        return future

    async def settled(self, future: asyncio.Future[int | None], timeout: float) -> None:
        """Return once ``future``'s write is committed, or writes are failing (then at once),
        or after ``timeout`` seconds, whichever is first. The write itself goes on."""
        if self._failing is not None:
            return
        trouble: asyncio.Future[object] = asyncio.ensure_future(self._trouble.wait())
        either: set[asyncio.Future[object]] = {future, trouble}  # type: ignore[arg-type]
        try:
            await asyncio.wait(either, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            trouble.cancel()

    async def write(self, entry: QueryLog) -> int | None:
        """Write ``entry`` now (retrying while the database is unavailable)."""
        return await self.submit(entry)

    async def _run(self) -> None:
        delay = FIRST_RETRY
        while self._queue:
            try:
                await self._write(self._queue[:MAX_BATCH])
            except StorageUnavailableError as error:
                self._outage(error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, LAST_RETRY)
                continue
            delay = FIRST_RETRY
            self._landed()

    async def _write(self, batch: list[_Item]) -> None:
        entries = [entry for entry, _ in batch]
        if len(batch) > 1 and all(entry.query_id is not None for entry in entries):
            try:
                ids = await self.storage.log_queries(entries)
            except StorageUnavailableError:
                raise
            except Exception:
                pass  # one of them is refused: write them one by one to learn which
            else:
                self._done(batch, ids)
                return
        for item in batch:
            self._done([item], [await self._write_one(item[0])])

    async def _write_one(self, entry: QueryLog) -> int | None:
        try:
            return await self.storage.log_query(entry)
        except StorageUnavailableError:
            raise
        except StorageError as error:
            log.error("Could not log query %s: %s; answering continues", entry.query_id, error)
        except Exception:
            log.exception("Could not log query %s; answering continues", entry.query_id)
        return None

    def _done(self, items: list[_Item], ids: Sequence[int | None]) -> None:
        del self._queue[: len(items)]
        for (_, future), query_id in zip(items, ids, strict=True):
            if not future.done():
                future.set_result(query_id)

    def _outage(self, error: StorageUnavailableError) -> None:
        if self._failing is None:
            log.warning(
                "Cannot write the query log (%s); answering continues and the writes are "
                "retried until the database accepts them", error,
            )  # fmt: skip
        self._failing = str(error)
        self._trouble.set()

    def _landed(self) -> None:
        if self._failing is not None:
            log.info("The query log accepts writes again; the delayed questions are saved")
            self._failing = None
            self._trouble.clear()

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for the queued writes; after ``timeout`` seconds give up on them, loudly."""
        if not self._queue or self._task is None:
            return
        log.info("Flushing %d pending query log writes", len(self._queue))
        _, stuck = await asyncio.wait({self._task}, timeout=timeout)
        if stuck:
            self._task.cancel()
            await asyncio.wait(stuck)
            lost = list(self._queue)
            self._done(lost, [None] * len(lost))
            log.error("Gave up on %d query log writes: the database stayed unavailable (%s)",
                      len(lost), self._failing or "writes did not finish in time")  # fmt: skip
