"""Markdown blocks from markdown-it-py's token stream (CommonMark plus tables).

HTML blocks, thematic breaks and paragraphs made only of images and links around images (badge
rows) produce no block: they are never indexed, cited or used as a title.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from retrieval.documents.markup.blocks import Block, BlockKind, Lines
from retrieval.types import Span

__all__ = ["markdown_blocks"]

_DECORATION = frozenset({"link_open", "link_close", "softbreak", "hardbreak"})


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def _is_badge_row(inline: Token) -> bool:
    """Only images and inline HTML, perhaps inside links (a row of badges or a logo), or only
    links to places in the same page (a table of contents)."""
    kept = [
        c
        for c in inline.children or []
        if c.type not in _DECORATION and not (c.type == "text" and not c.content.strip())
    ]
    if bool(kept) and all(c.type in ("image", "html_inline") for c in kept):
        return True
    return _is_contents_entry(inline.children or [])


def _is_contents_entry(children: Sequence[Token]) -> bool:
    depth, anchors = 0, 0
    for c in children:
        if c.type == "link_open":
            depth += 1
            anchors += str(c.attrs.get("href", "")).startswith("#")
        elif c.type == "link_close":
            depth -= 1
        elif depth == 0 and c.content.strip():
            return False
    return anchors > 0


def _content_span(lines: Lines, token_map: Sequence[int], content: str) -> Span | None:
    """The span from the first to the last line of ``content`` inside the mapped lines."""
    first, last = token_map
    rows = [r.strip() for r in content.splitlines() if r.strip()]
    if not rows:
        return None
    head = lines.find(rows[0], first, last)
    tail = lines.find(rows[-1], last - 1, last) or lines.find(rows[-1], first, last)
    if head is None or tail is None or tail.end <= head.start:
        return lines.span(first, last)
    return Span(head.start, tail.end)


def _code_span(lines: Lines, token: Token) -> Span | None:
    first, last = token.map or (0, 0)
    if token.type == "fence":
        closed = last - first >= 2 and lines.text[lines.starts[last - 1] :].lstrip()[:1] in "`~"
        return lines.span(first + 1, last - 1 if closed else last)
    return lines.span(first, last)


def _blocks(tokens: Sequence[Token], lines: Lines) -> Iterator[Block]:
    context: list[str] = []
    tables = -1
    in_head = False
    for i, token in enumerate(tokens):
        if token.nesting == 1:
            context.append(token.type)
        elif token.nesting == -1 and context:
            context.pop()
        if token.type == "table_open":
            tables += 1
        elif token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        if token.type in ("fence", "code_block") and (span := _code_span(lines, token)):
            yield Block("code", span.start, span.end)
        elif token.type == "tr_open" and token.map and (span := lines.span(*token.map)):
            yield Block("row", span.start, span.end, tables, in_head)
        elif token.type == "inline" and token.map and i > 0:
            kind = _inline_kind(tokens[i - 1].type, context)
            if kind is None or _is_badge_row(token):
                continue
            if span := _content_span(lines, token.map, token.content):
                yield Block(kind, span.start, span.end)


def _inline_kind(opener: str, context: Sequence[str]) -> BlockKind | None:
    if opener == "heading_open":
        return "heading"
    if opener != "paragraph_open":
        return None  # table cells: their row is the block
    if "list_item_open" in context:
        return "item"
    if "blockquote_open" in context:
        return "quote"
    return "paragraph"


def markdown_blocks(text: str) -> list[Block]:
    """Blocks of a Markdown document, in text order."""
    return list(_blocks(_parser().parse(text), Lines(text)))
