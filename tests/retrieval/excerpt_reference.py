"""The excerpt stage as a straightforward reference for :mod:`retrieval.search.windows`: every
candidate's units analysed on demand, every window counted with a ``Counter``, one Python loop
per rule (see :mod:`retrieval.search.excerpts` for the rules)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from retrieval.analysis import Analyzer, Token
from retrieval.documents.units import KINDS, Kind
from retrieval.search.excerptfit import cut as _cut
from retrieval.search.excerpts import url_spans
from retrieval.types import Document, Excerpt, Span

__all__ = ["QueryWeights", "ScoredExcerpt", "UnitTokens", "best_excerpt", "marks", "url_spans"]

_MAX_WINDOW_UNITS = 3
_LEAD_IN = re.compile(r"(?::|\b(?:the following|as follows)\b[^.!?]*)[\s*_`)\]]*$", re.IGNORECASE)
_CONTINUES = re.compile(r"[(\[a-z]")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`()\[\]{}]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?*_~"


@dataclass(frozen=True, slots=True)
class ScoredExcerpt:
    excerpt: Excerpt
    score: float
    matched: frozenset[str]


@dataclass(frozen=True, slots=True)
class QueryWeights:
    """Query term weights (IDF) and BM25 saturation for scoring a window of units."""

    idf: Mapping[str, float]
    k1: float = 1.2
    quantity_bonus: float = 0.0
    is_quantity: Callable[[str], bool] | None = None


class UnitTokens:
    """Analysed tokens and plain-list views of units, kept across searches (least recently used
    dropped past ``size`` units): nothing here depends on the question. Thread-safe."""

    def __init__(
        self, analyzer: Analyzer, documents: Mapping[str, Document], size: int = 1 << 16
    ) -> None:
        self.analyzer = analyzer
        self._documents = documents
        self._tokens = lru_cache(maxsize=size)(self._unit_tokens)
        self.lists = lru_cache(maxsize=1024)(self._lists)

    def of(self, doc: Document, i: int) -> tuple[Token, ...]:
        return self._tokens(doc.doc_id, i)

    def _unit_tokens(self, doc_id: str, i: int) -> tuple[Token, ...]:
        doc = self._documents[doc_id]
        start, end = int(doc.units.start[i]), int(doc.units.end[i])
        return tuple(self.analyzer.tokens(doc.text, start, end))

    def _lists(self, doc_id: str) -> UnitLists:
        u = self._documents[doc_id].units
        kinds = [KINDS[k] for k in u.kind.tolist()]
        return UnitLists(
            u.start.tolist(), u.end.tolist(), kinds, u.header.tolist(), u.block.tolist()
        )


@dataclass(frozen=True, slots=True)
class UnitLists:
    """A document's unit arrays as Python lists, for per-element access in loops."""

    start: list[int]
    end: list[int]
    kind: list[Kind]
    header: list[int]
    block: list[int]


def _weight(tokens: Sequence[Token], weights: QueryWeights) -> tuple[float, frozenset[str]]:
    counts = Counter(t.term for t in tokens if t.term in weights.idf)
    k1 = weights.k1
    score = sum(weights.idf[t] * c * (k1 + 1) / (c + k1) for t, c in counts.items())
    # A question asking "how many" is answered by a window that states a number.
    if weights.is_quantity and any(weights.is_quantity(t.term) for t in tokens):
        score += weights.quantity_bonus
    return score, frozenset(counts)


def marks(
    text: str, span: Span, tokens: Sequence[Token], terms: frozenset[str]
) -> tuple[Span, ...]:
    """The stretches to emphasise: matching tokens inside ``span`` and outside URLs, touching
    ones merged (Discord reads ``**$5****million**`` as a bold "$5**" and "million**")."""
    urls = url_spans(text, span.start, span.end)
    runs: list[Span] = []
    for token in tokens:
        end = runs[-1].end if runs else span.start
        if token.term not in terms or token.start < end or token.end > span.end:
            continue
        if any(u.start < token.end and token.start < u.end for u in urls):
            continue
        if runs and token.start == end:
            runs[-1] = Span(runs[-1].start, token.end)
        else:
            runs.append(Span(token.start, token.end))
    return tuple(runs)


def _trim(
    text: str, span: Span, tokens: Sequence[Token], weights: QueryWeights, limit: int
) -> Span:
    """The stretch of an over-long window, at most ``limit`` characters and starting at a word,
    that holds the most query weight; it ends at the last line break or space that fits."""

    def window(start: int) -> tuple[float, int]:
        end = min(span.end, start + limit)
        inside = [t for t in tokens if start <= t.start and t.end <= end]
        return _weight(inside, weights)[0], -start

    starts = [span.start] + [t.start for t in tokens if t.term in weights.idf]
    start = max(starts, key=window)
    return Span(start, _cut(text, start, span.end, limit))


class _Window:
    """The units of one document around a passage, with the rules for joining them."""

    def __init__(self, doc: Document, tokens: UnitTokens) -> None:
        self.doc, self.tokens = doc, tokens
        self.units = tokens.lists(doc.doc_id)
        self.count = len(self.units.start)

    def span(self, i: int, j: int) -> Span:
        return Span(self.units.start[i], self.units.end[j])

    def kind(self, i: int) -> Kind:
        return self.units.kind[i]

    def joinable(self, j: int) -> bool:
        """Whether unit ``j`` may follow unit ``j - 1`` in one excerpt."""
        if j >= self.count or self.units.kind[j] == "heading":
            return False
        gap = Span(self.units.end[j - 1], self.units.start[j])
        return not any(b.overlap(gap) or b.start == gap.start for b in self.doc.boilerplate)

    def leaves_paragraph(self, j: int) -> bool:
        """Unit ``j + 1`` starts another paragraph than sentence ``j``, or another list item
        when either item has several sentences (short items may be read together)."""
        units = self.units
        if units.block[j] == units.block[j + 1] or units.kind[j] != units.kind[j + 1]:
            return False
        if units.kind[j] == "sentence":
            return True
        long_items = (j > 0 and units.block[j - 1] == units.block[j]) or (
            j + 2 < len(units.block) and units.block[j + 2] == units.block[j + 1]
        )
        return units.kind[j] == "item" and long_items

    def tokens_of(self, i: int, j: int) -> list[Token]:
        return [t for n in range(i, j + 1) for t in self.tokens.of(self.doc, n)]

    def leads_on(self, j: int) -> bool:
        """Unit ``j`` introduces the next one, or the next one continues it."""
        text, units = self.doc.text, self.units
        if _LEAD_IN.search(text, units.start[j], units.end[j]):
            return True
        after = text[units.start[j + 1] : units.start[j + 1] + 1]
        return units.kind[j + 1] in ("sentence", "quote") and bool(_CONTINUES.match(after))


def _choose(win: _Window, first: range, weights: QueryWeights, limit: int) -> tuple[int, int]:
    starts = [i for i in first if win.kind(i) != "heading"] or list(first)
    best: tuple[float, int, int] | None = None
    choice = (starts[0], starts[0])
    for i in starts:
        j = i
        while True:
            length = len(win.span(i, j))
            if j > i and length > limit:
                break
            score, _ = _weight(win.tokens_of(i, j), weights)
            key = (score, -length, -i)
            if best is None or key > best:
                best, choice = key, (i, j)
            if j - i + 1 >= _MAX_WINDOW_UNITS or not win.joinable(j + 1):
                break
            if win.leaves_paragraph(j):
                break
            j += 1
    return choice


def _extend(win: _Window, i: int, j: int, limit: int) -> tuple[int, int]:
    while win.joinable(j + 1) and win.leads_on(j):
        if len(win.span(i, j + 1)) > limit and win.kind(j + 1) != "code":
            break
        j += 1
        if len(win.span(i, j)) > limit:
            return i, j  # the start of a long code block: cut at the limit
    # Once a lead-in has brought in a list item, the list's next items complete it too.
    while (
        win.kind(j) == "item"
        and win.joinable(j + 1)
        and win.kind(j + 1) == "item"
        and len(win.span(i, j + 1)) <= limit
        and j > i
        and win.leads_on(i)
    ):
        j += 1
    return i, j


def best_excerpt(
    doc: Document, passage: Span, weights: QueryWeights, tokens: UnitTokens, limit: int = 400
) -> ScoredExcerpt:
    """The best window of units starting inside ``passage`` (see the module docstring)."""
    win = _Window(doc, tokens)
    first = doc.units.covering(passage.start, passage.end)
    if not first:
        return _bare(doc, passage, weights, tokens.analyzer, limit)
    chosen = _choose(win, first, weights, limit)
    i, j = _extend(win, *chosen, limit)
    span = win.span(i, j)
    window_tokens = win.tokens_of(i, j)
    if len(span) > limit and j > chosen[1]:  # a lead-in and what it introduces, cut
        span = Span(span.start, _cut(doc.text, span.start, span.end, limit))
        window_tokens = [t for t in window_tokens if t.end <= span.end]
    elif len(span) > limit:
        span = _trim(doc.text, span, window_tokens, weights, limit)
        window_tokens = [t for t in window_tokens if span.start <= t.start and t.end <= span.end]
    return _scored(doc, span, window_tokens, weights, _header(win, i, span))


def _header(win: _Window, i: int, span: Span) -> Span | None:
    h = win.units.header[i] if win.kind(i) == "row" else -1
    if h < 0 or win.units.start[h] >= span.start:
        return None
    return Span(win.units.start[h], win.units.end[h])


def _scored(
    doc: Document,
    span: Span,
    tokens: Sequence[Token],
    weights: QueryWeights,
    header: Span | None = None,
) -> ScoredExcerpt:
    score, matched = _weight(tokens, weights)
    text = doc.text
    shown = marks(text, span, tokens, frozenset(weights.idf))
    header_text = text[header.start : header.end] if header else ""
    excerpt = Excerpt(span.start, span.end, text[span.start : span.end], shown, header, header_text)
    return ScoredExcerpt(excerpt, score, matched)


def _bare(
    doc: Document, passage: Span, weights: QueryWeights, analyzer: Analyzer, limit: int
) -> ScoredExcerpt:
    """A passage with no units (never from the loader; kept for hand-built documents)."""
    tokens = list(analyzer.tokens(doc.text, passage.start, passage.end))
    span = passage if len(passage) <= limit else _trim(doc.text, passage, tokens, weights, limit)
    return _scored(
        doc, span, [t for t in tokens if span.start <= t.start and t.end <= span.end], weights
    )
