"""Pure rendering of moderator replies: stats, documents, config and deletion reports.

Limits come from :mod:`bot.ui.embeds`, and all user or document text passes through
:func:`~bot.ui.embeds.safe` there, the same as answers do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import discord

from bot.engines import BuildReport
from bot.library.uploaded import StoredDocument
from bot.storage.records import GuildConfig, GuildStats, RowCounts, Tally
from bot.ui.embeds import MAX_DESCRIPTION, MAX_FIELD_VALUE, MAX_TITLE, safe, trim

__all__ = [
    "CHART_NAME",
    "build_text",
    "config_embed",
    "deleted_text",
    "documents_list_embed",
    "export_text",
    "stats_embed",
]


CHART_NAME = "questions-per-day.png"
COLOUR = discord.Colour.blurple()


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} ms"


def _tallies(tallies: Iterable[Tally], names: Mapping[str, str] | None = None) -> str:
    lines = []
    for tally in tallies:
        label = (names or {}).get(tally.label, tally.label)
        lines.append(f"**{tally.count}×** {safe(trim(label, 150))}")
    return trim("\n".join(lines), MAX_FIELD_VALUE) or "–"


def stats_embed(stats: GuildStats, titles: Mapping[str, str]) -> discord.Embed:
    """The figures, with the chart attached as :data:`CHART_NAME`."""
    totals = stats.totals
    share = stats.answered_share
    summary = (
        f"**{_n(totals.questions, 'question')}** from **{_n(totals.askers, 'member')}** since "
        f"{discord.utils.format_dt(stats.since, 'D')}\n"
        f"Answered **{totals.answered}** ({'–' if share is None else f'{share:.0%}'}), "
        f"abstained **{stats.abstained}**\n"
        f"Latency p50 **{_ms(stats.p50_ms)}**, p95 **{_ms(stats.p95_ms)}**\n"
        f"Feedback 👍 **{totals.upvotes}** 👎 **{totals.downvotes}**"
    )
    embed = discord.Embed(title=f"docqa: the last {_n(stats.days, 'day')}", colour=COLOUR)
    embed.description = trim(summary, MAX_DESCRIPTION)
    embed.add_field(name="Most asked", value=_tallies(stats.top_questions), inline=False)
    embed.add_field(
        name="Not answered: what to add to the documents",
        value=_tallies(stats.unanswered),
        inline=False,
    )
    embed.add_field(
        name="Most-cited documents", value=_tallies(stats.top_documents, titles), inline=False
    )
    embed.set_image(url=f"attachment://{CHART_NAME}")
    return embed


def documents_list_embed(
    uploads: Sequence[StoredDocument], passages: Mapping[str, int], seeds: int, limit: int
) -> discord.Embed:
    """This guild's uploads with their passage counts, and how many built-in documents."""
    lines = [
        f"`{safe(doc.name)}`: {safe(trim(doc.title, 120))} "
        f"({doc.size / 1000:.1f} kB, {passages.get(doc.name, 0)} passages)"
        for doc in uploads
    ]
    embed = discord.Embed(title="Documents uploaded to this server", colour=COLOUR)
    embed.description = trim("\n".join(lines), MAX_DESCRIPTION) or "None yet: `/docqa docs add`."
    embed.set_footer(
        text=f"{len(uploads)} of {limit} uploads used · plus {seeds} built-in documents (/sources)"
    )
    return embed


def build_text(report: BuildReport, action: str) -> str:
    """One line after a (re)build: what this server now searches and how long it took."""
    return (
        f"{action} This server now searches {report.documents} documents "
        f"({report.uploaded} uploaded) in {report.passages} passages; "
        f"the index was built in {report.seconds:.2f} s."
    )


def deleted_text(who: str, counts: RowCounts) -> str:
    if not (counts.queries or counts.hits or counts.feedback):
        return f"Nothing was logged about {who}; no rows deleted."
    return (
        f"Deleted everything logged about {who}: {_n(counts.queries, 'question')}, "
        f"{_n(counts.hits, 'cited passage')} and {_n(counts.feedback, 'vote')}."
    )


def export_text(questions: int, days: int) -> str:
    """The line above an export file: how many questions, from how far back."""
    return f"{_n(questions, 'question')} from the last {_n(days, 'day')}."


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def config_embed(config: GuildConfig, default_k: int, cooldown: float) -> discord.Embed:
    """The guild's settings, with the bot-wide value shown where the guild chose none."""
    channels = " ".join(f"<#{c}>" for c in sorted(config.channels)) or "every channel"
    k = f"{config.k_or(default_k)}" + (" (bot default)" if config.default_k is None else "")
    wait = config.cooldown_or(cooldown)
    wait_text = f"{wait:g} s" + (" (bot default)" if config.cooldown is None else "")
    embed = discord.Embed(title=trim("docqa settings for this server", MAX_TITLE), colour=COLOUR)
    embed.add_field(name="Answers in", value=trim(channels, MAX_FIELD_VALUE), inline=False)
    embed.add_field(name="Passages per answer", value=k)
    embed.add_field(name="Private by default", value="yes" if config.private else "no")
    embed.add_field(name="Cooldown per member", value=wait_text)
    return embed
