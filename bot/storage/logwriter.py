"""Writing the query log: questions committed promptly, together, and never lost.

One writer task commits whatever questions are waiting in one transaction (a group commit):
on a busy bot each write would otherwise queue behind the others, a few thread hops apiece.

When the database cannot take a write (another writer holds the lock past the busy timeout,
the file turned read-only or was replaced, the disk is full), the waiting questions go at
once to the journal (:mod:`bot.storage.journal`), on disk beside the database, and so does every
question asked while the outage lasts: an answer waits for its row to be durable, in the
database or the journal, never for the database to come back. The writer retries, and when
the database accepts writes again it replays the journal into it, oldest first; at start-up
it replays what a previous run left there. Only if the journal cannot be written either do
rows wait in memory (and answers stop waiting for them), retried until one of the two takes
them. Deletions (forget, retention) reach the questions waiting in memory and in the journal
exactly as those in the database.

The operator sees one line per change (:mod:`bot.storage.logstate`). The writer knows the database
only as a :class:`~bot.storage.logstore.QueryLogStore`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from bot.storage.journal import Journal
from bot.storage.logstate import WriteState
from bot.storage.logstore import QueryLogStore, RowRefusedError, StorageUnavailableError
from bot.storage.records import QueryIds, QueryLog, RowCounts

__all__ = ["FIRST_RETRY", "LAST_RETRY", "MAX_BATCH", "QueryLogWriter"]

log = logging.getLogger(__name__)

FIRST_RETRY = 0.05  # seconds before the first retry; doubled up to LAST_RETRY
LAST_RETRY = 5.0
MAX_BATCH = 200  # questions per transaction

_Item = tuple[QueryLog, "asyncio.Future[int | None]"]


class _JournalError(Exception):
    """The journal could not be rewritten after a replay (the rows are in the database)."""


Chosen = Callable[[QueryLog], bool]


class QueryLogWriter:
    """The questions waiting to be written, and the tasks that write them."""

    def __init__(self, store: QueryLogStore, journal: Journal) -> None:
        self.store = store
        self.journal = journal
        self._ids = QueryIds()
        self._queue: list[_Item] = []  # for the database; the front is what is being written
        self._spill: list[_Item] = []  # for the journal, while the database refuses writes
        self._task: asyncio.Task[None] | None = None  # the database writer
        self._spiller: asyncio.Task[None] | None = None  # the journal writer
        self._state = WriteState(journal.path)
        self._turn = asyncio.Lock()  # one database attempt or deletion at a time
        self._wake = asyncio.Event()  # ends a pause between retries (shutdown's last try)
        with contextlib.suppress(RuntimeError):  # no loop yet: the first question starts it
            if len(journal):
                self._start()

    @property
    def pending(self) -> int:
        """Questions not in the database yet: in memory and in the journal."""
        return len(self._queue) + len(self._spill) + len(self.journal)

    def waiting(self, query_id: int) -> QueryLog | None:
        """The question with this id if it is not in the database yet (queued or journaled)."""
        queued = (entry for entry, _ in (*self._queue, *self._spill) if entry.query_id == query_id)
        return next(queued, None) or self.journal.get(query_id)

    def submit(self, entry: QueryLog) -> asyncio.Future[int | None]:
        """Queue ``entry``; the future gives its query id once it is durable (committed or
        journaled), or None if the database refuses the row."""
        entry = self._with_id(entry)
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        if self._state.failing is None:
            self._queue.append((entry, future))
        else:
            self._spill.append((entry, future))
            self._start_spilling()
        self._start()
        return future

    async def record(self, entry: QueryLog, timeout: float) -> int:
        """Queue ``entry`` and return its query id once it is durable: committed, or journaled
        (at once while the database refuses writes, after ``timeout`` seconds if a write hangs).
        Returns at once while neither the database nor the journal takes rows: the row then
        waits in memory, retried. A copy journaled beside a late commit is harmless: a
        replay skips the questions the database holds."""
        entry = self._with_id(entry)
        query_id = int(entry.query_id or 0)  # set by ``_with_id``
        future = self.submit(entry)
        if self._state.stuck.is_set():
            return query_id
        stuck: asyncio.Future[object] = asyncio.ensure_future(self._state.stuck.wait())
        either: set[asyncio.Future[object]] = {future, stuck}  # type: ignore[arg-type]
        try:
            await asyncio.wait(either, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stuck.cancel()
        if not future.done() and not self._state.stuck.is_set():
            try:
                await self.journal.append([entry])
            except OSError as error:
                self._state.strand(str(error))
            self._start()
        return query_id

    def _with_id(self, entry: QueryLog) -> QueryLog:
        if entry.query_id is not None:
            return entry
        return replace(entry, query_id=self._ids.next(entry.created_at))

    async def write(self, entry: QueryLog) -> int | None:
        """Write ``entry`` and wait until it is durable (committed or journaled)."""
        return await self.submit(entry)

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="query-log-writer")

    def _start_spilling(self) -> None:
        if self._spiller is None or self._spiller.done():
            self._spiller = asyncio.create_task(self._spill_all(), name="query-log-journal")

    async def _run(self) -> None:
        delay = FIRST_RETRY
        while self._queue or len(self.journal):
            try:
                async with self._turn:
                    await self._attempt()
            except _JournalError as error:  # the database took the rows; the journal kept them
                self._state.strand(str(error))
            except Exception as error:  # unavailable, or a fault nobody foresaw: both retried
                self._state.outage(error)
                self._spill[:0] = self._queue  # older than those spilled meanwhile
                self._queue.clear()
                self._start_spilling()
            else:
                delay = FIRST_RETRY
                if not len(self.journal):
                    self._state.landed()
                continue
            await self._pause(delay)
            delay = min(delay * 2, LAST_RETRY)

    async def _pause(self, delay: float) -> None:
        """Sleep ``delay`` seconds between retries, or until :meth:`drain` asks for one now.
        (``asyncio.wait``, not ``wait_for``: Python 3.11's can swallow a cancellation.)"""
        wake = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({wake}, timeout=delay)
        finally:
            wake.cancel()
        self._wake.clear()

    async def _attempt(self) -> None:
        """One transaction: the journal's oldest rows first, else the queue's."""
        if len(self.journal):
            batch = self.journal.entries()[:MAX_BATCH]
            await self._each(self.store.replay_queries, batch)
            try:
                await self.journal.remove(int(entry.query_id or 0) for entry in batch)
            except OSError as error:
                raise _JournalError(str(error)) from error
        elif self._queue:
            items = self._queue[:MAX_BATCH]
            ids = await self._each(self.store.log_queries, [entry for entry, _ in items])
            del self._queue[: len(items)]
            _resolve(items, ids)

    async def _each(
        self, write: Callable[[Sequence[QueryLog]], Awaitable[list[int]]], batch: list[QueryLog]
    ) -> list[int | None]:
        """``write`` the batch; if the database refuses a row, write them one by one to learn
        which, and drop that one with an error line. Returns each entry's id or None."""
        try:
            await write(batch)
            return [entry.query_id for entry in batch]
        except RowRefusedError:
            if len(batch) == 1:
                log.error("Could not log query %s; the database refuses it", batch[0].query_id)
                return [None]
        ids: list[int | None] = []
        for entry in batch:
            ids += await self._each(write, [entry])
        return ids

    async def _spill_all(self) -> None:
        """Append what waits for the journal, all of it in one synced write per round."""
        while self._spill:
            items = list(self._spill)
            taken = {id(item) for item in items}
            try:
                await self.journal.append([entry for entry, _ in items])
            except Exception as error:  # OSError, or a fault nobody foresaw: retried
                self._state.strand(str(error))
                # All of them (and any that came meanwhile) go back to the database writer,
                # which retries them and, while the database still refuses, this again.
                self._queue[:0] = self._spill
                self._spill = []
                self._start()  # (it may have finished while this ran: its queue was empty)
                return
            self._spill = [item for item in self._spill if id(item) not in taken]
            _resolve(items, [entry.query_id for entry, _ in items])
            self._state.unstrand()
            self._start()  # to replay them once the database is back

    async def forget(self, chosen: Chosen, delete: Callable[[], Awaitable[RowCounts]]) -> RowCounts:
        """Delete the questions ``chosen`` picks wherever they wait, then run ``delete`` (the
        same deletion in the database); returns the rows removed, all places together.

        Raises what ``delete`` raises; the waiting copies are gone by then, never replayed.
        """
        async with self._turn:  # no batch is being written meanwhile
            waiting = [item for item in (*self._queue, *self._spill) if chosen(item[0])]
            self._queue = [item for item in self._queue if not chosen(item[0])]
            self._spill = [item for item in self._spill if not chosen(item[0])]
            _resolve(waiting, [None] * len(waiting))
            try:
                gone = [entry for entry, _ in waiting] + await self.journal.drop(chosen)
            except OSError as error:  # e.g. a read-only folder: the deletion cannot be kept
                raise StorageUnavailableError(f"cannot rewrite the journal: {error}") from error
            counts = await delete()
        return replace(
            counts,
            queries=counts.queries + len(gone),
            hits=counts.hits + sum(len(entry.hits) for entry in gone),
        )

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for the waiting writes (on shutdown); after ``timeout`` seconds journal what
        is left, and give up only on rows the journal cannot take either, loudly."""
        if not self.pending:
            return
        log.info("Flushing %d pending query log writes", self.pending)
        if await self._settle(timeout):
            return
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task})
        if self._spiller is not None:
            await asyncio.wait({self._spiller})
        self._spill[:0] = self._queue
        self._queue.clear()
        await self._spill_all()
        if len(self.journal):
            log.warning("%d answered questions wait in the journal %s; they are written to "
                        "the database at the next start", len(self.journal),
                        self.journal.path)  # fmt: skip
        if lost := list(self._queue):
            self._queue.clear()
            _resolve(lost, [None] * len(lost))
            log.error("Gave up on %d query log writes: neither the database nor the journal "
                      "took them (%s)", len(lost), self._state.reason)  # fmt: skip

    async def _settle(self, timeout: float | None) -> bool:
        """Wait until nothing is pending (True), or ``timeout`` seconds pass, or a last try
        of the database (made at once) fails while every waiting row is journaled (False)."""
        failures = self._state.failures
        self._wake.set()
        try:
            async with asyncio.timeout(timeout):
                while self.pending:
                    if self._state.failures > failures and not (self._queue or self._spill):
                        return False  # durable in the journal: no use waiting longer
                    if self._queue or len(self.journal):
                        self._start()
                    running = {t for t in (self._task, self._spiller) if t and not t.done()}
                    if not running:
                        return False
                    self._state.failed.clear()
                    failed = asyncio.ensure_future(self._state.failed.wait())
                    await asyncio.wait({*running, failed}, return_when=asyncio.FIRST_COMPLETED)
                    failed.cancel()
        except TimeoutError:
            return False
        return True


def _resolve(items: Sequence[_Item], ids: Sequence[int | None]) -> None:
    for (_, future), query_id in zip(items, ids, strict=True):
        if not future.done():
            future.set_result(query_id)
