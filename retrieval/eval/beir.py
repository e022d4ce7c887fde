"""BEIR-layout test collections (corpus.jsonl, queries.jsonl, qrels/<split>.tsv), document level.

Each BEIR document becomes one docqa :class:`~retrieval.types.Document` (text = title, a blank
line, text). By default documents rank by BM25 over each whole document (the engine's analyzer,
ranking formula and options, one passage per document): on Cranfield that gives nDCG@10 0.392,
against 0.359 for ``--first-stage``, where a document ranks by its best chunk, and 0.340 for the
order of ``search``'s excerpt re-rank, which is tuned to pick passages, not documents. Relevance
is binary: a qrels score of 1 or more counts as relevant.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import ir_measures
from ir_measures import Measure, Qrel, ScoredDoc

from retrieval.documents.chunking import indexed_spans
from retrieval.documents.corpus import parse_document
from retrieval.errors import EvalError, QueryError
from retrieval.eval.jsonl import read_jsonl
from retrieval.index.bm25index import BM25Index
from retrieval.search.engine import SearchEngine, analyzer_for, question_terms, validate_question
from retrieval.types import Document, EngineOptions

__all__ = [
    "BEIR_MEASURES",
    "BeirCollection",
    "BeirScores",
    "DocumentRanker",
    "evaluate_beir",
    "load_beir",
    "rank_documents",
    "score_run",
]

log = logging.getLogger(__name__)

BEIR_MEASURES: dict[str, Measure] = {
    "ndcg@10": ir_measures.nDCG @ 10,
    "map@100": ir_measures.AP @ 100,
    "recall@100": ir_measures.R @ 100,
    "map@1000": ir_measures.AP @ 1000,
}
DEPTH = 1000
# BEIR documents are clean abstracts or passages: web-boilerplate detection is switched off.
_NO_BOILERPLATE = {"detect_boilerplate": False}


@dataclass(frozen=True, slots=True)
class BeirCollection:
    documents: tuple[Document, ...]
    queries: Mapping[str, str]
    qrels: tuple[Qrel, ...]


@dataclass(frozen=True, slots=True)
class BeirScores:
    """Means over every query with relevance judgments (a query with no hits scores zero)."""

    system: str
    queries: int
    means: Mapping[str, float]
    seconds: float


def _qrels(path: Path) -> tuple[Qrel, ...]:
    try:
        with path.open(encoding="utf-8", newline="") as rows:
            reader = csv.DictReader(rows, delimiter="\t")
            judged = [(r["query-id"], r["corpus-id"], int(r["score"])) for r in reader]
    except (OSError, KeyError, ValueError) as exc:
        raise EvalError(f"cannot read qrels {path}: {exc}") from exc
    return tuple(Qrel(q, d, 1) for q, d, score in judged if score >= 1)


def load_beir(directory: Path | str, split: str = "test") -> BeirCollection:
    """A BEIR collection, keeping only the queries that have relevance judgments."""
    directory = Path(directory)
    if not (directory / "corpus.jsonl").is_file():
        raise EvalError(f"{directory} is not a BEIR collection (no corpus.jsonl)")
    qrels = _qrels(directory / "qrels" / f"{split}.tsv")
    judged = {q.query_id for q in qrels}
    try:
        documents = tuple(
            parse_document(str(r["_id"]), f"{r.get('title', '')}\n\n{r['text']}", _NO_BOILERPLATE)
            for _, r in read_jsonl(directory / "corpus.jsonl", "corpus")
        )
        queries = {
            str(r["_id"]): str(r["text"])
            for _, r in read_jsonl(directory / "queries.jsonl", "queries")
            if str(r["_id"]) in judged
        }
    except (KeyError, TypeError, AttributeError) as exc:
        raise EvalError(f"{directory}: every corpus and query line needs _id and text") from exc
    return BeirCollection(documents, queries, qrels)


def _index_documents(engine: SearchEngine, question: str) -> list[str]:
    """Every matching document, by its best chunk's first-stage BM25 score."""
    try:
        ranked = engine.rank_documents(question, len(engine.chunks))
    except QueryError as exc:
        log.warning("query %r: %s", question[:40], exc)
        return []
    return [doc_id for doc_id, _ in ranked]


def rank_documents(engine: SearchEngine, question: str, depth: int) -> list[str]:
    """Up to ``depth`` document ids, best first, each ranked by its best chunk (first stage)."""
    return _index_documents(engine, question)[:depth]


class DocumentRanker:
    """BM25 over whole documents: each document's indexed text is one passage."""

    def __init__(self, documents: tuple[Document, ...], options: EngineOptions) -> None:
        self.analyzer, self.options = analyzer_for(options), options
        analyzer = self.analyzer
        passages = [
            analyzer.span_terms(d.text, indexed_spans(d, 0, len(d.text))) for d in documents
        ]
        self.index = BM25Index(passages, options)
        self.ids = [d.doc_id for d in documents]

    def rank(self, question: str, depth: int) -> list[str]:
        try:
            terms = question_terms(self.analyzer, self.options, validate_question(question))
        except QueryError as exc:
            log.warning("query %r: %s", question[:40], exc)
            return []
        return [self.ids[position] for position, _ in self.index.top(terms, depth)]


def score_run(
    system: str, qrels: tuple[Qrel, ...], run: list[ScoredDoc], queries: int, seconds: float
) -> BeirScores:
    """BEIR measures of a document run; queries absent from the run count as zero."""
    values: dict[str, dict[str, float]] = {name: {} for name in BEIR_MEASURES}
    names = {measure: name for name, measure in BEIR_MEASURES.items()}
    for metric in ir_measures.iter_calc(list(BEIR_MEASURES.values()), qrels, run) if run else ():
        values[names[metric.measure]][metric.query_id] = float(metric.value)
    means = {name: sum(v.values()) / queries if queries else 0.0 for name, v in values.items()}
    return BeirScores(system, queries, means, seconds)


def evaluate_beir(
    collection: BeirCollection,
    options: EngineOptions,
    *,
    first_stage: bool = False,
    depth: int = DEPTH,
    system: str = "docqa",
) -> BeirScores:
    """Build docqa on the collection and score its document ranking for every judged query."""
    started = time.perf_counter()
    if first_stage:
        engine = SearchEngine.build(collection.documents, options)
        log.info("indexed %d documents as %d chunks", len(collection.documents), len(engine.chunks))
        ranked = {q: rank_documents(engine, text, depth) for q, text in collection.queries.items()}
    else:
        ranker = DocumentRanker(collection.documents, options)
        ranked = {q: ranker.rank(text, depth) for q, text in collection.queries.items()}
    # Scores from ranks: pytrec_eval would reorder tied scores by document id.
    run = [
        ScoredDoc(qid, doc_id, float(depth - i))
        for qid, doc_ids in ranked.items()
        for i, doc_id in enumerate(doc_ids)
    ]
    seconds = time.perf_counter() - started
    return score_run(system, collection.qrels, run, len(collection.queries), seconds)
