"""``/docqa stats``: figures from a real database, checked by hand against ``sample_log``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from doubles import GUILD, MEMBER, OTHER_GUILD, FakeInteraction, invoke
from sample_log import A, B, C, count_rows

from bot.cogs.moderation import AdminCog
from bot.storage.database import Database
from bot.storage.records import DayCount, Tally, Totals, utc_now
from bot.storage.sqlite import Storage
from bot.storage.stats import collect, fill_days, percentile, window_start
from bot.ui.charts import PNG_SIGNATURE
from bot.ui.moderation_text import CHART_NAME

NOSOTEK = "Who founded Nosotek?"  # 101 and 102 ask it, differently capitalised
MARS = "What is the capital of Mars?"  # 103 and 104, neither answered


async def test_seven_days(sample: Storage) -> None:
    stats = await collect(sample, GUILD, 7)
    # 101-104; 105 is ten days old. Askers 1, 2, 3. Votes: +1 +1 on 101, -1 on 102 and 103.
    assert stats.totals == Totals(questions=4, askers=3, answered=2, upvotes=2, downvotes=2)
    assert (stats.abstained, stats.answered_share) == (2, 0.5)
    assert (stats.p50_ms, stats.p95_ms) == (20, 40)  # nearest rank of 10, 20, 30, 40
    assert stats.top_questions == (Tally(MARS, 2), Tally(NOSOTEK, 2))  # ties: by text
    assert stats.unanswered == (Tally(MARS, 2),)
    assert stats.top_documents == (Tally(A, 2), Tally(B, 1), Tally(C, 1))
    assert len(stats.per_day) == 7
    assert sum(day.answered for day in stats.per_day) == 2
    assert sum(day.abstained for day in stats.per_day) == 2


async def test_thirty_days_take_in_the_older_question(sample: Storage) -> None:
    stats = await collect(sample, GUILD, 30)
    assert stats.totals == Totals(questions=5, askers=3, answered=3, upvotes=2, downvotes=2)
    assert (stats.p50_ms, stats.p95_ms) == (30, 100)
    assert stats.top_documents == (Tally(A, 2), Tally(B, 2), Tally(C, 1))


async def test_other_guilds_and_dms_are_not_counted(sample: Storage) -> None:
    other = await collect(sample, OTHER_GUILD, 7)
    assert other.totals == Totals(questions=1, askers=1, answered=1, upvotes=1, downvotes=1)
    empty = await collect(sample, 999, 7)
    assert empty.totals == Totals()
    assert (empty.p50_ms, empty.answered_share, empty.top_questions) == (None, None, ())


def test_window_and_helpers() -> None:
    now = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
    assert window_start(1, now) == datetime(2026, 11, 23, tzinfo=UTC)
    assert window_start(7, now) == datetime(2026, 11, 17, tzinfo=UTC)
    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.95) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.95) == 10.0
    days = fill_days([DayCount(date(2026, 11, 2), 1, 2)], date(2026, 11, 1), date(2026, 11, 3))
    assert days == (DayCount(date(2026, 11, 1)), DayCount(date(2026, 11, 2), 1, 2),
                    DayCount(date(2026, 11, 3)))  # fmt: skip


async def test_per_day_counts_fall_on_utc_days(sample: Storage) -> None:
    today = utc_now().date()
    stats = await collect(sample, GUILD, 3)
    by_day = {day.day: day for day in stats.per_day}
    assert list(by_day) == [today - timedelta(days=n) for n in (2, 1, 0)]
    hour_ago = (utc_now() - timedelta(hours=1)).date()
    assert by_day[today - timedelta(days=2)] == DayCount(today - timedelta(days=2), 0, 2)
    assert by_day[hour_ago].answered >= 1


async def test_the_command_replies_privately_with_embed_and_chart(
    sample: Storage, services: SimpleNamespace, storage: Database
) -> None:
    before = await count_rows(storage)
    interaction = FakeInteraction()
    await invoke(AdminCog(services).docqa.get_command("stats"), interaction, days=7)  # type: ignore[arg-type]
    reply = interaction.only
    assert interaction.deferred is True
    assert reply.ephemeral
    assert reply.file is not None
    assert reply.file.filename == CHART_NAME
    assert reply.file_bytes.startswith(PNG_SIGNATURE)
    (embed,) = reply.embeds
    assert embed.image.url == f"attachment://{CHART_NAME}"
    assert "**4 questions** from **3 members**" in (embed.description or "")
    assert "Answered **2** (50%), abstained **2**" in (embed.description or "")
    assert "p50 **20 ms**, p95 **40 ms**" in (embed.description or "")
    assert "👍 **2** 👎 **2**" in (embed.description or "")
    fields = {field.name: field.value for field in embed.fields}
    assert fields["Not answered: what to add to the documents"] == f"**2×** {MARS}"
    assert fields["Most-cited documents"] == (
        "**2×** The world's most unusual outsourcing destination\n"  # A, by its manifest title
        "**1×** Inside N. Korea’s Internet-based foreign currency-earning activities\n"
        "**1×** Information Technology in North Korea: A Double-Edged Sword"
    )
    assert len(embed) <= 6000
    assert await count_rows(storage) == before  # reading stats writes nothing


async def test_public_stats_are_visible_to_the_channel(
    sample: Storage, services: SimpleNamespace
) -> None:
    interaction = FakeInteraction()
    await invoke(AdminCog(services).docqa.get_command("stats"), interaction, public=True)  # type: ignore[arg-type]
    assert interaction.deferred is False
    assert not interaction.only.ephemeral


@pytest.mark.parametrize("guild_id", [GUILD, None])
async def test_refused_without_manage_server_or_outside_a_server(
    sample: Storage, services: SimpleNamespace, storage: Database, guild_id: int | None
) -> None:
    before = await count_rows(storage)
    interaction = FakeInteraction(user_id=MEMBER, guild_id=guild_id, manage_guild=False)
    await invoke(AdminCog(services).docqa.get_command("stats"), interaction)  # type: ignore[arg-type]
    reply = interaction.only
    assert reply.ephemeral
    assert reply.file is None
    assert interaction.deferred is None  # nothing ran: not even the defer
    expected = "manage server permission" if guild_id else "work in a server only"
    assert expected in (reply.content or "").lower()
    assert await count_rows(storage) == before
