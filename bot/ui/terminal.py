"""Pure rendering for a terminal (``python -m bot --console``): the answer Discord shows as an
embed, as plain text, every hit cited and wrapped."""

from __future__ import annotations

import textwrap

from bot.ui.embeds import citation_label, documents_line, summary
from retrieval import SearchResult, printable

__all__ = ["answer_text"]


def answer_text(result: SearchResult, width: int = 100) -> str:
    """The same answer as plain text for a terminal: every hit, cited, wrapped; the documents'
    control characters (an escape sequence would drive the terminal) shown as U+FFFD."""
    lines = [] if result.answered else [summary(result).replace("**", "")]
    for hit in result.hits:
        cite = hit.citation
        lines.append(f"{citation_label(hit)} (characters {cite.start}–{cite.end})")
        shown = f"{hit.excerpt.header_text}\n{hit.excerpt.text}".strip("\n")
        lines += _indented_lines(shown, width)
    if result.hits:
        lines.append(f"Documents: {documents_line(result.hits)}")
    return printable("\n".join(lines))


def _indented_lines(text: str, width: int) -> list[str]:
    """``text`` indented four spaces, each of its lines wrapped to ``width`` on its own: a
    table's header row and each row stay one line apiece, as ``python -m retrieval search``
    prints them."""
    wrap = textwrap.TextWrapper(width, initial_indent="    ", subsequent_indent="    ")
    return [wrap.fill(" ".join(line.split())) for line in text.splitlines() if line.strip()]
