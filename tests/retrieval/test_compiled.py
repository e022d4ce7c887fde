"""The compiled kernels: loaded only for large corpora, and answering exactly as numpy.

A whole search (BM25's candidates, windows, scores, excerpts, marks, citations, confidence) over
the seed corpus's dev questions must be the same object, bit for bit, with the kernels and
without them; so must BM25's top k over a generated corpus with many tied scores.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest
from conftest import REPO

from retrieval import EngineOptions, SearchEngine, compiled, parse_document
from retrieval.index import scoring
from retrieval.index.bm25index import BM25Index


@pytest.fixture
def numpy_only() -> Iterator[None]:
    compiled.disable()
    yield
    compiled.disable()


def _questions() -> list[str]:
    lines = (REPO / "eval" / "questions_dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def test_the_kernel_answers_as_numpy(numpy_only: None) -> None:
    pytest.importorskip("numba")
    # By words alone: a question with the semantic stage chooses its windows with numpy.
    engine = SearchEngine.from_directory(REPO / "seeds", EngineOptions(semantic=False))
    questions = [*_questions(), "How much is a prepaid plan?", "List the steps: install, run"]
    want = [engine.search(q, k=10) for q in questions]
    assert compiled.enable() is not None
    got = [engine.search(q, k=10) for q in questions]
    assert got == want
    assert sum(len(r.hits) for r in got) > 100


def test_the_kernel_weighs_names_and_headings_as_numpy(numpy_only: None) -> None:
    pytest.importorskip("numba")
    systems = ("Linux", "Windows", "macOS")
    docs = [
        parse_document(
            f"{tool}/{tool}-guide.md",
            f"# {tool.title()} guide\n\n"
            + "".join(
                f"## {system}\n\nThe {tool} cache is kept in folder {n} of {system}. "
                f"Logs rotate weekly and the config file sits beside them.\n\n"
                for n, system in enumerate(systems)
            ),
        )
        for tool in ("pip", "uv", "conda", "poetry")
    ]
    engine = SearchEngine.build(docs, EngineOptions(semantic=False))
    questions = [
        f"Where does {tool} keep its cache on {system}?"
        for tool in ("pip", "uv", "guide", "rust")
        for system in (*systems, "guide", "folder")
    ]
    want = [engine.search(q, k=10) for q in questions]
    assert compiled.enable() is not None
    got = [engine.search(q, k=10) for q in questions]
    assert got == want
    assert len({r.hits[0].excerpt.text for r in got}) > 4  # names and headings told them apart


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


def test_the_compiled_top_k_ranks_as_numpy(numpy_only: None) -> None:
    pytest.importorskip("numba")
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(40)]
    # Short passages over few words: many passages tie, so the order by position is tested.
    passages = [list(rng.choice(words, size=rng.integers(1, 6))) for _ in range(3000)]
    index = BM25Index(passages, EngineOptions())
    queries = [list(rng.choice(words, size=rng.integers(1, 5))) for _ in range(200)]
    queries += [["w1", "w1", "w2"], ["unknown"], []]
    cases = [(q, k) for q in queries for k in (1, 5, 40, 5000)]
    want = [index.top_arrays(q, k) for q, k in cases]
    assert compiled.enable() is not None
    got = [index.top_arrays(q, k) for q, k in cases]
    for (q, k), (p, s), (wp, ws) in zip(cases, got, want, strict=True):
        assert (q, k, p.tolist(), s.tolist()) == (q, k, wp.tolist(), ws.tolist())
    assert any(len(set(s.tolist())) < len(s) for _, s in got)  # ties were ranked


def test_the_kernel_weighs_section_headings_as_numpy(numpy_only: None) -> None:
    pytest.importorskip("numba")
    sections = ("Linux", "Windows", "macOS")
    places = ("~/.cache/app", "the local app data folder", "~/Library/Caches")
    guide = "# Configuration\n\n" + "".join(
        f"## {system}\n\nThe cache is kept in {place}. Logs go beside it.\n\n"
        for system, place in zip(sections, places, strict=True)
    )
    changes = "# Changes\n\n## 2.0\n\nExport got faster.\n\n## 1.9\n\nDark mode was added.\n"
    docs = [parse_document("guide.md", guide), parse_document("changes.md", changes)]
    engine = SearchEngine.build(docs, EngineOptions(semantic=False))
    questions = [f"Where is the cache kept on {s}?" for s in sections]
    questions += ["What changed in 2.0?", "What changed in 1.9?", "Where do logs go?"]
    want = [engine.search(q, k=3) for q in questions]
    assert compiled.enable() is not None
    got = [engine.search(q, k=3) for q in questions]
    assert got == want
    tops = [r.hits[0].excerpt.text for r in got]
    assert tops[:5] == [
        *(f"The cache is kept in {place}." for place in places),
        "Export got faster.",
        "Dark mode was added.",
    ]


def test_float32_sums_rescored_exactly_rank_as_numpy(
    numpy_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("numba")
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(60)]
    # Long passages give many distinct sums; short ones many ties, which float32 cannot order.
    passages = [list(rng.choice(words, size=rng.integers(1, 40))) for _ in range(4000)]
    passages += [list(rng.choice(words[:5], size=rng.integers(1, 3))) for _ in range(2000)]
    index = BM25Index(passages, EngineOptions())
    queries = [list(rng.choice(words, size=rng.integers(1, 8))) for _ in range(150)]
    queries += [["w0", "w1"], ["w0", "w0", "w2"], ["w59"]]
    cases = [(q, k) for q in queries for k in (1, 10, 40)]
    want = [index.top_arrays(q, k) for q, k in cases]
    kernels = compiled.enable()
    assert kernels is not None
    data = index.data
    half = np.zeros(index.size, dtype=np.float32)
    verdicts = []
    for (q, k), (wp, ws) in zip(cases, want, strict=True):
        ids = np.array(index._ids(q), dtype=np.int64)
        columns = (data.indptr, data.rows, data.weights)
        positions, scores, exact = kernels.top_k_float32(columns, ids, k, half, 8)
        assert not half.any()  # left all zero for the next question
        verdicts.append(exact)
        if exact:
            assert (q, k, positions.tolist(), scores.tolist()) == (q, k, wp.tolist(), ws.tolist())
    assert set(verdicts) == {True, False}  # both the rescored answer and the fallback
    monkeypatch.setattr(scoring, "FLOAT32_FROM", 0)  # the search path, fallback included
    got = [index.top_arrays(q, k) for q, k in cases]
    for (q, k), (p, s), (wp, ws) in zip(cases, got, want, strict=True):
        assert (q, k, p.tolist(), s.tolist()) == (q, k, wp.tolist(), ws.tolist())
