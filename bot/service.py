"""The ask service: question -> cited answer and a row in the query log.

The row is committed before the answer is sent, so an answer someone received is never
missing from the log, even if the process is killed right after sending it. That costs an
answer about a millisecond. A failing database costs none: while writes fail, answers go out
at once and their rows are retried in the background until they land (:mod:`bot.logwriter`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.logwriter import QueryLogWriter
from bot.records import QueryLog, Source, VoteChange, utc_now
from bot.restore import hit_rows, rebuild_hits
from bot.storage import BUSY_TIMEOUT, Storage
from retrieval import QueryError, SearchEngine, SearchResult, validate_question

__all__ = ["DRAIN_TIMEOUT", "RECORD_WAIT", "Answer", "AskService", "Origin"]

log = logging.getLogger(__name__)

# Seconds an answer waits at most for its row (normally ~1 ms): past the busy timeout a write
# has failed, and then answers stop waiting while the writes are retried.
RECORD_WAIT = BUSY_TIMEOUT + 1.0
DRAIN_TIMEOUT = 10.0  # seconds shutdown (or a deletion) waits for writes in flight


@dataclass(frozen=True, slots=True)
class Answer:
    """A search result with what the log needs to know about producing it."""

    result: SearchResult
    k: int
    latency_ms: float
    asked_at: datetime


@dataclass(frozen=True, slots=True)
class Origin:
    """Who asked, where and how; ``query_id`` is the asking interaction's or message's id."""

    source: Source
    user_id: int
    guild_id: int | None = None
    channel_id: int | None = None
    query_id: int | None = None


class AskService:
    """Answers questions from one engine (swappable) and logs them in the background."""

    def __init__(self, engine: SearchEngine, storage: Storage, default_k: int) -> None:
        self.engine = engine
        self.storage = storage
        self.default_k = default_k
        self.writer = QueryLogWriter(storage)
        # A guild's own engine (seeds + its uploads), set by the bot; None: answer from ``engine``.
        self.guild_engine: Callable[[int | None], SearchEngine | None] = lambda guild_id: None

    def swap_engine(self, engine: SearchEngine) -> None:
        """Answer from ``engine`` from now on; searches already running finish on the old one."""
        self.engine = engine

    def engine_for(self, guild_id: int | None) -> SearchEngine:
        """The engine that answers in ``guild_id`` (None: DMs and the console)."""
        return self.guild_engine(guild_id) or self.engine

    async def ask(self, question: str, k: int | None = None, guild_id: int | None = None) -> Answer:
        """Search off the event loop; raises :class:`QueryError` for an unusable question."""
        text = validate_question(question)
        k = k or self.default_k
        asked_at = utc_now()
        started = time.perf_counter()
        result = await asyncio.to_thread(self.engine_for(guild_id).search, text, k)
        latency_ms = (time.perf_counter() - started) * 1000
        log.debug("Answered %r with %d hits in %.1f ms", text, len(result.hits), latency_ms)
        return Answer(result, k, latency_ms, asked_at)

    async def log(self, answer: Answer, origin: Origin) -> int | None:
        """Write the answer to the query log now; a database error is logged, never raised."""
        return await self.writer.write(query_log(answer, origin))

    async def record(self, answer: Answer, origin: Origin) -> None:
        """Log the answer before it is sent: return once its row is committed, or at once
        while the database is failing (the write is then retried in the background)."""
        await self.writer.settled(self.writer.submit(query_log(answer, origin)), RECORD_WAIT)

    def log_later(self, answer: Answer, origin: Origin) -> None:
        """Log in the background, without waiting for the write at all."""
        self.writer.submit(query_log(answer, origin))

    async def drain(self, timeout: float = DRAIN_TIMEOUT) -> None:
        """Wait for background writes still in flight (on shutdown, before a deletion)."""
        await self.writer.drain(timeout)

    async def restore(self, query_id: int) -> Answer | None:
        """A logged answer rebuilt from the database and the engine, or None if not logged."""
        row = await self.storage.get_query(query_id)
        if row is None:
            return None
        rows = await self.storage.get_hits(query_id)
        engine = self.engine_for(row.guild_id)
        live = await asyncio.to_thread(self._search_or_none, engine, row.question, row.k)
        hits = rebuild_hits(engine, rows, live)
        result = SearchResult(row.question, hits, row.answered)
        return Answer(result, row.k, row.latency_ms, row.created_at)

    def _search_or_none(self, engine: SearchEngine, question: str, k: int) -> SearchResult | None:
        try:
            return engine.search(question, k)
        except QueryError:
            return None

    async def vote(self, query_id: int, user_id: int, vote: int) -> VoteChange:
        return await self.storage.record_vote(query_id, user_id, vote)


def query_log(answer: Answer, origin: Origin) -> QueryLog:
    result = answer.result
    return QueryLog(
        created_at=answer.asked_at,
        user_id=origin.user_id,
        source=origin.source,
        question=result.query,
        k=answer.k,
        answered=result.answered,
        latency_ms=answer.latency_ms,
        hits=hit_rows(result.hits),
        guild_id=origin.guild_id,
        channel_id=origin.channel_id,
        query_id=origin.query_id,
    )
