"""A document's units from its blocks: sentences inside prose, whole code blocks and table rows.

Boilerplate is cut out here: a unit that starts inside a boilerplate span is dropped and one that
runs into it is cut short, so nothing indexed or cited ever overlaps boilerplate.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence

from retrieval.documents.markup import Block, trimmed
from retrieval.documents.sentences import sentence_spans
from retrieval.documents.units import Kind, UnitRow, Units
from retrieval.types import Span

__all__ = ["build_units", "title_of"]

_PROSE: dict[str, Kind] = {"paragraph": "sentence", "item": "item", "quote": "quote"}
_TITLE_CHARS = 200


class _Clipper:
    """Cuts spans against sorted, disjoint boilerplate spans."""

    def __init__(self, text: str, boilerplate: Sequence[Span]) -> None:
        self.text = text
        self.starts = [b.start for b in boilerplate]
        self.boilerplate = boilerplate

    def clip(self, span: Span) -> Span | None:
        i = bisect_right(self.starts, span.start) - 1
        if i >= 0 and self.boilerplate[i].end > span.start:
            return None
        nxt = self.starts[i + 1] if i + 1 < len(self.starts) else span.end
        return trimmed(self.text, span.start, min(span.end, nxt))


def _pieces(text: str, block: Block) -> Iterator[tuple[Kind, Span]]:
    if block.kind in _PROSE:
        for sentence in sentence_spans(text, block.start, block.end):
            yield _PROSE[block.kind], sentence
    elif block.kind in ("heading", "code", "row"):
        yield block.kind, Span(block.start, block.end)


def build_units(text: str, blocks: Sequence[Block], boilerplate: Sequence[Span] = ()) -> Units:
    """The units of ``text`` in text order (see :mod:`retrieval.documents.units`)."""
    clipper = _Clipper(text, boilerplate)
    rows: list[UnitRow] = []
    section = -1
    headers: dict[int, int] = {}
    for number, block in enumerate(blocks):
        for kind, piece in _pieces(text, block):
            span = clipper.clip(piece)
            if span is None or (rows and span.start < rows[-1].end):
                continue
            header = -1
            if kind == "row" and block.is_header:
                headers[block.table] = len(rows)
            elif kind == "row":
                header = headers.get(block.table, -1)
            if kind == "heading":
                section = len(rows)
            rows.append(UnitRow(kind, span.start, span.end, section, number, header))
    return Units.from_rows(rows)


def title_of(text: str, units: Units) -> str | None:
    """The first heading when no prose comes before it, else the first line of the first prose
    unit (a heading further down names a section, not the document); None if neither."""
    for i in range(len(units)):
        if units.kind_of(i) in ("code", "row"):
            continue
        line = text[int(units.start[i]) : int(units.end[i])].splitlines()[0]
        title = line.strip().strip("#").strip()
        if title:
            return title[:_TITLE_CHARS]
    return None
