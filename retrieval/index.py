"""The BM25 index behind one small interface: terms in, (position, score) pairs out.

rank-bm25 defines the ranking. Its Okapi IDF floor (epsilon x average IDF) collapses to zero or
below on corpora of two or three documents, where most terms occur in half the documents; the
guard below keeps every known term's weight positive so such corpora still rank by term counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from retrieval.types import EngineOptions

__all__ = ["BM25Index", "ScoredPosition"]

ScoredPosition = tuple[int, float]
# Weight of a term whose IDF rank-bm25 would make zero or negative, relative to the smallest
# positive IDF in the corpus (or an absolute floor when there is none).
_MIN_IDF = 1e-3


def _model(corpus: Sequence[Sequence[str]], options: EngineOptions) -> BM25Okapi | BM25L | BM25Plus:
    docs = [list(d) for d in corpus]
    if options.variant == "l":
        return BM25L(docs, k1=options.k1, b=options.b, delta=options.delta)
    if options.variant == "plus":
        return BM25Plus(docs, k1=options.k1, b=options.b, delta=options.delta)
    return BM25Okapi(docs, k1=options.k1, b=options.b, epsilon=options.epsilon)


class BM25Index:
    """Scores analyzed queries against analyzed passages."""

    def __init__(self, corpus: Sequence[Sequence[str]], options: EngineOptions) -> None:
        self.options = options
        self.size = len(corpus)
        self._bm25 = _model(corpus, options) if corpus and any(corpus) else None
        if self._bm25 is not None:
            positive = [v for v in self._bm25.idf.values() if v > 0]
            floor = min(positive) * _MIN_IDF if positive else _MIN_IDF
            for term, value in self._bm25.idf.items():
                if value <= 0:
                    self._bm25.idf[term] = floor

    def idf(self, term: str) -> float | None:
        """The term's weight, or None when no passage contains it."""
        return None if self._bm25 is None else self._bm25.idf.get(term)

    @property
    def max_idf(self) -> float:
        return max(self._bm25.idf.values(), default=1.0) if self._bm25 else 1.0

    def scores(self, terms: Sequence[str]) -> npt.NDArray[np.float64]:
        known = [t for t in terms if self.idf(t) is not None]
        if self._bm25 is None or not known:
            return np.zeros(self.size)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float64)

    def _contains_any(self, terms: Sequence[str]) -> npt.NDArray[np.bool_]:
        # BM25L and BM25+ give every passage a positive score, so matching is tested directly.
        if self._bm25 is None:
            return np.zeros(self.size, dtype=bool)
        wanted = set(terms)
        return np.array([not wanted.isdisjoint(f) for f in self._bm25.doc_freqs], dtype=bool)

    def top(self, terms: Sequence[str], k: int) -> list[ScoredPosition]:
        """Up to ``k`` positions with a positive score: score desc, position asc."""
        scores = self.scores(terms)
        matched = np.flatnonzero(self._contains_any(terms))
        order = np.lexsort((matched, -scores[matched]))[:k]
        return [(int(matched[i]), float(scores[matched[i]])) for i in order]
