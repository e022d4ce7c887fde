"""Frozen rows of the query log: what the bot writes and what storage hands back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

__all__ = [
    "HitRow",
    "QueryLog",
    "QueryRow",
    "RowCounts",
    "Source",
    "VoteChange",
    "utc_iso",
    "utc_now",
]

Source = Literal["slash", "mention", "dm", "console"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_iso(moment: datetime) -> str:
    """The one timestamp format in the database, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class HitRow:
    """Enough about one shown passage to show it again after a restart."""

    rank: int
    doc: str
    chunk_start: int
    chunk_end: int
    excerpt_start: int
    excerpt_end: int
    score: float


@dataclass(frozen=True, slots=True)
class QueryLog:
    """One question to record; ``query_id`` None lets the database choose one."""

    created_at: datetime
    user_id: int
    source: Source
    question: str
    k: int
    answered: bool
    latency_ms: float
    hits: tuple[HitRow, ...] = ()
    guild_id: int | None = None
    channel_id: int | None = None
    query_id: int | None = None

    @property
    def top_score(self) -> float | None:
        return max((hit.score for hit in self.hits), default=None)


@dataclass(frozen=True, slots=True)
class QueryRow:
    """A recorded question, as read back."""

    id: int
    created_at: datetime
    guild_id: int | None
    channel_id: int | None
    user_id: int
    source: Source
    question: str
    k: int
    answered: bool
    latency_ms: float
    hit_count: int
    top_score: float | None


@dataclass(frozen=True, slots=True)
class RowCounts:
    """How many rows of each table an operation removed."""

    queries: int = 0
    hits: int = 0
    feedback: int = 0


@dataclass(frozen=True, slots=True)
class VoteChange:
    """A recorded vote (+1 or -1) and the user's previous vote on that query, if any."""

    previous: int | None
    current: int
