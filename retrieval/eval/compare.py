"""Two configurations on the same questions: per-question wins and losses, and a paired test.

The default test is a paired randomization (permutation) test of the mean difference, the test
IR papers favour for per-topic scores; Wilcoxon's signed-rank test and the paired t-test are
there for comparison. All come from :mod:`scipy.stats`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from retrieval.eval.metrics import mean

__all__ = ["TESTS", "Comparison", "PairedScore", "compare_scores", "paired_test"]

TestName = Literal["randomization", "wilcoxon", "ttest"]
_RESAMPLES = 20_000
_SEED = 0


@dataclass(frozen=True, slots=True)
class PairedScore:
    qid: str
    a: float
    b: float

    @property
    def difference(self) -> float:
        return self.b - self.a


@dataclass(frozen=True, slots=True)
class Comparison:
    """B against A on one metric: ``wins`` are questions where B scores higher."""

    metric: str
    pairs: tuple[PairedScore, ...]
    mean_a: float
    mean_b: float
    wins: int
    losses: int
    ties: int
    test: TestName
    p_value: float


def _randomization(d: Sequence[float]) -> float:
    result = stats.permutation_test(
        (np.asarray(d),),
        np.mean,
        permutation_type="samples",
        n_resamples=_RESAMPLES,
        random_state=_SEED,
    )
    return float(result.pvalue)


def _wilcoxon(d: Sequence[float]) -> float:
    return float(stats.wilcoxon(d).pvalue)


def _ttest(d: Sequence[float]) -> float:
    return float(stats.ttest_1samp(d, 0.0).pvalue)


TESTS: dict[str, Callable[[Sequence[float]], float]] = {
    "randomization": _randomization,
    "wilcoxon": _wilcoxon,
    "ttest": _ttest,
}


def paired_test(differences: Sequence[float], test: TestName = "randomization") -> float:
    """Two-sided p-value that the paired differences centre on zero.

    1.0 when there is nothing to test: all differences zero, or fewer than two questions.
    """
    if len(differences) < 2 or not any(differences):
        return 1.0
    return TESTS[test](differences)


def compare_scores(
    metric: str,
    a: Mapping[str, Mapping[str, float]],
    b: Mapping[str, Mapping[str, float]],
    test: TestName = "randomization",
) -> Comparison:
    """Compare per-question scores (question id → metric → value) of two runs."""
    pairs = tuple(PairedScore(qid, a[qid][metric], b[qid][metric]) for qid in a if qid in b)
    diffs = [p.difference for p in pairs]
    return Comparison(
        metric=metric,
        pairs=pairs,
        mean_a=mean([p.a for p in pairs]),
        mean_b=mean([p.b for p in pairs]),
        wins=sum(1 for d in diffs if d > 0),
        losses=sum(1 for d in diffs if d < 0),
        ties=sum(1 for d in diffs if d == 0),
        test=test,
        p_value=paired_test(diffs, test),
    )
