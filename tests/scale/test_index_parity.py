"""The sparse index ranks exactly as rank-bm25: same top 10 (ties by position), same scores."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from scale_helpers import generated_corpus, random_queries, reference, reference_top

from retrieval import EngineOptions, SearchEngine
from retrieval.index.bm25index import BM25Index

REPO = Path(__file__).resolve().parents[2]
VARIANTS = ["okapi", "l", "plus"]


@pytest.fixture(scope="module")
def seed_engine() -> SearchEngine:
    return SearchEngine.from_directory(REPO / "seeds")


@pytest.fixture(scope="module")
def seed_passages(seed_engine: SearchEngine) -> list[list[str]]:
    return [seed_engine.analyzer.terms(c.text) for c in seed_engine.chunks]


@pytest.fixture(scope="module")
def seed_queries(seed_engine: SearchEngine, seed_passages: list[list[str]]) -> list[list[str]]:
    lines = (REPO / "eval" / "questions_dev.jsonl").read_text(encoding="utf-8").splitlines()
    dev = [json.loads(line)["question"] for line in lines if line.strip()]
    analyzed = [seed_engine.analyzer.query_terms(q) for q in dev]
    return analyzed + random_queries(seed_passages, 150, np.random.default_rng(1))


@pytest.fixture(scope="module")
def generated(seed_passages: list[list[str]]) -> list[list[str]]:
    return generated_corpus(seed_passages, 5000, np.random.default_rng(2))


def assert_parity(
    passages: Sequence[Sequence[str]], queries: list[list[str]], options: EngineOptions
) -> None:
    model = reference(passages, options)
    index = BM25Index(passages, options)
    for terms in queries:
        expected = reference_top(model, terms, 10)
        got = index.top(terms, 10)
        assert [p for p, _ in got] == [p for p, _ in expected], terms
        assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-6, abs=0)


@pytest.mark.parametrize("variant", VARIANTS)
def test_seed_corpus_matches_rank_bm25(
    seed_passages: list[list[str]], seed_queries: list[list[str]], variant: str
) -> None:
    assert_parity(seed_passages, seed_queries, EngineOptions(variant=variant))  # type: ignore[arg-type]


@pytest.mark.parametrize("variant", VARIANTS)
def test_generated_corpus_matches_rank_bm25(generated: list[list[str]], variant: str) -> None:
    queries = random_queries(generated, 60, np.random.default_rng(3))
    assert_parity(generated, queries, EngineOptions(variant=variant))  # type: ignore[arg-type]


@pytest.mark.parametrize("variant", VARIANTS)
def test_full_score_vector_is_get_scores_bit_for_bit(
    generated: list[list[str]], variant: str
) -> None:
    options = EngineOptions(variant=variant)  # type: ignore[arg-type]
    model, index = reference(generated, options), BM25Index(generated, options)
    for terms in random_queries(generated, 20, np.random.default_rng(4)):
        known = [t for t in terms if t in model.idf]
        np.testing.assert_array_equal(index.scores(terms), model.get_scores(known))


def test_idf_is_rank_bm25s(generated: list[list[str]]) -> None:
    options = EngineOptions(variant="okapi")
    model, index = reference(generated, options), BM25Index(generated, options)
    assert {t: index.idf(t) for t in model.idf} == model.idf
    assert index.idf("zzunknownzz") is None
    assert index.max_idf == max(model.idf.values())


def test_ties_break_by_position() -> None:
    passages = [["a", "b"], ["a", "c"], ["a", "b"], ["d"], ["a", "b"]]
    top = BM25Index(passages, EngineOptions()).top(["b"], 10)
    assert [p for p, _ in top] == [0, 2, 4]
    assert len({s for _, s in top}) == 1


def test_k_larger_than_the_matches_returns_every_match(generated: list[list[str]]) -> None:
    index = BM25Index(generated, EngineOptions())
    term = generated[0][0]
    hits = index.top([term], len(generated) + 5)
    assert len(hits) == sum(term in p for p in generated)
