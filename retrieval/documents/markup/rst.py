"""reStructuredText blocks from docutils' document tree, mapped back to exact offsets.

docutils keeps each node's source text but not its offset, so every node's first and last source
lines are found in the text in document order (a cursor only moves forward). Directives docutils
does not know (Sphinx's), images, substitution definitions, comments and raw blocks produce no
block, nor do paragraphs made only of substitution references and links (badge rows). Nothing
is reported: unknown markup is not an error in a document.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

from docutils import nodes
from docutils.core import publish_doctree

from retrieval.documents.markup.blocks import Block, BlockKind, Lines
from retrieval.types import Span

__all__ = ["rst_blocks"]

log = logging.getLogger(__name__)

_SETTINGS = {
    "report_level": 5,
    "halt_level": 5,
    "warning_stream": io.StringIO(),
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "syntax_highlight": "none",
}
_SKIP = (
    nodes.substitution_definition,
    nodes.comment,
    nodes.raw,
    nodes.image,
    nodes.system_message,
    nodes.target,
    nodes.field_list,
    nodes.docinfo,
)
_INLINE_DECORATION = (nodes.substitution_reference, nodes.reference, nodes.image, nodes.target)


class _Locator:
    def __init__(self, text: str) -> None:
        self.lines = Lines(text)
        self.text = text
        self.cursor = 0

    def locate(self, source: str) -> Span | None:
        rows = [r.strip() for r in source.splitlines() if r.strip()]
        if not rows:
            return None
        head = self.text.find(rows[0], self.cursor)
        if head < 0:
            return None
        tail = self.text.find(rows[-1], head + len(rows[0]) if len(rows) > 1 else head)
        if tail < 0:
            return None
        self.cursor = tail + len(rows[-1])
        return Span(head, self.cursor)

    def line_of(self, span: Span) -> Span:
        """The whole line holding ``span.start`` (for table rows)."""
        start = self.text.rfind("\n", 0, span.start) + 1
        end = self.text.find("\n", span.start)
        end = len(self.text) if end < 0 else end
        while end > start and self.text[end - 1].isspace():
            end -= 1
        while start < end and self.text[start].isspace():
            start += 1
        return Span(start, max(end, span.end))


def _is_badge_row(paragraph: nodes.Element) -> bool:
    words = [c for c in paragraph.children if not (isinstance(c, nodes.Text) and not c.strip())]
    return bool(words) and all(isinstance(c, _INLINE_DECORATION) for c in words)


def _kind(node: nodes.Element) -> BlockKind:
    parent = node.parent
    while parent is not None:
        if isinstance(
            parent, nodes.list_item | nodes.definition_list_item | nodes.option_list_item
        ):
            return "item"
        if isinstance(parent, nodes.block_quote) and not isinstance(parent.parent, nodes.list_item):
            return "quote"
        parent = parent.parent
    return "paragraph"


def _walk(node: nodes.Node, where: _Locator, tables: list[int]) -> Iterator[Block]:
    if isinstance(node, _SKIP):
        return
    if isinstance(node, nodes.title) and (span := where.locate(node.astext())):
        yield Block("heading", span.start, span.end)
        return
    if isinstance(node, nodes.literal_block | nodes.doctest_block):
        if span := where.locate(node.astext()):
            yield Block("code", span.start, span.end)
        return
    if isinstance(node, nodes.table):
        tables.append(len(tables))
    if isinstance(node, nodes.row):
        yield from _row(node, where, tables[-1] if tables else 0)
        return
    if isinstance(node, nodes.paragraph):
        if not _is_badge_row(node) and (span := where.locate(node.rawsource or node.astext())):
            yield Block(_kind(node), span.start, span.end)
        return
    for child in node.children:
        yield from _walk(child, where, tables)


def _row(row: nodes.row, where: _Locator, table: int) -> Iterator[Block]:
    spans = [s for p in row.findall(nodes.paragraph) if (s := where.locate(p.astext()))]
    if spans:
        line = where.line_of(spans[0])
        header = isinstance(row.parent, nodes.thead)
        yield Block("row", line.start, max(line.end, spans[-1].end), table, header)


def rst_blocks(text: str) -> list[Block]:
    """Blocks of a reStructuredText document, in text order; [] if docutils gives up."""
    try:
        tree = publish_doctree(text, settings_overrides=dict(_SETTINGS))
    except Exception as exc:  # docutils raises many kinds of error on odd markup
        log.debug("not parsed as reStructuredText (%s); reading plain paragraphs", exc)
        return []
    return list(_walk(tree, _Locator(text), []))
