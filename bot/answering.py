"""The one path of a question: :meth:`AskService.answer` validates it once, picks the server's
engine, searches off the event loop and records the row; handlers only render and send.

The row is durable before the answer is sent, so an answer someone received is never
missing from the log, even if the process is killed right after sending it. Normally that
is a commit, about a millisecond; while the database cannot take writes it is an append to
the journal beside it, about as quick, and the rows are replayed into the database once it
can (:mod:`bot.storage.logwriter`, :mod:`bot.storage.journal`). Deleting a member's
questions, or old ones, reaches the journal too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.engines import Engines
from bot.restore import rebuild_hits
from bot.storage.database import Database
from bot.storage.journal import Journal
from bot.storage.logstore import StorageUnavailableError, UnknownQueryError
from bot.storage.logwriter import QueryLogWriter
from bot.storage.records import HitRow, QueryLog, RowCounts, Source, VoteChange, utc_now
from bot.storage.sqlite_driver import BUSY_TIMEOUT
from retrieval import Hit, QueryError, SearchEngine, SearchResult, validate_question

__all__ = [
    "DRAIN_TIMEOUT",
    "NUL_REFUSAL",
    "RECORD_WAIT",
    "Answer",
    "AskService",
    "Origin",
    "check_question",
    "hit_rows",
]

log = logging.getLogger(__name__)

# Seconds an answer waits at most for its row (normally ~1 ms): past the busy timeout a write
# has failed and the row is journaled, so this is only reached when a write hangs.
RECORD_WAIT = BUSY_TIMEOUT + 1.0
DRAIN_TIMEOUT = 10.0  # seconds shutdown waits for writes in flight before journaling them

NUL_REFUSAL = "the question contains a NUL character; remove it and ask again"


def check_question(question: str) -> str:
    """The question as searched and logged (see ``validate_question``), or a
    :class:`QueryError`; one refusal for the console, slash commands and mentions alike.

    A NUL is refused: SQLite's text functions and its shell end a text there, so the log
    would show the question cut short.
    """
    text = validate_question(question)
    if "\x00" in text:
        raise QueryError(NUL_REFUSAL)
    return text


@dataclass(frozen=True, slots=True)
class Answer:
    """A search result with what the log needs to know about producing it; ``query_id`` is
    its row's id in the query log (the buttons under the answer carry it)."""

    result: SearchResult
    k: int
    latency_ms: float
    asked_at: datetime
    query_id: int


@dataclass(frozen=True, slots=True)
class Origin:
    """Who asked, where and how; ``query_id`` is the asking interaction's or message's id."""

    source: Source
    user_id: int
    guild_id: int | None = None
    channel_id: int | None = None
    query_id: int | None = None


class AskService:
    """Answers questions from the server's engine and logs each before it is sent."""

    def __init__(
        self,
        engines: Engines,
        storage: Database,
        default_k: int,
        journal: Journal | None = None,
    ) -> None:
        """``journal`` defaults to the one beside the database; it is replayed at once."""
        self.engines = engines
        self.storage = storage
        self.default_k = default_k
        self.writer = QueryLogWriter(storage, journal or Journal(storage.journal_path))

    async def answer(
        self,
        question: str,
        origin: Origin,
        k: int | None = None,
        *,
        before_search: Callable[[], Awaitable[object]] | None = None,
    ) -> Answer:
        """Answer ``question`` from the engine of ``origin``'s server, and log it.

        The question is checked first (:func:`check_question`, raising :class:`QueryError`),
        then ``before_search`` is awaited (a slash command's ``defer``: a refusal is answered
        before it), then the search runs in a worker thread with ``k`` hits (default: the
        bot's). The answer is returned once its row is durable, committed or journaled (at
        once while neither takes writes: the row waits in memory, retried; after
        ``RECORD_WAIT`` seconds if a write hangs), so an answer sent is never missing from
        the log.
        """
        text = check_question(question)
        if before_search is not None:
            await before_search()
        k = k or self.default_k
        asked_at = utc_now()
        started = time.perf_counter()
        engine = self.engines.for_guild(origin.guild_id)
        result = await asyncio.to_thread(engine.search, text, k)
        latency_ms = (time.perf_counter() - started) * 1000
        log.debug("Answered %r with %d hits in %.1f ms", text, len(result.hits), latency_ms)
        entry = query_log(result, k, latency_ms, asked_at, origin)
        query_id = await self.writer.record(entry, RECORD_WAIT)
        return Answer(result, k, latency_ms, asked_at, query_id)

    async def drain(self, timeout: float = DRAIN_TIMEOUT) -> None:
        """Wait for background writes still in flight (on shutdown); what the database has
        not taken by then stays in the journal for the next start."""
        await self.writer.drain(timeout)

    async def forget_user(self, user_id: int) -> RowCounts:
        """Delete everything logged about a user, everywhere (/forget-me)."""
        return await self.writer.forget(
            lambda entry: entry.user_id == user_id, lambda: self.storage.delete_user(user_id)
        )

    async def forget_member(self, user_id: int, guild_id: int) -> RowCounts:
        """Delete what a member left in one guild (/docqa forget)."""
        return await self.writer.forget(
            lambda entry: entry.user_id == user_id and entry.guild_id == guild_id,
            lambda: self.storage.delete_user_in_guild(user_id, guild_id),
        )

    async def purge(self, days: int, now: datetime | None = None) -> RowCounts:
        """Delete questions asked more than ``days`` days before ``now`` (retention)."""
        now = now or utc_now()
        cutoff = now - timedelta(days=days)
        return await self.writer.forget(
            lambda entry: entry.created_at < cutoff,
            lambda: self.storage.purge_older_than(days, now),
        )

    async def restore(self, query_id: int) -> Answer | None:
        """A logged answer rebuilt from the log (or from the questions still waiting to be
        written, during an outage) and the engine; None if it was never logged."""
        entry = self.writer.waiting(query_id) or await self._logged(query_id)
        if entry is None:
            return None
        engine = self.engines.for_guild(entry.guild_id)
        live = await asyncio.to_thread(self._search_or_none, engine, entry.question, entry.k)
        result = SearchResult(
            entry.question, rebuild_hits(engine, entry.hits, live), entry.answered
        )
        return Answer(result, entry.k, entry.latency_ms, entry.created_at, query_id)

    async def _logged(self, query_id: int) -> QueryLog | None:
        row = await self.storage.get_query(query_id)
        if row is None:
            return None
        hits = await self.storage.get_hits(query_id)
        return QueryLog(
            row.created_at, row.user_id, row.source, row.question, row.k, row.answered,
            row.latency_ms, hits, row.guild_id, row.channel_id, row.id,
        )  # fmt: skip

    def _search_or_none(self, engine: SearchEngine, question: str, k: int) -> SearchResult | None:
        try:
            return engine.search(question, k)
        except QueryError:
            return None

    async def vote(self, query_id: int, user_id: int, vote: int) -> VoteChange:
        """Record a vote; raises :class:`StorageUnavailableError` while the question itself
        waits to be written (the member is asked to try again), UnknownQueryError if it was
        never logged."""
        try:
            return await self.storage.record_vote(query_id, user_id, vote)
        except UnknownQueryError:
            if self.writer.waiting(query_id) is None:
                raise
        raise StorageUnavailableError("the question is not in the database yet")


def query_log(
    result: SearchResult, k: int, latency_ms: float, asked_at: datetime, origin: Origin
) -> QueryLog:
    """The row of one answered question, as the log keeps it."""
    return QueryLog(
        created_at=asked_at,
        user_id=origin.user_id,
        source=origin.source,
        question=result.query,
        k=k,
        answered=result.answered,
        latency_ms=latency_ms,
        hits=hit_rows(result.hits),
        guild_id=origin.guild_id,
        channel_id=origin.channel_id,
        query_id=origin.query_id,
    )


def hit_rows(hits: Iterable[Hit]) -> tuple[HitRow, ...]:
    """What the log keeps of each hit: its document and the two spans that locate it."""
    return tuple(
        HitRow(
            rank=hit.rank,
            doc=hit.chunk.doc_id,
            chunk_start=hit.chunk.start,
            chunk_end=hit.chunk.end,
            excerpt_start=hit.excerpt.start,
            excerpt_end=hit.excerpt.end,
            score=hit.score,
        )
        for hit in hits
    )
