"""Pure rendering: search results -> Discord embeds, within Discord's limits (the terminal's
plain text is :mod:`bot.ui.terminal`).

Every limit Discord enforces on what the bot sends is applied here, and all user or
document text passes through :func:`safe` (Markdown and mentions escaped) on the way in.
Sends still use ``AllowedMentions.none()``: that, not escaping, is what guarantees silence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import discord
from discord.utils import escape_mentions

from bot.ui.discord_markdown import escape_markdown, excerpt_markdown
from bot.ui.textfit import ELLIPSIS, trim
from retrieval import Document, Hit, SearchResult

__all__ = [
    "ELLIPSIS",
    "MAX_CONTENT",
    "MAX_DESCRIPTION",
    "MAX_FIELDS",
    "MAX_FIELD_NAME",
    "MAX_FIELD_VALUE",
    "MAX_FOOTER",
    "MAX_TITLE",
    "MAX_TOTAL",
    "PAGE_SIZE",
    "answer_embed",
    "citation_label",
    "content",
    "document_embed",
    "documents_embed",
    "documents_line",
    "page_count",
    "page_hits",
    "passage_embed",
    "safe",
    "summary",
    "trim",
    "vote_text",
]

MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_TOTAL = 6000
PAGE_SIZE = 3

ANSWERED = "Passages from the documents, best first."
ABSTAINED = "**The documents don't answer this question.**"
CLOSEST = "These are the closest passages; they may not be what you are looking for."
NOTHING = "Nothing in them matches it; try asking with other words."


def safe(text: str) -> str:
    """User or document text made inert for Markdown: no formatting, no mention syntax
    (see :mod:`bot.ui.discord_markdown` for why the escaper is ours)."""
    return escape_mentions(escape_markdown(text))


def content(text: str) -> str:
    """A message body: mentions neutralised and within the 2,000-character limit."""
    return trim(escape_mentions(text), MAX_CONTENT)


def citation_label(hit: Hit, *, markdown: bool = False) -> str:
    """``[rank] title — ¶paragraph`` (``— p. 2, ¶3`` for a paged document); with ``markdown``,
    the title made inert (see :func:`safe`)."""
    title = safe(hit.citation.title) if markdown else hit.citation.title
    return f"[{hit.rank}] {title} — {hit.citation.place()}"


def page_count(hits: int) -> int:
    return max(1, math.ceil(hits / PAGE_SIZE))


def page_hits(result: SearchResult, page: int) -> tuple[Hit, ...]:
    """The hits shown on 1-based ``page`` (clamped to the pages there are)."""
    page = min(max(page, 1), page_count(len(result.hits)))
    return result.hits[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]


def summary(result: SearchResult) -> str:
    """The line above the hits: answered, or what abstaining means (Markdown bold)."""
    if result.answered:
        return ANSWERED
    return f"{ABSTAINED} {CLOSEST if result.hits else NOTHING}"


def documents_line(hits: Iterable[Hit]) -> str:
    """The documents the hits come from, each named once, with its source and date."""
    named: dict[str, str] = {}
    for hit in hits:
        cite = hit.citation
        details = ", ".join(value for value in (cite.source, cite.date) if value)
        named.setdefault(cite.doc_id, f"{cite.title} ({details})" if details else cite.title)
    return "; ".join(named.values())


def answer_embed(result: SearchResult, page: int = 1) -> discord.Embed:
    """One page of an answer: a field per hit, numbered citations, documents in the footer."""
    pages = page_count(len(result.hits))
    page = min(max(page, 1), pages)
    shown = page_hits(result, page)
    colour = discord.Colour.green() if result.answered else discord.Colour.light_grey()
    embed = discord.Embed(
        title=trim(safe(result.query), MAX_TITLE),
        description=trim(summary(result), MAX_DESCRIPTION),
        colour=colour,
    )
    footer = f"Documents: {documents_line(shown)}" if shown else "No documents matched."
    if pages > 1:
        footer += f" · page {page} of {pages}"
    embed.set_footer(text=trim(escape_mentions(footer), MAX_FOOTER // 2))
    names = [trim(citation_label(hit, markdown=True), MAX_FIELD_NAME) for hit in shown]
    share = max((MAX_TOTAL - len(embed) - sum(map(len, names))) // max(len(shown), 1), 16)
    for name, hit in zip(names, shown, strict=True):
        value = escape_mentions(excerpt_markdown(hit.excerpt))
        embed.add_field(name=name, value=trim(value, min(MAX_FIELD_VALUE, share)), inline=False)
    return embed


def passage_embed(hit: Hit) -> discord.Embed:
    """The whole passage behind a hit, with its full citation."""
    cite = hit.citation
    embed = discord.Embed(
        title=trim(citation_label(hit, markdown=True), MAX_TITLE),
        description=trim(safe(hit.chunk.text), MAX_DESCRIPTION),
        colour=discord.Colour.blurple(),
    )
    details = [cite.doc_id, *(value for value in (cite.source, cite.date) if value)]
    details.append(f"characters {hit.chunk.start}–{hit.chunk.end}")
    embed.set_footer(text=trim(escape_mentions(" · ".join(details)), MAX_FOOTER))
    return embed


def documents_embed(documents: Sequence[Document], passages: dict[str, int]) -> discord.Embed:
    """The indexed documents with their passage counts, as many as fit."""
    lines = [
        trim(f"**{safe(doc.title)}** — {passages.get(doc.doc_id, 0)} passages · "
             f"`{escape_mentions(doc.doc_id)}`", 300)
        for doc in documents
    ]  # fmt: skip
    return discord.Embed(
        title=f"Indexed documents ({len(documents)})",
        description=_lines_within(lines, MAX_DESCRIPTION) or "No documents are indexed.",
        colour=discord.Colour.blurple(),
    )


def _lines_within(lines: Sequence[str], limit: int) -> str:
    kept: list[str] = []
    for number, line in enumerate(lines):
        more = f"… and {len(lines) - number} more"
        if sum(len(x) + 1 for x in kept) + len(line) + 1 + len(more) > limit:
            return "\n".join([*kept, more])
        kept.append(line)
    return "\n".join(kept)


def document_embed(doc: Document, passages: int) -> discord.Embed:
    """One document's metadata."""
    embed = discord.Embed(title=trim(safe(doc.title), MAX_TITLE), colour=discord.Colour.blurple())
    facts = {
        "File": doc.doc_id,
        "Source": doc.source,
        "Author": doc.author,
        "Date": doc.date,
        "Passages": str(passages),
        "Paragraphs": str(len(doc.paragraphs)),
        "Characters": f"{len(doc.text):,}",
    }
    for name, value in facts.items():
        if value:
            embed.add_field(name=name, value=trim(safe(value), MAX_FIELD_VALUE))
    return embed


def vote_text(previous: int | None, current: int) -> str:
    """The private acknowledgement of a 👍/👎 click."""
    emoji = "👍" if current > 0 else "👎"
    if previous is None:
        return f"Thanks: your {emoji} is recorded."
    if previous == current:
        return f"You had already voted {emoji} on this answer."
    return f"Changed your vote to {emoji}."
