"""The BM25 index behind one small interface: terms in, (position, score) pairs out.

rank-bm25 defines the ranking (see :mod:`retrieval.bm25`); this index precomputes each term's
contribution to each passage containing it, so a query sums a few sparse columns instead of
scoring every passage in Python. Scores equal ``get_scores``'s bit for bit: columns are added in
query order, and BM25+'s constant for passages without a term is added back exactly for the
passages returned.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from retrieval import bm25
from retrieval.postings import IndexData, PostingsBuilder, count_terms
from retrieval.types import EngineOptions

__all__ = ["BM25Index", "IndexData", "ScoredPosition"]

ScoredPosition = tuple[int, float]
Floats = npt.NDArray[np.float64]
Positions = npt.NDArray[np.intp]
# Candidates within this relative distance of the k-th best sum are rescored exactly.
_SLACK = 1e-9


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
        self._zero = bm25.tf_zero_constants(data.idf, options)

    def idf(self, term: str) -> float | None:
        """The term's weight, or None when no passage contains it."""
        j = self._columns.get(term)
        return None if j is None else float(self.data.idf[j])

    @property
    def max_idf(self) -> float:
        return float(self.data.idf.max()) if self.data.idf.size else 1.0

    def _ids(self, terms: Sequence[str]) -> list[int]:
        return [j for t in terms if (j := self._columns.get(t)) is not None]

    def _column(self, j: int) -> tuple[npt.NDArray[np.int32], Floats]:
        start, end = self.data.indptr[j], self.data.indptr[j + 1]
        return self.data.rows[start:end], self.data.weights[start:end]

    def scores(self, terms: Sequence[str]) -> Floats:
        """Every passage's score, exactly as rank-bm25's ``get_scores`` computes it."""
        total = np.zeros(self.size)
        for j in self._ids(terms):
            rows, weights = self._column(j)
            with_term = total[rows] + weights
            if self._zero is not None:
                total += self._zero[j]
            total[rows] = with_term
        return total

    def top(self, terms: Sequence[str], k: int) -> list[ScoredPosition]:
        """Up to ``k`` passages containing a query term: score desc, position asc."""
        ids = self._ids(terms)
        if not ids or k <= 0:
            return []
        sums = self._sums(ids)
        positions = self._candidates(sums, ids, k)
        exact = sums[positions] if self._zero is None else self._rescore(positions, ids)
        order = np.lexsort((positions, -exact))[:k]
        return [(int(positions[i]), float(exact[i])) for i in order]

    def _sums(self, ids: list[int]) -> Floats:
        """Per passage, the query's contributions above the tf=0 constants, in query order."""
        columns = [self._column(j) for j in ids]
        rows = np.concatenate([r for r, _ in columns])
        if self._zero is None:
            weights = np.concatenate([w for _, w in columns])
        else:
            zero = self._zero
            weights = np.concatenate([w - zero[j] for j, (_, w) in zip(ids, columns, strict=True)])
        sums = np.bincount(rows, weights=weights, minlength=self.size)
        return sums.astype(np.float64, copy=False)

    def _candidates(self, sums: Floats, ids: list[int], k: int) -> Positions:
        """Passages that may rank in the top ``k``, ascending; all matches when in doubt."""
        if not self.data.positive:
            rows = np.concatenate([self._column(j)[0] for j in ids])
            return np.flatnonzero(np.bincount(rows, minlength=self.size))
        floor = _kth_largest_floor(sums, k)
        if floor <= 0:
            return np.flatnonzero(sums > 0)
        return np.flatnonzero(sums >= floor * (1 - _SLACK))

    def _rescore(self, positions: Positions, ids: list[int]) -> Floats:
        """Exact scores of ``positions``: rank-bm25's per-term values, summed in query order."""
        assert self._zero is not None
        total = np.zeros(len(positions))
        for j in ids:
            rows, weights = self._column(j)
            at = np.minimum(np.searchsorted(rows, positions), len(rows) - 1)
            total = total + np.where(rows[at] == positions, weights[at], self._zero[j])
        return total


def _kth_largest_floor(values: Floats, k: int) -> float:
    """A lower bound on the k-th largest value: the k-th largest of block maxima."""
    blocks = max(64, 16 * k)
    if k >= len(values) or blocks >= len(values):
        return 0.0
    width = len(values) // blocks
    maxima = np.maximum.reduceat(values, np.arange(0, len(values), width))
    return float(np.partition(maxima, len(maxima) - k)[len(maxima) - k])
