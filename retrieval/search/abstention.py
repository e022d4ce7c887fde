"""The abstention rule: how well the top excerpt answers a question, and whether that is enough.

A search always returns its best hits; ``SearchResult.answered`` says whether the first one
answers (the bot then shows it as the answer rather than as "closest passages").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from retrieval.index.bm25index import BM25Index
from retrieval.types import EngineOptions

__all__ = ["answers", "confidence"]


def confidence(index: BM25Index, terms: Sequence[str], shown: frozenset[str] | None) -> float:
    """How well the top excerpt answers the question of ``terms``, in 0..1. ``shown`` are the
    question's terms it holds or has as context (its document's name, its section's heading:
    :mod:`retrieval.search.context`). The share of the question's IDF weight it matches
    (unknown terms weigh as much as the rarest known one), damped by ``min(1, matched /
    max_idf)`` when what it matches weighs less than one rare term, as when only a single
    common word is shared. 0.0 without terms or excerpt (None)."""
    if not terms or shown is None:
        return 0.0
    rarest = index.max_idf
    weights = {t: (index.idf(t) or rarest) * n for t, n in Counter(terms).items()}
    matched = sum(w for t, w in weights.items() if t in shown)
    return matched / sum(weights.values()) * min(1.0, matched / rarest)


def answers(options: EngineOptions, confidence: float, cosine: float | None) -> bool:
    """Whether the top excerpt answers. By words alone (``cosine`` None): it matches at least
    ``min_confidence`` of the question's weight. With the semantic stage (``cosine``, the top
    window's): never below ``semantic_floor`` (another subject), else when its words match
    ``semantic_confidence`` or its meaning is as close as ``semantic_answer``."""
    if cosine is None:
        return confidence >= options.min_confidence
    if cosine < options.semantic_floor:
        return False
    return confidence >= options.semantic_confidence or cosine >= options.semantic_answer
