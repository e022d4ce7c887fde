"""What ``/docqa stats`` reports: one guild's query log over a window, as frozen figures."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from bot.storage.records import DayCount, GuildStats, utc_now
from bot.storage.reports import ReportQueries

__all__ = [
    "collect",
    "fill_days",
    "percentile",
    "window_start",
]

TOP = 5


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
    storage: ReportQueries, guild_id: int, days: int, now: datetime | None = None
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
