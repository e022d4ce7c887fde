"""Shared by the scale tests: rank-bm25 as the reference ranking, and a generated corpus."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from retrieval.index import bm25
from retrieval.types import EngineOptions

Reference = BM25Okapi | BM25L | BM25Plus


def reference(corpus: Sequence[Sequence[str]], options: EngineOptions) -> Reference:
    """rank-bm25 itself, with docqa's guard applied to its IDFs (a no-op unless one is <= 0)."""
    docs = [list(d) for d in corpus]
    o = options
    model: Reference
    if o.variant == "l":
        model = BM25L(docs, k1=o.k1, b=o.b, delta=o.delta)
    elif o.variant == "plus":
        model = BM25Plus(docs, k1=o.k1, b=o.b, delta=o.delta)
    else:
        model = BM25Okapi(docs, k1=o.k1, b=o.b, epsilon=o.epsilon)
    guarded = bm25.guarded_idf(np.array(list(model.idf.values())))
    model.idf = {t: float(v) for t, v in zip(model.idf, guarded, strict=True)}
    return model


def reference_top(model: Reference, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
    """Passages holding a query term, by get_scores desc then position asc."""
    known = [t for t in terms if t in model.idf]
    if not known:
        return []
    scores = model.get_scores(known)
    wanted = set(known)
    matched = np.array([i for i, f in enumerate(model.doc_freqs) if not wanted.isdisjoint(f)])
    order = np.lexsort((matched, -scores[matched]))[:k]
    return [(int(matched[i]), float(scores[matched[i]])) for i in order]


def generated_corpus(
    seed_passages: Sequence[Sequence[str]], size: int, rng: np.random.Generator
) -> list[list[str]]:
    """``size`` passages whose terms and lengths follow the seed passages' distributions."""
    counts = Counter(t for p in seed_passages for t in p)
    vocab = np.array(list(counts))
    p = np.array(list(counts.values()), dtype=np.float64)
    p /= p.sum()
    lengths = rng.choice([len(s) for s in seed_passages if s], size=size)
    return [list(rng.choice(vocab, size=n, p=p)) for n in lengths]


def random_queries(
    passages: Sequence[Sequence[str]], count: int, rng: np.random.Generator
) -> list[list[str]]:
    """Queries of 1-8 terms from the passages, with repeats and an unknown term now and then."""
    pool = sorted({t for p in passages for t in p})
    queries = []
    for n in rng.integers(1, 9, size=count):
        terms = [str(t) for t in rng.choice(pool, size=n)]
        if rng.random() < 0.2:
            terms.append(terms[0])
        if rng.random() < 0.1:
            terms.append("zzunknownzz")
        queries.append(terms)
    return queries
