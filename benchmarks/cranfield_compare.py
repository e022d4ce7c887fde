"""docqa against bm25s and rank-bm25 defaults on Cranfield, measured in the same run.

usage: .venv/bin/python benchmarks/cranfield_compare.py [COLLECTION_DIR]

Every system indexes the same text (title, blank line, abstract) and is scored by the same
ir-measures code (binary relevance, all judged queries, a query with no hits scores zero).
The collection is read from ../shared/benchmarks/cranfield by default and never copied here;
without it the script says so and exits 0.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from ir_measures import ScoredDoc
from rank_bm25 import BM25Okapi

from retrieval.eval.beir import BeirCollection, BeirScores, evaluate_beir, load_beir, score_run
from retrieval.eval.report import beir_table
from retrieval.types import EngineOptions

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "cranfield"
DEPTH = 1000
Tokenize = Callable[[Sequence[str]], list[list[str]]]


def _whitespace(texts: Sequence[str]) -> list[list[str]]:
    """rank-bm25's README tokenization: lowercase, split on spaces."""
    return [t.lower().split() for t in texts]


def _bm25s_tokens(texts: Sequence[str]) -> list[list[str]]:
    """bm25s's README tokenization: English stopwords and the Snowball stemmer."""
    stemmer = Stemmer.Stemmer("english")
    tokens = bm25s.tokenize(
        list(texts), stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False
    )
    return [list(t) for t in tokens]


def _measure(name: str, c: BeirCollection, rank: Callable[[], list[ScoredDoc]]) -> BeirScores:
    started = time.perf_counter()
    run = rank()
    return score_run(name, c.qrels, run, len(c.queries), time.perf_counter() - started)


def rank_bm25_run(c: BeirCollection, tokenize: Tokenize) -> list[ScoredDoc]:
    """BM25Okapi with its defaults (k1=1.5, b=0.75, epsilon=0.25); top DEPTH per query."""
    ids = [d.doc_id for d in c.documents]
    model = BM25Okapi(tokenize([d.text for d in c.documents]))
    run = []
    for qid, tokens in zip(c.queries, tokenize(list(c.queries.values())), strict=True):
        scores = model.get_scores(tokens)
        for i in np.argsort(-scores, kind="stable")[:DEPTH]:
            run.append(ScoredDoc(qid, ids[i], float(scores[i])))
    return run


def bm25s_run(c: BeirCollection) -> list[ScoredDoc]:
    """bm25s.BM25() with its defaults (Lucene variant, k1=1.5, b=0.75); top DEPTH per query."""
    ids = [d.doc_id for d in c.documents]
    model = bm25s.BM25()
    model.index(_bm25s_tokens([d.text for d in c.documents]), show_progress=False)
    queries = _bm25s_tokens(list(c.queries.values()))
    k = min(DEPTH, len(ids))
    docs, scores = model.retrieve(queries, k=k, show_progress=False)
    return [
        ScoredDoc(qid, ids[int(d)], float(s))
        for qid, row, row_scores in zip(c.queries, docs, scores, strict=True)
        for d, s in zip(row, row_scores, strict=True)
        if s > 0
    ]


def main(argv: Sequence[str]) -> int:
    directory = Path(argv[0]) if argv else DEFAULT_DIR
    if not (directory / "corpus.jsonl").is_file():
        print(f"skipped: no Cranfield collection at {directory}")
        return 0
    c = load_beir(directory)
    rows = [
        evaluate_beir(c, EngineOptions(), system="docqa defaults (whole-document BM25)"),
        evaluate_beir(c, EngineOptions(), first_stage=True, system="docqa defaults, BM25 stage"),
        evaluate_beir(
            c,
            EngineOptions(chunk_tokens=512, overlap_tokens=0),
            first_stage=True,
            system="docqa 512-token chunks, BM25 stage",
        ),
        _measure("bm25s defaults (stopwords+stem)", c, lambda: bm25s_run(c)),
        _measure("rank-bm25 BM25Okapi (whitespace)", c, lambda: rank_bm25_run(c, _whitespace)),
        _measure(
            "rank-bm25 BM25Okapi (stopwords+stem)", c, lambda: rank_bm25_run(c, _bm25s_tokens)
        ),
    ]
    print(f"Cranfield: {len(c.documents)} documents, {len(c.queries)} judged queries")
    print(beir_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
