"""benchmarks.startup: alternated wall times, and a failing command as one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.startup import Command, measure

REPO = Path(__file__).resolve().parents[2]


def test_every_command_is_timed_once_per_run_after_a_warm_up(tmp_path: Path) -> None:
    tally = tmp_path / "tally"
    append = (sys.executable, "-c", f"open({str(tally)!r}, 'a').write('x')")
    times = measure(3, [Command("a", append), Command("b", append)], dict(os.environ))
    assert sorted(times) == ["a", "b"]
    assert all(len(values) == 3 and min(values) > 0 for values in times.values())
    assert tally.read_text() == "x" * 8  # one warm-up and three runs, each


def test_a_failing_command_raises() -> None:
    failing = Command("fails", (sys.executable, "-c", "raise SystemExit('no index here')"))
    with pytest.raises(subprocess.CalledProcessError):
        measure(1, [failing], dict(os.environ))


def test_bad_runs_is_one_line() -> None:
    argv = [sys.executable, "-m", "benchmarks.startup", "--runs", "0"]
    done = subprocess.run(argv, check=False, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith("error: --runs must be at least 1")
