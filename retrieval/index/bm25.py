"""rank-bm25's Okapi, BM25L and BM25+ restated over arrays, and Lucene's BM25: docqa's ranking.

Each expression keeps rank-bm25 0.2.2's operand order, so a precomputed contribution is bitwise
the value ``get_scores`` adds for that term and passage (the parity tests hold us to it). IDFs are
computed with ``math.log`` in the corpus's first-occurrence order, as rank-bm25 does, so the
Okapi floor (epsilon x average IDF) sums in the same order too.

docqa adds one guard: rank-bm25's Okapi IDF is zero or below for terms in half the passages or
more, and on corpora of two or three passages the floor itself collapses to zero or below; such
IDFs are lifted to a small positive weight so those corpora still rank by term counts.

``lucene`` is Okapi's term-frequency part with Lucene's IDF, log(1 + (N - n + 0.5) / (n + 0.5))
(Robertson-Sparck Jones, kept positive by the 1 +), which never inverts: a term in fewer passages
always weighs more, however small the corpus.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from retrieval.types import EngineOptions

__all__ = ["contributions", "guarded_idf", "idf", "tf_zero_constants"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.integer]
# Weight of a term whose IDF would be zero or negative, relative to the smallest positive IDF in
# the corpus (or an absolute floor when there is none).
MIN_IDF = 1e-3


def _okapi_idf(df: list[int], size: int, epsilon: float) -> list[float]:
    values = []
    idf_sum = 0.0
    for freq in df:
        value = math.log(size - freq + 0.5) - math.log(freq + 0.5)
        values.append(value)
        idf_sum += value
    eps = epsilon * (idf_sum / len(values))
    return [eps if v < 0 else v for v in values]


def idf(df: Ints, size: int, options: EngineOptions) -> Floats:
    """rank-bm25's IDF of each term from its document frequency, terms in first-occurrence order."""
    freqs = [int(f) for f in df]
    if not freqs:
        return np.zeros(0)
    if options.variant == "l":
        values = [math.log(size + 1) - math.log(f + 0.5) for f in freqs]
    elif options.variant == "plus":
        values = [math.log((size + 1) / f) for f in freqs]
    elif options.variant == "lucene":
        values = [math.log(1 + (size - f + 0.5) / (f + 0.5)) for f in freqs]
    else:
        values = _okapi_idf(freqs, size, options.epsilon)
    return np.array(values, dtype=np.float64)


def guarded_idf(values: Floats) -> Floats:
    """``values`` with every IDF that is zero or below lifted to a small positive weight."""
    positive = values[values > 0]
    floor = float(positive.min()) * MIN_IDF if positive.size else MIN_IDF
    return np.where(values > 0, values, floor)


def contributions(
    tf: Ints, doc_len: Ints, term_idf: Floats, avgdl: float, options: EngineOptions
) -> Floats:
    """What rank-bm25's ``get_scores`` adds for each (passage, term) pair with ``tf > 0``.

    ``tf``, ``doc_len`` (of the pair's passage) and ``term_idf`` (of the pair's term) align.
    """
    k1, b, delta = options.k1, options.b, options.delta
    if options.variant == "l":
        ctd = tf / (1 - b + b * doc_len / avgdl)
        return term_idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)  # type: ignore[no-any-return]
    if options.variant == "plus":
        return term_idf * (delta + (tf * (k1 + 1)) / (k1 * (1 - b + b * doc_len / avgdl) + tf))  # type: ignore[no-any-return]
    return term_idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * doc_len / avgdl)))  # type: ignore[no-any-return]


def tf_zero_constants(term_idf: Floats, options: EngineOptions) -> Floats | None:
    """What ``get_scores`` adds for a term to every passage *without* it (None when nothing).

    Only BM25+ adds something: ``idf * (delta + 0 / ...)``, which is exactly ``idf * delta``.
    """
    if options.variant != "plus":
        return None
    return term_idf * (options.delta + 0.0)
