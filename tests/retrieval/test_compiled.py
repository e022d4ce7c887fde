"""The compiled excerpt kernel: loaded only for large corpora, and answering exactly as numpy.

A whole search (windows, scores, excerpts, marks, citations, confidence) over the seed corpus's
dev questions must be the same object, bit for bit, with the kernel and without it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from conftest import REPO

from retrieval import SearchEngine, compiled


@pytest.fixture
def numpy_only() -> Iterator[None]:
    compiled.disable()
    yield
    compiled.disable()


def _questions() -> list[str]:
    lines = (REPO / "eval" / "questions_dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def test_the_kernel_answers_as_numpy(seed_engine: SearchEngine, numpy_only: None) -> None:
    pytest.importorskip("numba")
    questions = [*_questions(), "How much is a prepaid plan?", "List the steps: install, run"]
    want = [seed_engine.search(q, k=10) for q in questions]
    assert compiled.enable() is not None
    got = [seed_engine.search(q, k=10) for q in questions]
    assert got == want
    assert sum(len(r.hits) for r in got) > 100


def test_a_small_corpus_does_not_load_the_kernel(numpy_only: None) -> None:
    assert compiled.enable_for(compiled.COMPILED_FROM - 1) is None
    assert compiled.active() is None


def test_a_large_corpus_loads_it_in_a_fresh_process() -> None:
    pytest.importorskip("numba")
    probe = (
        "import sys; from retrieval import compiled; "
        f"print(compiled.enable_for({compiled.COMPILED_FROM}) is not None, 'numba' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.split() == ["True", "True"]
