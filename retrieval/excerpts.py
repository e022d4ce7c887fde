"""Pick the units of a document that best answer a query, and mark the query's words in them.

A window is up to three consecutive units (sentences, items, code blocks, rows) starting inside
the passage BM25 found; it may run past the passage's end, but never across boilerplate or into
the next section. The best window holds the most query weight (BM25 saturation, no length
normalisation), ties going to the shorter, then the earlier one. It is then extended forward
when it ends in a lead-in ("run the following command:") or the next sentence continues it
("(The others, he said, ...)"), while it fits the excerpt limit. A table row brings its
table's header row along, to be shown above it. Everything returned is spans; no markup.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from retrieval.analysis import Analyzer, Token
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


@dataclass(slots=True)
class UnitTokens:
    """Analysed tokens of units, computed once per search (passages share units)."""

    analyzer: Analyzer
    cache: dict[tuple[str, int], list[Token]] = field(default_factory=dict)

    def of(self, doc: Document, i: int) -> list[Token]:
        key = (doc.doc_id, i)
        if key not in self.cache:
            u = doc.units
            self.cache[key] = list(self.analyzer.tokens(doc.text, int(u.start[i]), int(u.end[i])))
        return self.cache[key]


def _weight(tokens: Sequence[Token], weights: QueryWeights) -> tuple[float, frozenset[str]]:
    counts = Counter(t.term for t in tokens if t.term in weights.idf)
    k1 = weights.k1
    score = sum(weights.idf[t] * c * (k1 + 1) / (c + k1) for t, c in counts.items())
    # A question asking "how many" is answered by a window that states a number.
    if weights.is_quantity and any(weights.is_quantity(t.term) for t in tokens):
        score += weights.quantity_bonus
    return score, frozenset(counts)


def url_spans(text: str, start: int, end: int) -> list[Span]:
    """Web addresses inside ``text[start:end]``, without trailing punctuation."""
    spans = []
    for m in _URL.finditer(text, start, end):
        stop = m.end()
        while stop > m.start() and text[stop - 1] in _URL_TAIL:
            stop -= 1
        spans.append(Span(m.start(), stop))
    return spans


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


def _cut(text: str, start: int, end: int, limit: int) -> int:
    """``end``, or the last line break (else space) before ``start + limit`` when it is further."""
    if end - start <= limit:
        return end
    stop = start + limit
    for sep in ("\n", " "):
        at = text.rfind(sep, start, stop)
        if at > start + limit // 2:
            return at
    return stop


class _Window:
    """The units of one document around a passage, with the rules for joining them."""

    def __init__(self, doc: Document, tokens: UnitTokens) -> None:
        self.doc, self.units, self.tokens = doc, doc.units, tokens

    def span(self, i: int, j: int) -> Span:
        return Span(int(self.units.start[i]), int(self.units.end[j]))

    def joinable(self, j: int) -> bool:
        """Whether unit ``j`` may follow unit ``j - 1`` in one excerpt."""
        if j >= len(self.units) or self.units.kind_of(j) == "heading":
            return False
        gap = Span(int(self.units.end[j - 1]), int(self.units.start[j]))
        return not any(b.overlap(gap) or b.start == gap.start for b in self.doc.boilerplate)

    def tokens_of(self, i: int, j: int) -> list[Token]:
        return [t for n in range(i, j + 1) for t in self.tokens.of(self.doc, n)]

    def leads_on(self, j: int) -> bool:
        """Unit ``j`` introduces the next one, or the next one continues it."""
        text = self.doc.text
        this = text[int(self.units.start[j]) : int(self.units.end[j])]
        if _LEAD_IN.search(this):
            return True
        after = text[int(self.units.start[j + 1]) : int(self.units.start[j + 1]) + 1]
        return self.units.kind_of(j + 1) in ("sentence", "quote") and bool(_CONTINUES.match(after))


def _choose(win: _Window, first: range, weights: QueryWeights, limit: int) -> tuple[int, int]:
    units = win.units
    starts = [i for i in first if units.kind_of(i) != "heading"] or list(first)
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
            j += 1
    return choice


def _extend(win: _Window, i: int, j: int, limit: int) -> tuple[int, int]:
    units = win.units
    while win.joinable(j + 1) and win.leads_on(j):
        if len(win.span(i, j + 1)) > limit and units.kind_of(j + 1) != "code":
            break
        j += 1
        if len(win.span(i, j)) > limit:
            return i, j  # the start of a long code block: cut at the limit
    # Once a lead-in has brought in a list item, the list's next items complete it too.
    while (
        units.kind_of(j) == "item"
        and win.joinable(j + 1)
        and units.kind_of(j + 1) == "item"
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
    h = int(win.units.header[i]) if win.units.kind_of(i) == "row" else -1
    if h < 0 or int(win.units.start[h]) >= span.start:
        return None
    return Span(int(win.units.start[h]), int(win.units.end[h]))


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
