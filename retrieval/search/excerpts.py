"""Pick the units of a document that best answer a query, and mark the query's words in them.

A window is up to three consecutive units (sentences, items, code blocks, rows) starting inside
the passage BM25 found; it may run past the passage's end, but never across boilerplate or into
the next section; sentences stay within their paragraph, and within their item when a list
item has several (measured: each pays on some set and costs none).
The best window holds the most query weight (BM25 saturation, no length normalisation), ties
going to the shorter, then the earlier one. It is then extended forward when it ends in a
lead-in ("run the following command:") or the next sentence continues it ("(The others, he
said, ...)"), while it fits the excerpt limit. A table row brings its table's header row
along, to be shown above it. Everything returned is spans; no markup.

Everything about a unit that does not depend on the question (its analysed terms with their
offsets, and how it may join its neighbours) is computed at indexing
(:mod:`retrieval.documents.unittable`); a question chooses the windows of all its candidate passages
at once (:mod:`retrieval.search.windows`) and only the hits shown get their marks here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from retrieval.analysis import Analyzer
from retrieval.documents.units import KINDS
from retrieval.documents.unittable import UnitTable
from retrieval.search.excerptfit import TokenArrays, trim, weight_of
from retrieval.search.excerptquery import ExcerptQuery, Windows
from retrieval.types import Document, Excerpt, Span

__all__ = ["bare_window", "excerpt", "marks", "url_spans"]

_ROW = KINDS.index("row")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`()\[\]{}]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?*_~"


def url_spans(text: str, start: int, end: int) -> list[Span]:
    """Web addresses inside ``text[start:end]``, without trailing punctuation."""
    if "://" not in text[start:end] and "www." not in text[start:end].lower():
        return []  # the usual case, found faster than by the pattern
    spans = []
    for m in _URL.finditer(text, start, end):
        stop = m.end()
        while stop > m.start() and text[stop - 1] in _URL_TAIL:
            stop -= 1
        spans.append(Span(m.start(), stop))
    return spans


def marks(text: str, span: Span, tokens: list[tuple[int, int]]) -> tuple[Span, ...]:
    """The stretches to emphasise: the question's tokens ``(start, end)`` (in text order) inside
    ``span`` and outside URLs, touching ones merged (Discord reads ``**$5****million**`` as a
    bold "$5**" and "million**")."""
    urls = url_spans(text, span.start, span.end)
    runs: list[Span] = []
    for start, end in tokens:
        last = runs[-1].end if runs else span.start
        if start < last or end > span.end:
            continue
        if urls and any(u.start < end and start < u.end for u in urls):
            continue
        if runs and start == last:
            runs[-1] = Span(runs[-1].start, end)
        else:
            runs.append(Span(start, end))
    return tuple(runs)


def _question_tokens(tokens: TokenArrays, query: ExcerptQuery, span: Span) -> list[tuple[int, int]]:
    """(start, end) of the question's tokens inside ``span``, in text order (a window holds a
    few dozen tokens: a Python loop beats numpy's per-call cost here)."""
    ids, starts, ends = (t.tolist() for t in tokens)
    asked = query.id_set
    low, high = span.start, span.end
    return [
        (s, e)
        for i, s, e in zip(ids, starts, ends, strict=True)
        if i in asked and low <= s and e <= high
    ]


def excerpt(
    table: UnitTable, doc: Document, d: int, windows: Windows, n: int, *, query: ExcerptQuery
) -> Excerpt:
    """Candidate ``n``'s chosen window of document ``doc`` (number ``d``), with its marks and,
    for a table row, its table's header row."""
    i, j = int(windows.first[n]), int(windows.last[n])
    span = Span(int(windows.start[n]), int(windows.end[n]))
    lo, hi = int(table.ptr[i]), int(table.ptr[j + 1])
    tokens = (table.ids[lo:hi], table.token_start[lo:hi], table.token_end[lo:hi])
    shown = marks(doc.text, span, _question_tokens(tokens, query, span))
    header = None
    h = int(table.header[i]) if table.kind[i] == _ROW else -1
    if h >= 0 and int(table.start[table.doc_first[d] + h]) < span.start:
        g = int(table.doc_first[d] + h)
        header = Span(int(table.start[g]), int(table.end[g]))
    text = doc.text
    header_text = text[header.start : header.end] if header else ""
    return Excerpt(span.start, span.end, text[span.start : span.end], shown, header, header_text)


def bare_window(
    doc: Document,
    passage: Span,
    query: ExcerptQuery,
    *,
    analyzer: Analyzer,
    term_id: Callable[[str], int],
    quantity: npt.NDArray[np.bool_],
    limit: int,
) -> tuple[float, npt.NDArray[np.bool_], Excerpt]:
    """A passage with no units (never from the loader; kept for hand-built documents): the
    passage itself, trimmed when longer than ``limit``, with its score and matched terms.
    ``term_id`` gives a term's index column, or ``-2``/``-1`` as in
    :mod:`retrieval.documents.unittokens`; ``quantity`` is the table's
    (:class:`retrieval.documents.unittable.UnitTable`)."""
    found = list(analyzer.tokens(doc.text, passage.start, passage.end))
    ids = np.array([term_id(t.term) for t in found], dtype=np.int32)
    starts = np.array([t.start for t in found], dtype=np.int32)
    ends = np.array([t.end for t in found], dtype=np.int32)
    start, end = passage.start, passage.end
    if end - start > limit:
        start, end = trim(doc.text, (start, end), (ids, starts, ends), query, quantity, limit=limit)
    inside = (start <= starts) & (ends <= end)
    score, matched = weight_of(ids[inside], query, quantity)
    span = Span(start, end)
    shown = marks(doc.text, span, _question_tokens((ids, starts, ends), query, span))
    return score, matched, Excerpt(start, end, doc.text[start:end], shown)
