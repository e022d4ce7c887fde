"""The ask service: question -> cited answer and a row in the query log.

The row is durable before the answer is sent, so an answer someone received is never
missing from the log, even if the process is killed right after sending it. Normally that
is a commit, about a millisecond; while the database cannot take writes it is an append to
the journal beside it, about as quick, and the rows are replayed into the database once it
can (:mod:`bot.logwriter`, :mod:`bot.journal`). Deleting a member's questions, or old ones,
reaches the journal too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.database import Database
from bot.journal import Journal
from bot.logwriter import QueryLogWriter
from bot.records import QueryLog, RowCounts, Source, VoteChange, utc_now
from bot.restore import hit_rows, rebuild_hits
from bot.storage import BUSY_TIMEOUT, StorageUnavailableError, UnknownQueryError
from retrieval import QueryError, SearchEngine, SearchResult, validate_question

__all__ = [
    "DRAIN_TIMEOUT",
    "NUL_REFUSAL",
    "RECORD_WAIT",
    "Answer",
    "AskService",
    "Origin",
    "check_question",
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

    def __init__(
        self,
        engine: SearchEngine,
        storage: Database,
        default_k: int,
        journal: Journal | None = None,
    ) -> None:
        """``journal`` defaults to the one beside the database; it is replayed at once."""
        self.engine = engine
        self.storage = storage
        self.default_k = default_k
        self.writer = QueryLogWriter(storage, journal or Journal(storage.journal_path))
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
        text = check_question(question)
        k = k or self.default_k
        asked_at = utc_now()
        started = time.perf_counter()
        result = await asyncio.to_thread(self.engine_for(guild_id).search, text, k)
        latency_ms = (time.perf_counter() - started) * 1000
        log.debug("Answered %r with %d hits in %.1f ms", text, len(result.hits), latency_ms)
        return Answer(result, k, latency_ms, asked_at)

    async def log(self, answer: Answer, origin: Origin) -> int | None:
        """Write the answer to the query log and wait until the row is durable; returns its
        id (None if the database refuses it). A database error is logged, never raised."""
        return await self.writer.write(query_log(answer, origin))

    async def record(self, answer: Answer, origin: Origin) -> None:
        """Log the answer before it is sent: return once its row is durable (committed, or
        journaled while the database cannot take it), or at once while neither the
        database nor the journal takes writes (the row then waits in memory, retried).
        A write that hangs is journaled after ``RECORD_WAIT`` seconds."""
        await self.writer.record(query_log(answer, origin), RECORD_WAIT)

    def log_later(self, answer: Answer, origin: Origin) -> None:
        """Log in the background, without waiting for the write at all."""
        self.writer.submit(query_log(answer, origin))

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
        engine = self.engine_for(entry.guild_id)
        live = await asyncio.to_thread(self._search_or_none, engine, entry.question, entry.k)
        result = SearchResult(
            entry.question, rebuild_hits(engine, entry.hits, live), entry.answered
        )
        return Answer(result, entry.k, entry.latency_ms, entry.created_at)

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
