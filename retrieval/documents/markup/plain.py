"""Plain text blocks: paragraphs separated by blank lines, with any line ending.

A line that starts with a bullet or a number ("- ", "* ", "• ", "1. ", "2) ") starts a list
item that runs to the next such line or the paragraph's end.
"""

from __future__ import annotations

import re

from retrieval.documents.markup.blocks import Block
from retrieval.types import Span

__all__ = ["PARAGRAPH", "paragraph_spans", "plain_blocks"]

# A run of non-blank lines; a line holding only spaces or tabs is blank, whatever ends it.
PARAGRAPH = re.compile(r"[^\s](?:[^\r\n]*[^\s])?(?:(?:\r\n|\r|\n)[ \t]*[^\s](?:[^\r\n]*[^\s])?)*")
_ITEM = re.compile(r"^[ \t]*(?:[-*•+]|\d{1,3}[.)])[ \t]+(?=\S)", re.MULTILINE)


def paragraph_spans(text: str) -> tuple[Span, ...]:
    """Spans of the non-blank blocks of ``text`` separated by blank lines."""
    return tuple(Span(m.start(), m.end()) for m in PARAGRAPH.finditer(text))


def _items(text: str, span: Span) -> list[Block]:
    starts = [m.end() for m in _ITEM.finditer(text, span.start, span.end)]
    if not starts or starts[0] - span.start > 8:
        return []
    ends = [text.rfind("\n", 0, m) for m in starts[1:]] + [span.end]
    return [Block("item", a, b) for a, b in zip(starts, ends, strict=True) if b > a]


def plain_blocks(text: str) -> list[Block]:
    """One paragraph block per blank-line block, or its list items."""
    blocks: list[Block] = []
    for span in paragraph_spans(text):
        blocks += _items(text, span) or [Block("paragraph", span.start, span.end)]
    return blocks
