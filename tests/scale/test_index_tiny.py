"""Two- and three-passage corpora, where rank-bm25's Okapi IDF is zero or below for most terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import EngineOptions, load_or_build
from retrieval.index.bm25index import BM25Index


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_two_passages_still_rank_by_term_counts(variant: str) -> None:
    # "cat" is in both passages (Okapi IDF < 0), "dog" in one (IDF 0): both are lifted above 0.
    passages = [["cat", "dog", "dog"], ["cat", "bird"]]
    index = BM25Index(passages, EngineOptions(variant=variant))  # type: ignore[arg-type]
    assert all((index.idf(t) or 0) > 0 for t in ("cat", "dog", "bird"))
    assert [p for p, _ in index.top(["dog"], 5)] == [0]
    assert [p for p, _ in index.top(["cat"], 5)] == [1, 0]  # the shorter passage first
    assert all(score > 0 for _, score in index.top(["cat", "bird"], 5))


def test_unknown_and_empty_queries_match_nothing() -> None:
    index = BM25Index([["cat"], ["dog"], ["cat", "dog"]], EngineOptions())
    assert index.top(["unicorn"], 5) == []
    assert index.top([], 5) == []
    assert index.top(["cat"], 0) == []
    assert index.scores(["unicorn"]).tolist() == [0.0, 0.0, 0.0]


def test_an_index_without_terms_is_empty() -> None:
    index = BM25Index([[], []], EngineOptions())
    assert index.size == 2
    assert index.top(["cat"], 5) == []
    assert index.max_idf == 1.0
    assert BM25Index([], EngineOptions()).top(["cat"], 5) == []


def test_a_three_document_corpus_answers_through_the_cache(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Cats\n\nThe cat sat on the mat.\n", encoding="utf-8")
    (corpus / "b.txt").write_text("Dogs\n\nThe dog chased the cat.\n", encoding="utf-8")
    (corpus / "c.txt").write_text("Birds\n\nThe bird sang all day.\n", encoding="utf-8")
    for _ in range(2):  # built, then loaded
        engine = load_or_build(corpus, None, tmp_path / "cache")
        hits = engine.search("Which dog chased a cat?").hits
        assert hits
        assert hits[0].chunk.doc_id == "b.txt"
