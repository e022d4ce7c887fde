"""BM25's top k as compiled loops over the contribution matrix's columns.

Imported only through :mod:`retrieval.kernels` (see :mod:`retrieval.compiled`). Each passage's
score adds its columns' weights in query order, as
:meth:`retrieval.index.scoring.ColumnScorer.sums` does, so the answers are numpy's bit for bit;
the tests hold them to that.
"""

from __future__ import annotations

from typing import Any

import numba  # type: ignore[import-untyped]
import numpy as np

__all__ = ["top_k", "top_k_float32"]

_jit = numba.njit(cache=True, nogil=True)


@_jit  # type: ignore[misc]
def _worse(score: float, position: int, other_score: float, other_position: int) -> bool:
    """Whether (score, position) ranks below the other: a lower score, or a later position."""
    return score < other_score or (score == other_score and position > other_position)


@_jit  # type: ignore[misc]
def _sift(scores: Any, positions: Any, at: int) -> None:
    """Restore the heap of :func:`top_k` below ``at`` (the worst-ranked entry at the root)."""
    k = len(scores)
    while 2 * at + 1 < k:
        child = 2 * at + 1
        if child + 1 < k and _worse(
            scores[child + 1], positions[child + 1], scores[child], positions[child]
        ):
            child += 1
        if not _worse(scores[child], positions[child], scores[at], positions[at]):
            return
        scores[at], scores[child] = scores[child], scores[at]
        positions[at], positions[child] = positions[child], positions[at]
        at = child


@_jit  # type: ignore[misc]
def top_k(columns: Any, ids: Any, k: int, total: Any) -> Any:
    """BM25's ``k`` best passages (positions and scores, score desc then position asc) for the
    index columns ``ids`` (one per occurrence, in query order) of ``columns`` = (indptr, rows,
    weights), whose weights are all positive: each passage's score adds its columns' weights in
    ``ids`` order, as :meth:`retrieval.index.scoring.ColumnScorer.sums` does, so that passages
    holding no term score 0 and are left out.

    ``total`` is one float per passage, all zero, and is left all zero: one pass over it both
    selects and clears, where numpy allocates, sums, bounds and filters it in four passes."""
    indptr, rows, weights = columns
    for j in ids:
        for p in range(indptr[j], indptr[j + 1]):
            total[rows[p]] += weights[p]
    scores, positions = _select(total, k)
    found = positions >= 0
    return _ranked(positions[found], scores[found])


@_jit  # type: ignore[misc]
def _select(total: Any, k: int) -> Any:
    """The ``k`` largest of ``total`` (ties: the earlier position) as a heap of scores and
    positions, clearing ``total`` on the way; -1 positions when fewer are above 0."""
    # The heap starts with stand-ins that rank above a passage scoring 0 and below any other,
    # so the scan's branch is rarely taken.
    scores, positions = np.zeros(k), np.full(k, -1, np.int64)
    for r in range(len(total)):
        score = total[r]
        total[r] = 0.0
        if score >= scores[0] and _worse(scores[0], positions[0], score, r):
            scores[0], positions[0] = score, r
            _sift(scores, positions, 0)
    return scores, positions


@_jit  # type: ignore[misc]
def _ranked(positions: Any, scores: Any) -> Any:
    """``positions`` and ``scores`` ordered by score, best first, ties by position."""
    order = np.argsort(positions, kind="mergesort")  # ties: the earlier position first
    order = order[np.argsort(-scores[order], kind="mergesort")]
    return positions[order], scores[order]


@_jit  # type: ignore[misc]
def _exact_score(columns: Any, ids: Any, r: int) -> float:
    """Passage ``r``'s score as :func:`top_k` adds it: its weight in each column of ``ids``
    (found by binary search), in ``ids`` order."""
    indptr, rows, weights = columns
    score = 0.0
    for j in ids:
        lo, hi = indptr[j], indptr[j + 1]
        while lo < hi:
            mid = (lo + hi) >> 1
            if rows[mid] < r:
                lo = mid + 1
            else:
                hi = mid
        if lo < indptr[j + 1] and rows[lo] == r:
            score += weights[lo]
    return score


@_jit  # type: ignore[misc]
def top_k_float32(columns: Any, ids: Any, k: int, total: Any, extra: int) -> Any:
    """:func:`top_k` with the sums first added in float32 (``total``: one float32 per passage,
    all zero, left all zero), whose half-size array stays in faster caches on large corpora.

    The ``k + extra`` best float32 sums are rescored exactly (:func:`_exact_score`). Each
    weight is rounded once to float32 and each of the n additions once, all terms positive, so
    a float32 sum is within a factor (1 ± 3nu) of the exact one (u = 2^-24); when the k-th best
    exact score exceeds the lowest kept float32 sum over (1 - 3nu), no passage left out can
    reach it, and the answer (positions, scores, True) is :func:`top_k`'s. Otherwise the third
    value is False and the caller must use :func:`top_k`."""
    indptr, rows, weights = columns
    for j in ids:
        for p in range(indptr[j], indptr[j + 1]):
            total[rows[p]] += np.float32(weights[p])
    sums, positions = _select(total, k + extra)
    lowest, full = sums[0], positions[0] >= 0
    positions = positions[positions >= 0]
    scores = np.empty(len(positions))
    for x in range(len(positions)):
        scores[x] = _exact_score(columns, ids, positions[x])
    positions, scores = _ranked(positions, scores)
    positions, scores = positions[:k], scores[:k]
    slack = 3.0 * len(ids) * 2.0**-24
    exact = not full or (len(scores) == k and scores[k - 1] > lowest / (1.0 - slack))
    return positions, scores, exact
