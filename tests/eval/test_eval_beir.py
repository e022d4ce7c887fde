"""BEIR collections at document level, on a collection small enough to rank by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from evalkit import write_beir
from ir_measures import Qrel, ScoredDoc

from retrieval import SearchEngine, parse_document
from retrieval.errors import EvalError
from retrieval.eval.beir import DocumentRanker, evaluate_beir, load_beir, rank_documents, score_run
from retrieval.types import EngineOptions


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    return write_beir(tmp_path / "beir")


def test_load_keeps_judged_queries_and_binary_relevance(collection: Path) -> None:
    c = load_beir(collection)
    assert [d.doc_id for d in c.documents] == ["d1", "d2", "d3"]
    assert c.documents[0].text == "Apples\n\nApple trees grow in orchards."
    assert list(c.queries) == ["1", "2", "3"]  # query 4 has no judgments
    # Graded 2 becomes 1; the score-0 pair is dropped.
    assert c.qrels == (Qrel("1", "d1", 1), Qrel("2", "d2", 1), Qrel("3", "d3", 1))


@pytest.mark.parametrize("first_stage", [True, False])
def test_scores_by_hand(collection: Path, first_stage: bool) -> None:
    scores = evaluate_beir(load_beir(collection), EngineOptions(), first_stage=first_stage)
    # Queries 1 and 2 find their one relevant document at rank 1 (every measure 1.0);
    # query 3 finds nothing and scores 0. Means over the three judged queries: 2/3.
    assert scores.queries == 3
    assert scores.means == pytest.approx(dict.fromkeys(scores.means, 2 / 3))


def test_a_document_ranks_once_however_many_chunks_match() -> None:
    long_doc = parse_document("long", " ".join(["Apple orchards everywhere."] * 200))
    engine = SearchEngine.build([long_doc, parse_document("short", "Apple pie.")], EngineOptions())
    assert len(engine.chunks) > 2
    assert rank_documents(engine, "apple orchards", 10) == ["long", "short"]
    ranker = DocumentRanker((long_doc, parse_document("short", "Apple pie.")), EngineOptions())
    assert ranker.rank("apple orchards", 10) == ["long", "short"]


def test_queries_missing_from_the_run_count_as_zero() -> None:
    qrels = (Qrel("1", "d1", 1), Qrel("2", "d2", 1))
    scores = score_run("x", qrels, [ScoredDoc("1", "d1", 1.0)], 2, 0.0)
    assert scores.means["ndcg@10"] == 0.5  # 1.0 for query 1, 0 for unanswered query 2


def test_a_folder_without_corpus_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EvalError, match="not a BEIR collection"):
        load_beir(tmp_path)
