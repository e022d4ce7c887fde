"""A grid sweep over engine options on a question set: rows of figures, CSV, progress bar.

Every combination of the grid's values is one configuration; options outside the grid keep the
base configuration's values. The corpus is read once and re-indexed per configuration.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from retrieval.documents.corpus import load_corpus
from retrieval.errors import EvalError
from retrieval.eval.options import options_from_mapping
from retrieval.eval.runner import Evaluation, evaluate
from retrieval.eval.runs import run_questions
from retrieval.eval.values import LEVELS, Question
from retrieval.search.engine import SearchEngine
from retrieval.types import Document, EngineOptions

__all__ = ["DEFAULT_GRID", "SweepRow", "configurations", "figures", "run_sweep", "write_csv"]

# Option name → values tried. "chunking" pairs chunk_tokens/overlap_tokens, which must agree.
Grid = Mapping[str, Sequence[object]]
DEFAULT_GRID: dict[str, tuple[object, ...]] = {
    "k1": (0.9, 1.2, 1.5),
    "b": (0.5, 0.75),
    "variant": ("okapi", "l", "plus"),
    "chunking": ("64/32", "128/32"),
    "stem": (True, False),
    "stopwords": (True, False),
}


@dataclass(frozen=True, slots=True)
class SweepRow:
    """One configuration: the grid values it took, its options and its figures."""

    setting: Mapping[str, object]
    options: EngineOptions
    figures: Mapping[str, float]
    seconds: float


def _expand(name: str, value: object) -> dict[str, object]:
    if name != "chunking":
        return {name: value}
    try:
        size, overlap = str(value).split("/")
    except ValueError as exc:
        raise EvalError(f"chunking {value!r}: write CHUNK/OVERLAP tokens, e.g. 128/32") from exc
    return {"chunk_tokens": size, "overlap_tokens": overlap}


def configurations(
    grid: Grid, base: EngineOptions
) -> list[tuple[dict[str, object], EngineOptions]]:
    """Every combination of the grid's values, applied to ``base``."""
    names = list(grid)
    combos = []
    for values in itertools.product(*(grid[name] for name in names)):
        setting = dict(zip(names, values, strict=True))
        changes = {k: v for name, value in setting.items() for k, v in _expand(name, value).items()}
        combos.append((setting, options_from_mapping(changes, base)))
    return combos


def figures(ev: Evaluation) -> dict[str, float]:
    """The evaluation flattened to ``level metric`` columns plus abstention and latency."""
    flat = {f"{level} {name}": v for level in LEVELS for name, v in ev.levels[level].means.items()}
    flat["answerable flagged"] = ev.abstention.answerable_flagged  # counts print as integers
    flat["unanswerable flagged"] = ev.abstention.unanswerable_flagged
    flat["excerpt chars"] = ev.timing.excerpt_chars_mean or 0.0
    flat["latency p50 ms"] = ev.timing.latency_p50_ms or 0.0
    return flat


def _evaluate(
    documents: Sequence[Document], questions: Sequence[Question], options: EngineOptions, k: int
) -> tuple[dict[str, float], float]:
    started = time.perf_counter()
    engine = SearchEngine.build(documents, options)
    ev = evaluate(questions, run_questions(engine, questions, k))
    return figures(ev), time.perf_counter() - started


def run_sweep(
    questions: Sequence[Question],
    corpus: Path | str,
    grid: Grid = DEFAULT_GRID,
    base: EngineOptions | None = None,
    *,
    k: int = 10,
    progress: bool = True,
) -> list[SweepRow]:
    """Evaluate every configuration of ``grid``; a tqdm bar on stderr shows progress."""
    documents = load_corpus(corpus)
    rows = []
    for setting, options in tqdm(
        configurations(grid, base or EngineOptions()),
        desc="sweep",
        unit="config",
        disable=not progress,
    ):
        values, seconds = _evaluate(documents, questions, options, k)
        rows.append(SweepRow(setting, options, values, seconds))
    return rows


def write_csv(rows: Sequence[SweepRow], path: Path) -> None:
    """One line per configuration: every engine option, then every figure."""
    if not rows:
        raise EvalError("the sweep produced no configurations")
    option_names = [f.name for f in dataclasses.fields(EngineOptions)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([*option_names, *rows[0].figures, "seconds"])
        for row in rows:
            options = [getattr(row.options, name) for name in option_names]
            writer.writerow(
                [*options, *(round(v, 4) for v in row.figures.values()), round(row.seconds, 3)]
            )
