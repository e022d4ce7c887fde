"""``python -m retrieval index`` builds the cache that ``search`` then loads."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from retrieval.cli import main

REPO = Path(__file__).resolve().parents[2]
Capture = pytest.CaptureFixture[str]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return Path(shutil.copytree(REPO / "seeds", tmp_path / "corpus"))


def test_index_then_search_loads_the_cache(
    corpus: Path,
    tmp_path: Path,
    capsys: Capture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = tmp_path / "cache"
    assert main(["index", "--corpus", str(corpus), "--cache", str(cache), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "indexed 5 documents into" in out
    assert len(list(cache.glob("index-*.npz"))) == 1
    caplog.set_level(logging.INFO, logger="retrieval.cache.persistence")
    assert main(["--corpus", str(corpus), "--cache", str(cache), "search", "Nosotek"]) == 0
    assert "Nosotek" in capsys.readouterr().out
    assert [r for r in caplog.records if r.name == "retrieval.cache.persistence"] == []


def test_search_without_the_cache_writes_nothing(
    corpus: Path,
    tmp_path: Path,
    capsys: Capture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--corpus", str(corpus), "--no-cache", "search", "Nosotek"]) == 0
    assert "Nosotek" in capsys.readouterr().out
    assert not (tmp_path / ".cache").exists()


def test_index_of_a_missing_folder_is_a_one_line_error(tmp_path: Path, capsys: Capture) -> None:
    assert main(["index", "--corpus", str(tmp_path / "nope"), "--cache", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: corpus directory")
