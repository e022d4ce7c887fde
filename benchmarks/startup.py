"""``python -m benchmarks.startup``: how long a one-shot question takes, from spawn to exit.

A member who asks from a terminal waits for the whole process: the interpreter's start, imports,
loading the index cache (and, with the semantic stage, the model), one search, and the exit. Each
command below runs once to warm up (bytecode written, index cache built, files in the page
cache), then ``--runs`` times, the commands alternated so that a busy moment hits them all.
Times are wall clock around ``subprocess.run``, in seconds.

``PYTHONDONTWRITEBYTECODE`` is dropped from the commands' environment: a user's Python writes
bytecode on the first run, and without it every run would compile the engine again. The console
logs its questions to a database in a temporary folder, not to the user's query log.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

QUESTION = "Who founded Nosotek?"


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    argv: tuple[str, ...]
    stdin: str | None = None


def commands(question: str) -> list[Command]:
    """The command-line search with the semantic stage (the default) and by words alone, and the
    console, which answers a question piped on stdin."""
    python = sys.executable
    return [
        Command("retrieval search", (python, "-m", "retrieval", "search", question)),
        Command(
            "retrieval search --no-semantic",
            (python, "-m", "retrieval", "search", "--no-semantic", question),
        ),
        Command("bot --console", (python, "-m", "bot", "--console"), stdin=question + "\n"),
    ]


def wall_time(command: Command, env: Mapping[str, str]) -> float:
    """Seconds from spawn to exit; raises ``CalledProcessError`` when the command fails."""
    start = time.perf_counter()
    subprocess.run(
        command.argv, input=command.stdin, env=env, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - start


def measure(runs: int, chosen: Sequence[Command], env: Mapping[str, str]) -> dict[str, list[float]]:
    """Each command's ``runs`` wall times, after one warm-up run each, alternated."""
    for command in chosen:
        wall_time(command, env)
    times: dict[str, list[float]] = {command.name: [] for command in chosen}
    for _ in range(runs):
        for command in chosen:
            times[command.name].append(wall_time(command, env))
    return times


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each (default 15)")
    parser.add_argument("--question", default=QUESTION, help=f"default {QUESTION!r}")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="docqa-startup-") as folder:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["DOCQA_DB_PATH"] = os.path.join(folder, "docqa.db")
        try:
            times = measure(args.runs, commands(args.question), env)
        except subprocess.CalledProcessError as exc:
            last = (exc.stderr.strip().splitlines() or [f"status {exc.returncode}"])[-1]
            sys.exit(f"error: {shlex.join(['python', *exc.cmd[1:]])} failed: {last}")
    print(f"{'command':34} {'median s':>9} {'min':>6} {'max':>6}  ({args.runs} runs each)")
    for name, values in times.items():
        print(f"{name:34} {statistics.median(values):9.3f} {min(values):6.3f} {max(values):6.3f}")


if __name__ == "__main__":
    main()
