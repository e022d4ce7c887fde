"""benchmarks.scale's options and bookkeeping: sizes, a missing collection, rows, memory peaks."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.adapters import SEARCH_ROW, missing_module
from benchmarks.scale import _search_row, sizes
from benchmarks.worker import PeakRSS

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10000", [10_000]),
        ("100_000", [100_000]),
        ("10k,100k", [10_000, 100_000]),
        ("1M", [1_000_000]),
        (" 10000 , 2K ,", [10_000, 2_000]),
    ],
)
def test_sizes_take_commas_suffixes_and_underscores(text: str, expected: list[int]) -> None:
    assert sizes(text) == expected


@pytest.mark.parametrize("text", ["10x", "k", "ten", "500"])
def test_sizes_refuse_what_is_not_a_passage_count(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        sizes(text)


def test_a_missing_collection_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "benchmarks.scale", "--sizes", "10k", "--cranfield"]
    done = subprocess.run(
        [*command, str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .endswith(
            f"no Cranfield collection at {tmp_path / 'nowhere'} (give it with --cranfield PATH)"
        )
    )


def test_search_timings_become_their_own_row() -> None:
    row = {
        "engine": "docqa-pipeline",
        "passages": 10,
        "load_s": 0.5,
        "p50_ms": 0.1,
        "search_p50_ms": 2.0,
        "search_queries": 5,
        "capped": False,
    }
    search = _search_row(row)
    assert search == {
        "engine": SEARCH_ROW,
        "passages": 10,
        "load_s": 0.5,
        "p50_ms": 2.0,
        "queries": 5,
        "capped": False,
    }
    assert "search_p50_ms" not in row
    assert row["p50_ms"] == 0.1


def test_engines_without_their_library_are_named() -> None:
    assert missing_module("docqa") is None
    assert missing_module("bm25s-numpy") is None  # a core dependency today


def test_a_phase_shorter_than_one_sample_still_has_a_peak() -> None:
    rss = PeakRSS(every=60.0)  # the sampling thread never wakes during this phase
    ballast = bytearray(64 * 2**20)
    ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page so it is resident
    assert rss.stop() >= 64 * 2**20
    del ballast
