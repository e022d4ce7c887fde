"""Pick the sentence(s) of a passage that best answer a query, and highlight the query terms."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from retrieval.analysis import Analyzer, Token
from retrieval.sentences import sentence_spans
from retrieval.types import Excerpt, Span

__all__ = ["QueryWeights", "ScoredExcerpt", "best_excerpt", "escape_markdown", "highlight"]

_MARKDOWN = re.compile(r"([\\*_~`|\[\]])|^([>#-])", re.MULTILINE)
_MAX_WINDOW_SENTENCES = 3


@dataclass(frozen=True, slots=True)
class ScoredExcerpt:
    excerpt: Excerpt
    score: float
    matched: frozenset[str]


def escape_markdown(text: str) -> str:
    """Backslash-escape the Markdown Discord would interpret, so text renders literally."""
    return _MARKDOWN.sub(lambda m: "\\" + (m.group(1) or m.group(2)), text)


def highlight(text: str, span: Span, tokens: Sequence[Token], terms: frozenset[str]) -> str:
    """``text[span]`` with tokens whose term is in ``terms`` in bold; other Markdown escaped."""
    out: list[str] = []
    pos = span.start
    for run in _bold_runs(span, tokens, terms):
        out.append(escape_markdown(text[pos : run.start]))
        out.append(f"**{escape_markdown(text[run.start : run.end])}**")
        pos = run.end
    out.append(escape_markdown(text[pos : span.end]))
    return "".join(out)


def _bold_runs(span: Span, tokens: Sequence[Token], terms: frozenset[str]) -> list[Span]:
    """The stretches to bold: matching tokens inside ``span``, touching ones merged, because
    Discord reads ``**$5****million**`` as a bold "$5**" followed by "million**"."""
    runs: list[Span] = []
    for token in tokens:
        end = runs[-1].end if runs else span.start
        if token.term not in terms or token.start < end or token.end > span.end:
            continue
        if runs and token.start == end:
            runs[-1] = Span(runs[-1].start, token.end)
        else:
            runs.append(Span(token.start, token.end))
    return runs


@dataclass(frozen=True, slots=True)
class QueryWeights:
    """Query term weights (IDF) and BM25 saturation for scoring a window of sentences."""

    idf: Mapping[str, float]
    k1: float = 1.2
    quantity_bonus: float = 0.0
    is_quantity: Callable[[str], bool] | None = None


def _weight(tokens: Sequence[Token], weights: QueryWeights) -> tuple[float, frozenset[str]]:
    # No length normalisation: a window is at most a few sentences, and a longer one that
    # covers more of the question is the better answer.
    counts = Counter(t.term for t in tokens if t.term in weights.idf)
    k1 = weights.k1
    score = sum(weights.idf[t] * c * (k1 + 1) / (c + k1) for t, c in counts.items())
    # A question asking "how many" is answered by a window that states a number.
    if weights.is_quantity and any(weights.is_quantity(t.term) for t in tokens):
        score += weights.quantity_bonus
    return score, frozenset(counts)


def _trim(
    text: str, span: Span, tokens: Sequence[Token], weights: QueryWeights, limit: int
) -> Span:
    """The stretch of an over-long sentence, at most ``limit`` characters and starting at a
    word, that holds the most query weight; it ends at the last space that fits."""

    def window(start: int) -> tuple[float, int]:
        end = min(span.end, start + limit)
        inside = [t for t in tokens if start <= t.start and t.end <= end]
        return _weight(inside, weights)[0], -start

    starts = [span.start] + [t.start for t in tokens if t.term in weights.idf]
    start = max(starts, key=window)
    end = min(span.end, start + limit)
    if end < span.end and (space := text.rfind(" ", start, end)) > start:
        end = space
    return Span(start, end)


def best_excerpt(
    text: str,
    passage: Span,
    weights: QueryWeights,
    analyzer: Analyzer,
    limit: int = 400,
) -> ScoredExcerpt:
    """The window of up to three consecutive sentences of ``passage`` that covers the most query
    weight within ``limit`` characters; ties go to the shorter, then the earlier window."""
    sentences = sentence_spans(text, passage.start, passage.end) or [passage]
    tokens = [list(analyzer.tokens(text, s.start, s.end)) for s in sentences]
    best: tuple[float, int, int] | None = None
    choice = (0, 0)
    for i in range(len(sentences)):
        for j in range(i, min(i + _MAX_WINDOW_SENTENCES, len(sentences))):
            length = sentences[j].end - sentences[i].start
            if j > i and length > limit:
                break
            score, _ = _weight([t for ts in tokens[i : j + 1] for t in ts], weights)
            key = (score, -length, -i)
            if best is None or key > best:
                best, choice = key, (i, j)
    i, j = choice
    span = Span(sentences[i].start, sentences[j].end)
    window_tokens = [t for ts in tokens[i : j + 1] for t in ts]
    if len(span) > limit:
        span = _trim(text, span, window_tokens, weights, limit)
        window_tokens = [t for t in window_tokens if span.start <= t.start and t.end <= span.end]
    score, matched = _weight(window_tokens, weights)
    shown = highlight(text, span, window_tokens, frozenset(weights.idf))
    excerpt = Excerpt(span.start, span.end, text[span.start : span.end], shown)
    return ScoredExcerpt(excerpt, score, matched)
