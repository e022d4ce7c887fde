"""The abstention rule on its own: a small index, and the terms a top excerpt holds."""

from __future__ import annotations

import pytest

from retrieval.index.bm25index import BM25Index
from retrieval.search.abstention import answers, confidence
from retrieval.types import EngineOptions

OPTIONS = EngineOptions()  # min_confidence 0.35; semantic floor 0.2, confidence 0.3, answer 0.6


@pytest.fixture(scope="module")
def index() -> BM25Index:
    # "kiwi" is in one passage of four (the rarest term), "fruit" in every one.
    passages = [["kiwi", "fruit"], ["fruit", "pear"], ["fruit", "pear"], ["fruit", "plum"]]
    return BM25Index(passages, OPTIONS)


def test_an_excerpt_holding_every_term_is_fully_confident(index: BM25Index) -> None:
    assert confidence(index, ["kiwi", "fruit"], frozenset({"kiwi", "fruit"})) == pytest.approx(1)


def test_sharing_only_a_common_word_is_damped_below_its_share(index: BM25Index) -> None:
    kiwi, fruit = index.idf("kiwi"), index.idf("fruit")
    assert kiwi is not None
    assert fruit is not None
    assert fruit < kiwi == index.max_idf
    share = fruit / (kiwi + fruit)
    found = confidence(index, ["kiwi", "fruit"], frozenset({"fruit"}))
    assert found == pytest.approx(share * fruit / kiwi)


def test_no_terms_or_no_excerpt_is_no_confidence(index: BM25Index) -> None:
    assert confidence(index, [], frozenset({"kiwi"})) == 0.0
    assert confidence(index, ["kiwi"], None) == 0.0


@pytest.mark.parametrize(
    ("sure", "cosine", "expected"),
    [
        (0.35, None, True),  # words alone: at min_confidence
        (0.34, None, False),
        (1.0, 0.19, False),  # below the semantic floor: another subject, whatever the words
        (0.3, 0.2, True),  # words enough at the floor
        (0.29, 0.59, False),
        (0.0, 0.6, True),  # meaning close enough alone
    ],
)
def test_the_answer_rule(sure: float, cosine: float | None, expected: bool) -> None:
    assert answers(OPTIONS, sure, cosine) is expected
