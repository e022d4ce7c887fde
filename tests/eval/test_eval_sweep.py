"""Sweeps: the grid expands as documented and writes its CSV and PNG."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from evalkit import ev, question, write_corpus

from retrieval.errors import EvalError
from retrieval.eval.plots import plot_sweep
from retrieval.eval.sweep import DEFAULT_GRID, configurations, run_sweep, write_csv
from retrieval.types import EngineOptions

TEXT = "Nosotek was founded in 2007 in Pyongyang.\n\nIt makes mobile games for clients abroad.\n"


def test_default_grid_has_at_least_24_configurations() -> None:
    combos = configurations(DEFAULT_GRID, EngineOptions())
    assert len(combos) >= 24
    assert len({options for _, options in combos}) == len(combos)  # all distinct


def test_chunking_sets_tokens_and_overlap_together() -> None:
    grid = {"chunking": ("96/24", "128/0"), "stem": ("on", "off")}
    combos = configurations(grid, EngineOptions(k1=0.9))
    assert [(o.chunk_tokens, o.overlap_tokens, o.stem, o.k1) for _, o in combos] == [
        (96, 24, True, 0.9),
        (96, 24, False, 0.9),
        (128, 0, True, 0.9),
        (128, 0, False, 0.9),
    ]
    with pytest.raises(EvalError, match="CHUNK/OVERLAP"):
        configurations({"chunking": ("128",)}, EngineOptions())


def test_sweep_writes_csv_and_png(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": TEXT, "b.txt": "Radios are fixed."})
    questions = (question("q1", ev("a.txt", 0, 41)), question("q2", answerable=False))
    grid = {"variant": ("okapi", "plus"), "stopwords": (True, False)}
    rows = run_sweep(questions, corpus, grid, progress=False)
    assert next(dict(r.setting) for r in rows) == {"variant": "okapi", "stopwords": True}
    assert len(rows) == 4
    assert all(0 <= r.figures["excerpt hit@1"] <= 1 for r in rows)
    write_csv(rows, tmp_path / "out" / "sweep.csv")
    plot_sweep(rows, tmp_path / "out" / "sweep.png")
    with (tmp_path / "out" / "sweep.csv").open(encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert [r["variant"] for r in table] == ["okapi", "okapi", "plus", "plus"]
    assert {"k1", "excerpt mrr@10", "chunk hit@1", "answerable flagged", "seconds"} <= set(table[0])
    assert (tmp_path / "out" / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
