"""The record types of the query log, in one module: what the bot writes and what storage
hands back (questions, hits, votes, a guild's settings, the stats and export reports)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal

__all__ = [
    "DayCount",
    "ExportRecord",
    "GuildConfig",
    "GuildStats",
    "HitRow",
    "QueryIds",
    "QueryLog",
    "QueryRow",
    "RowCounts",
    "Source",
    "Tally",
    "Totals",
    "VoteChange",
    "VoteRow",
    "utc_iso",
    "utc_now",
]

Source = Literal["slash", "mention", "dm", "console"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_iso(moment: datetime) -> str:
    """The one timestamp format in the database, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class QueryIds:
    """Ids for questions that come without one (the console's), shaped like Discord's.

    A Discord id is milliseconds since 2015 shifted left 22 bits, over a worker, process and
    counter; these take the same time bits and a random process number, and never repeat in
    one process. So they sort by time with interaction and message ids, and a question keeps
    its id from the moment it is asked: in the journal, and when the journal is replayed.
    """

    EPOCH_MS = 1_420_070_400_000  # 2015-01-01T00:00:00Z, Discord's epoch

    def __init__(self) -> None:
        self._process = secrets.randbits(10) << 12
        self._last = 0

    def next(self, moment: datetime) -> int:
        stamp = (round(moment.timestamp() * 1000) - self.EPOCH_MS) << 22 | self._process
        self._last = max(stamp, self._last + 1)
        return self._last


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


@dataclass(frozen=True, slots=True)
class GuildConfig:
    """One guild's choices; the defaults mean "as the bot is configured"."""

    guild_id: int
    channels: frozenset[int] = field(default_factory=frozenset)  # empty: every channel
    default_k: int | None = None
    private: bool = False
    cooldown: float | None = None  # seconds between questions per member

    def allows(self, *channel_ids: int | None) -> bool:
        """Whether the bot answers in a channel; pass a thread's parent too, to allow it."""
        return not self.channels or any(c in self.channels for c in channel_ids if c is not None)

    def k_or(self, fallback: int) -> int:
        return fallback if self.default_k is None else self.default_k

    def cooldown_or(self, fallback: float) -> float:
        return fallback if self.cooldown is None else self.cooldown


@dataclass(frozen=True, slots=True)
class DayCount:
    """Questions on one UTC day."""

    day: date
    answered: int = 0
    abstained: int = 0

    @property
    def total(self) -> int:
        return self.answered + self.abstained


@dataclass(frozen=True, slots=True)
class Tally:
    """A question or document and how often it came up."""

    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Totals:
    """The window's counts, as storage aggregates them."""

    questions: int = 0
    askers: int = 0
    answered: int = 0
    upvotes: int = 0
    downvotes: int = 0


@dataclass(frozen=True, slots=True)
class GuildStats:
    """Everything the stats reply shows."""

    guild_id: int
    days: int
    since: datetime
    totals: Totals
    p50_ms: float | None
    p95_ms: float | None
    top_questions: tuple[Tally, ...]
    unanswered: tuple[Tally, ...]
    top_documents: tuple[Tally, ...]
    per_day: tuple[DayCount, ...]

    @property
    def abstained(self) -> int:
        return self.totals.questions - self.totals.answered

    @property
    def answered_share(self) -> float | None:
        questions = self.totals.questions
        return self.totals.answered / questions if questions else None


@dataclass(frozen=True, slots=True)
class VoteRow:
    """One member's vote on a logged answer."""

    user_id: int
    vote: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """A logged question with the passages shown and the votes it got."""

    query: QueryRow
    hits: tuple[HitRow, ...] = ()
    votes: tuple[VoteRow, ...] = ()
