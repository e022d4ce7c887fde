"""What ``/docqa stats`` reports: one guild's query log over a window, as frozen figures."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.records import utc_now

if TYPE_CHECKING:
    from bot.database import Database

__all__ = [
    "DayCount",
    "GuildStats",
    "Tally",
    "Totals",
    "collect",
    "fill_days",
    "percentile",
    "window_start",
]

TOP = 5


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


def window_start(days: int, now: datetime | None = None) -> datetime:
    """Midnight UTC ``days - 1`` days ago: the window is today and the days before it."""
    today = (now or utc_now()).astimezone(UTC).date()
    return datetime.combine(today - timedelta(days=days - 1), time(), UTC)


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile of ascending ``values`` (None when there are none)."""
    if not values:
        return None
    rank = max(math.ceil(share * len(values)), 1)
    return values[rank - 1]


def fill_days(counts: Sequence[DayCount], first: date, last: date) -> tuple[DayCount, ...]:
    """One entry per day from ``first`` to ``last``, zero where nobody asked."""
    by_day = {count.day: count for count in counts}
    span = (last - first).days + 1
    days = (first + timedelta(days=offset) for offset in range(span))
    return tuple(by_day.get(day) or DayCount(day) for day in days)


async def collect(
    storage: Database, guild_id: int, days: int, now: datetime | None = None
) -> GuildStats:
    """Read the figures for ``guild_id`` over the last ``days`` days (today included)."""
    now = now or utc_now()
    since = window_start(days, now)
    latencies = await storage.latencies(guild_id, since)
    per_day = await storage.daily_counts(guild_id, since)
    return GuildStats(
        guild_id=guild_id,
        days=days,
        since=since,
        totals=await storage.stats_totals(guild_id, since),
        p50_ms=percentile(latencies, 0.50),
        p95_ms=percentile(latencies, 0.95),
        top_questions=await storage.question_tallies(guild_id, since, TOP),
        unanswered=await storage.question_tallies(guild_id, since, TOP * 2, unanswered=True),
        top_documents=await storage.document_tallies(guild_id, since, TOP),
        per_day=fill_days(per_day, since.date(), now.astimezone(UTC).date()),
    )
