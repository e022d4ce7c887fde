"""The regression gate reads its thresholds from a file and names what dropped."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest
from evalkit import THRESHOLDS

from retrieval.errors import EvalError
from retrieval.eval.gate import Threshold, check, load_gate_sets, load_thresholds
from retrieval.eval.metrics import LevelScores
from retrieval.eval.runner import Abstention, Evaluation, Timing


def _evaluation(hit1: float) -> Evaluation:
    means = MappingProxyType({"hit@1": hit1, "hit@3": 0.9, "mrr@10": 0.8})
    scores = {level: LevelScores(level, means, {}) for level in ("excerpt", "chunk")}
    timing = Timing(None, None, None, None)
    return Evaluation(1, 0, 0, scores, Abstention(0, 0, 0, 1), timing, ())  # type: ignore[arg-type]


def test_the_repo_thresholds_cover_four_sets_and_the_gated_metrics() -> None:
    sets = load_gate_sets(THRESHOLDS)
    assert [s.name for s in sets] == ["seed-dev", "readmes_a", "readmes_b", "squad-1k"]
    for gate_set in sets:
        gated = {(t.level, t.metric) for t in gate_set.thresholds}
        assert {("excerpt", "hit@1"), ("excerpt", "hit@3"), ("excerpt", "mrr@10")} <= gated


def test_equal_passes_and_lower_fails(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[excerpt]\n"hit@1" = 0.5\n"mrr@10" = 0.8\n', encoding="utf-8")
    thresholds = load_thresholds(path)
    assert thresholds == (Threshold("excerpt", "hit@1", 0.5), Threshold("excerpt", "mrr@10", 0.8))
    assert [c.passed for c in check(_evaluation(0.5), thresholds)] == [True, True]  # 0.5 >= 0.5
    assert [c.passed for c in check(_evaluation(0.49), thresholds)] == [False, True]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[excerpt]\n"hit@2" = 0.5\n', "unknown metric"),
        ('[excerpt]\n"hit@1" = 1.5\n', "within"),
        ('[passage]\n"hit@1" = 0.5\n', "unknown tables"),
        ("", "no thresholds"),
        ("[excerpt\n", "cannot read"),
    ],
)
def test_bad_thresholds_files_are_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EvalError, match=message):
        load_thresholds(path)
