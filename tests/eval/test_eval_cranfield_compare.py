"""benchmarks/cranfield_compare.py: skips without the collection; its baselines rank sensibly."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from evalkit import REPO, write_beir

from retrieval.eval.beir import load_beir


def _script() -> ModuleType:
    path = REPO / "benchmarks" / "cranfield_compare.py"
    spec = importlib.util.spec_from_file_location("cranfield_compare", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_skips_with_a_message_without_the_collection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _script().main([str(tmp_path / "absent")]) == 0
    assert capsys.readouterr().out.startswith("skipped: no Cranfield collection")


def test_baselines_put_the_relevant_document_first(tmp_path: Path) -> None:
    script, c = _script(), load_beir(write_beir(tmp_path / "beir"))
    for run in (script.bm25s_run(c), script.rank_bm25_run(c, script._whitespace)):
        top: dict[str, str] = {}
        for doc in run:  # runs list documents best-first per query
            top.setdefault(doc.query_id, doc.doc_id)
        assert top["1"] == "d1"
        assert top["2"] == "d2"


def test_prints_one_row_per_system(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _script().main([str(write_beir(tmp_path / "beir"))]) == 0
    out = capsys.readouterr().out
    assert out.count("docqa") == 3
    assert "bm25s" in out
    assert out.count("rank-bm25") == 2
