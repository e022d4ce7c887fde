"""The regression gate: figures must not fall below the thresholds stored in the repo.

``eval/thresholds.toml`` has one table per question set, each naming its questions and corpus
(paths relative to the thresholds file) and, per level, metric names with their minimums::

    [sets.seed-dev]
    questions = "questions_dev.jsonl"
    corpus = "../seeds"
    [sets.seed-dev.excerpt]
    "hit@1" = 0.60

Top-level level tables (``[excerpt]``) apply to the set given with ``--questions`` instead.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import EvalError
from retrieval.eval.metrics import MEASURES
from retrieval.eval.runner import Evaluation
from retrieval.eval.values import LEVELS, Level

__all__ = ["Check", "GateSet", "Threshold", "check", "load_gate_sets", "load_thresholds"]


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


@dataclass(frozen=True, slots=True)
class GateSet:
    """A question set with its corpus and minimums (``questions`` None: the command line's)."""

    name: str
    questions: Path | None
    corpus: Path | None
    thresholds: tuple[Threshold, ...]


def _read(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise EvalError(f"cannot read thresholds {path}: {exc}") from exc


def _thresholds(data: dict[str, object], path: Path, allowed: set[str]) -> list[Threshold]:
    unknown = set(data) - set(LEVELS) - allowed
    if unknown:
        raise EvalError(f"{path}: unknown tables {sorted(unknown)}; use {', '.join(LEVELS)}")
    return [
        t for level in LEVELS if level in data for t in _level_thresholds(level, data[level], path)
    ]


def _gate_set(name: str, table: object, path: Path) -> GateSet:
    if not isinstance(table, dict) or not {"questions", "corpus"} <= set(table):
        raise EvalError(f"{path}: [sets.{name}] needs questions and corpus paths")
    found = {key: path.parent / str(table[key]) for key in ("questions", "corpus")}
    for key, where in found.items():
        if not where.exists():
            raise EvalError(f"{path}: [sets.{name}] {key} {str(where)!r} does not exist")
    rules = {k: v for k, v in table.items() if k not in found}
    return GateSet(
        name, found["questions"], found["corpus"], tuple(_thresholds(rules, path, set()))
    )


def load_gate_sets(path: Path | str) -> tuple[GateSet, ...]:
    """Every set of the thresholds file; top-level tables become the set named ``""``."""
    path = Path(path)
    data = _read(path)
    top = _thresholds(data, path, {"sets"})
    sets = data.get("sets", {})
    if not isinstance(sets, dict):
        raise EvalError(f"{path}: sets must be tables")
    found = ([GateSet("", None, None, tuple(top))] if top else []) + [
        _gate_set(name, table, path) for name, table in sets.items()
    ]
    if not any(s.thresholds for s in found):
        raise EvalError(f'{path}: no thresholds; add e.g. [excerpt] "hit@1" = 0.6')
    return tuple(found)


def load_thresholds(path: Path | str) -> tuple[Threshold, ...]:
    """The top-level thresholds (those for the set given on the command line)."""
    top = [s for s in load_gate_sets(path) if s.questions is None]
    if not top:
        raise EvalError(f'{path}: no top-level thresholds; add e.g. [excerpt] "hit@1" = 0.6')
    return top[0].thresholds


def check(evaluation: Evaluation, thresholds: tuple[Threshold, ...]) -> tuple[Check, ...]:
    """Each threshold with the evaluation's figure; a figure equal to its minimum passes."""
    return tuple(Check(t, evaluation.levels[t.level].means[t.metric]) for t in thresholds)
