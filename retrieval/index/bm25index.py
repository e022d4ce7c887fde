"""The BM25 index behind one small interface: terms in, (position, score) pairs out.

rank-bm25 defines the ranking (see :mod:`retrieval.index.bm25`); this index precomputes each term's
contribution to each passage containing it, so a query sums a few sparse columns instead of
scoring every passage in Python (see :mod:`retrieval.index.scoring`). Scores equal ``get_scores``'s
bit for bit: the passages returned are scored per term in query order, as rank-bm25 adds, and
BM25+'s constant for passages without a term is added exactly where rank-bm25 adds it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from retrieval import compiled
from retrieval.index import bm25
from retrieval.index.postings import IndexData, PostingsBuilder, count_terms
from retrieval.index.scoring import SLACK, ColumnScorer
from retrieval.types import EngineOptions

__all__ = ["BM25Index", "Floats", "IndexData", "Positions", "ScoredPosition"]

ScoredPosition = tuple[int, float]
Floats = npt.NDArray[np.float64]
Positions = npt.NDArray[np.intp]


class BM25Index:
    """Scores analyzed queries against analyzed passages; immutable and thread-safe."""

    def __init__(self, corpus: Sequence[Sequence[str]], options: EngineOptions) -> None:
        builder = PostingsBuilder(options)
        builder.add(count_terms(corpus))
        self._load(builder.finish(), options)

    @classmethod
    def from_data(cls, data: IndexData, options: EngineOptions) -> BM25Index:
        """An index over arrays built earlier with the same ``options`` (e.g. from the cache)."""
        index = cls.__new__(cls)
        index._load(data, options)
        return index

    def _load(self, data: IndexData, options: EngineOptions) -> None:
        self.options = options
        self.data = data
        self.size = data.size
        self._columns = {term: j for j, term in enumerate(data.terms)}
        self._max_idf = float(data.idf.max()) if data.idf.size else 1.0
        self._zero = bm25.tf_zero_constants(data.idf, options)
        self._scorer = ColumnScorer(data, self._zero)
        kernels = compiled.enable_for(self.size)
        if kernels is not None and self._compiled:
            self._scorer.top_compiled(kernels, [], 1)  # compiled (or loaded) now, not on a question

    @property
    def _compiled(self) -> bool:
        """Whether the compiled top k may answer: positive weights, no tf=0 constant."""
        return self._zero is None and self.data.positive

    def idf(self, term: str) -> float | None:
        """The term's weight, or None when no passage contains it."""
        j = self._columns.get(term)
        return None if j is None else float(self.data.idf[j])

    def column(self, term: str) -> int | None:
        """The term's column (its id in :attr:`terms`), or None when no passage contains it."""
        return self._columns.get(term)

    @property
    def terms(self) -> tuple[str, ...]:
        return self.data.terms

    @property
    def max_idf(self) -> float:
        """The rarest term's weight (1.0 for an empty index)."""
        return self._max_idf

    def _ids(self, terms: Sequence[str]) -> list[int]:
        return [j for t in terms if (j := self._columns.get(t)) is not None]

    def scores(self, terms: Sequence[str]) -> Floats:
        """Every passage's score, exactly as rank-bm25's ``get_scores`` computes it."""
        total = np.zeros(self.size)
        for j in self._ids(terms):
            rows, weights = self._scorer.column(j)
            with_term = total[rows] + weights
            if self._zero is not None:
                total += self._zero[j]
            total[rows] = with_term
        return total

    def top(self, terms: Sequence[str], k: int) -> list[ScoredPosition]:
        """Up to ``k`` passages containing a query term: score desc, position asc."""
        positions, scores = self.top_arrays(terms, k)
        return list(zip(positions.tolist(), scores.tolist(), strict=True))

    def top_arrays(self, terms: Sequence[str], k: int) -> tuple[Positions, Floats]:
        """:meth:`top` as arrays: positions and their scores."""
        ids = self._ids(terms)
        if not ids or k <= 0:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        kernels = compiled.active()
        if kernels is not None and self._compiled:
            return self._scorer.top_compiled(kernels, ids, k)
        positions, gains = self._scorer.candidates(ids, k)
        if self.data.positive and len(positions) > k:
            kth = np.partition(gains, len(gains) - k)[len(gains) - k]
            keep = gains >= kth * (1 - SLACK)
            positions, gains = positions[keep], gains[keep]
        # Okapi's and BM25L's sums are already rank-bm25's: added per term, in query order.
        scores = gains if self._zero is None else self._scorer.rescore(positions, ids)
        order = np.lexsort((positions, -scores))[:k]
        return positions[order], scores[order]
