"""ir-measures through the adapter: every figure below is worked out by hand in the comments."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from evalkit import ev, hit, question, run

from retrieval.eval.metrics import score_level
from retrieval.eval.values import Question

# One relevant span per question unless noted; a "miss" hit is in another document.
QUESTIONS = (
    question("q1", ev("a.txt", 0, 10)),
    question("q2", ev("a.txt", 0, 10), ev("b.txt", 0, 10)),  # two evidence spans
    question("q3", ev("a.txt", 0, 10)),  # never answered: absent from the run
    question("q6", ev("a.txt", 0, 10), ev("b.txt", 0, 10)),  # two spans, one found at rank 6
    question("q8", answerable=False),  # unanswerable: not in the ranking metrics
    Question("q9", "unjudged?", True),  # answerable, no evidence yet: not in them either
)
MISS = ("z.txt", (0, 10))
RUNS = {
    # q1: miss, then the evidence at rank 2.
    "q1": run("q1", hit(1, *MISS), hit(2, "a.txt", (0, 10))),
    # q2: evidence-0 at rank 1, misses, evidence-1 at rank 4.
    "q2": run(
        "q2", hit(1, "a.txt", (0, 10)), hit(2, *MISS), hit(3, *MISS), hit(4, "b.txt", (0, 10))
    ),
    # q6: five misses, then evidence-1 at rank 6.
    "q6": run("q6", *(hit(r, *MISS) for r in range(1, 6)), hit(6, "b.txt", (0, 10))),
    "q8": run("q8", hit(1, *MISS)),
    "q9": run("q9", hit(1, *MISS)),
}


def _dcg(*ranks: int) -> float:
    return sum(1 / math.log2(r + 1) for r in ranks)


def test_per_question_scores() -> None:
    per = score_level(QUESTIONS, RUNS, "excerpt").per_question
    assert set(per) == {"q1", "q2", "q3", "q6"}  # only judged questions
    # q1: first relevant at rank 2.
    assert per["q1"]["hit@1"] == 0
    assert per["q1"]["hit@3"] == 1
    assert per["q1"]["mrr@10"] == 0.5
    assert per["q1"]["ndcg@10"] == pytest.approx(_dcg(2) / _dcg(1))  # 0.631
    assert per["q1"]["recall@10"] == 1
    # q2: relevant at ranks 1 and 4 of two spans.
    assert per["q2"]["hit@1"] == 1
    assert per["q2"]["mrr@10"] == 1
    assert per["q2"]["recall@10"] == 1
    assert per["q2"]["ndcg@10"] == pytest.approx(_dcg(1, 4) / _dcg(1, 2))  # 0.877
    # q3: no hits at all, so zero everywhere (not dropped from the mean).
    assert all(v == 0 for v in per["q3"].values())
    # q6: one of two spans, at rank 6: outside hit@5, inside the top 10.
    assert per["q6"]["hit@5"] == 0
    assert per["q6"]["mrr@10"] == pytest.approx(1 / 6)
    assert per["q6"]["recall@10"] == 0.5
    assert per["q6"]["ndcg@10"] == pytest.approx(_dcg(6) / _dcg(1, 2))  # 0.218


def test_means_over_the_four_judged_questions() -> None:
    means = score_level(QUESTIONS, RUNS, "excerpt").means
    assert means["hit@1"] == pytest.approx(1 / 4)  # q2
    assert means["hit@3"] == pytest.approx(2 / 4)  # q1, q2
    assert means["hit@5"] == pytest.approx(2 / 4)  # q6's rank 6 is too deep
    assert means["mrr@10"] == pytest.approx((1 / 2 + 1 + 0 + 1 / 6) / 4)
    assert means["recall@10"] == pytest.approx((1 + 1 + 0 + 1 / 2) / 4)


def test_relevant_hit_below_rank_ten_scores_zero() -> None:
    q = question("q1", ev("a.txt", 0, 10))
    # Ten misses, then the evidence at rank 11: MRR@10 and hit@k never see it.
    r = run("q1", *(hit(n, *MISS) for n in range(1, 11)), hit(11, "a.txt", (0, 10)))
    scores = score_level((q,), {"q1": r}, "excerpt").per_question["q1"]
    assert scores["mrr@10"] == 0
    assert scores["recall@10"] == 0
    assert scores["hit@5"] == 0


def test_tied_engine_scores_keep_the_engine_order() -> None:
    q = question("q1", ev("a.txt", 0, 10))
    # Equal engine scores; the engine ranked the relevant hit second, so RR is 1/2 (pytrec_eval
    # alone would break the tie by document id).
    tied = run(
        "q1", replace(hit(1, *MISS), score=1.0), replace(hit(2, "a.txt", (0, 10)), score=1.0)
    )
    assert score_level((q,), {"q1": tied}, "excerpt").per_question["q1"]["mrr@10"] == 0.5


def test_no_judged_questions_gives_zero_means() -> None:
    scores = score_level((question("q8", answerable=False),), {}, "excerpt")
    assert scores.per_question == {}
    assert scores.means["hit@1"] == 0.0
