"""Paired comparisons: wins and losses by hand, p-values from exact small cases."""

from __future__ import annotations

import pytest

from retrieval.eval.compare import compare_scores, paired_test

A = {"q1": {"mrr@10": 1.0}, "q2": {"mrr@10": 0.5}, "q3": {"mrr@10": 0.0}, "q4": {"mrr@10": 1.0}}
B = {"q1": {"mrr@10": 1.0}, "q2": {"mrr@10": 1.0}, "q3": {"mrr@10": 0.25}, "q4": {"mrr@10": 0.5}}


def test_wins_losses_and_ties() -> None:
    c = compare_scores("mrr@10", A, B)
    # q1 tie; q2 +0.5 and q3 +0.25 are wins for B; q4 -0.5 is a loss.
    assert (c.wins, c.losses, c.ties) == (2, 1, 1)
    assert c.mean_a == pytest.approx(2.5 / 4)
    assert c.mean_b == pytest.approx(2.75 / 4)
    assert [p.difference for p in c.pairs] == [0.0, 0.5, 0.25, -0.5]


def test_only_questions_in_both_runs_are_paired() -> None:
    c = compare_scores("mrr@10", A, {"q2": B["q2"]})
    assert [p.qid for p in c.pairs] == ["q2"]


@pytest.mark.parametrize("test", ["randomization", "wilcoxon"])
def test_five_wins_out_of_five_is_p_one_sixteenth(test: str) -> None:
    # Exact sign-flip and signed-rank tests: of the 2^5 = 32 sign patterns only "all +" and
    # "all -" are as extreme as five equal wins, so the two-sided p is 2/32.
    assert paired_test([0.5] * 5, test) == pytest.approx(2 / 32)  # type: ignore[arg-type]


def test_nothing_to_test_gives_p_one() -> None:
    assert paired_test([0.0, 0.0, 0.0]) == 1.0  # no differences
    assert paired_test([0.5]) == 1.0  # a single question
    assert paired_test([0.5, -0.5, 0.25], "ttest") > 0.05
