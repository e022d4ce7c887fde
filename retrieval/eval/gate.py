"""The regression gate: dev-set figures must not fall below the thresholds stored in the repo.

``eval/thresholds.toml`` has one table per level, mapping metric names to minimums::

    [excerpt]
    "hit@1" = 0.60
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from retrieval.eval.errors import EvalError
from retrieval.eval.metrics import MEASURES
from retrieval.eval.runner import Evaluation
from retrieval.eval.types import LEVELS, Level

__all__ = ["Check", "Threshold", "check", "load_thresholds"]


@dataclass(frozen=True, slots=True)
class Threshold:
    level: Level
    metric: str
    minimum: float


@dataclass(frozen=True, slots=True)
class Check:
    threshold: Threshold
    value: float

    @property
    def passed(self) -> bool:
        return self.value >= self.threshold.minimum


def _level_thresholds(level: Level, table: object, path: Path) -> list[Threshold]:
    if not isinstance(table, dict):
        raise EvalError(f"{path}: [{level}] must be a table of metric = minimum")
    found = []
    for metric, minimum in table.items():
        if metric not in MEASURES:
            raise EvalError(
                f"{path}: [{level}] unknown metric {metric!r}; use {', '.join(MEASURES)}"
            )
        if not isinstance(minimum, int | float) or not 0 <= minimum <= 1:
            raise EvalError(f"{path}: [{level}] {metric} must be a number within [0, 1]")
        found.append(Threshold(level, metric, float(minimum)))
    return found


def load_thresholds(path: Path | str) -> tuple[Threshold, ...]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise EvalError(f"cannot read thresholds {path}: {exc}") from exc
    unknown = set(data) - set(LEVELS)
    if unknown:
        raise EvalError(f"{path}: unknown tables {sorted(unknown)}; use {', '.join(LEVELS)}")
    thresholds = [
        t for level in LEVELS if level in data for t in _level_thresholds(level, data[level], path)
    ]
    if not thresholds:
        raise EvalError(f'{path}: no thresholds; add e.g. [excerpt] "hit@1" = 0.6')
    return tuple(thresholds)


def check(evaluation: Evaluation, thresholds: tuple[Threshold, ...]) -> tuple[Check, ...]:
    """Each threshold with the evaluation's figure; a figure equal to its minimum passes."""
    return tuple(Check(t, evaluation.levels[t.level].means[t.metric]) for t in thresholds)
