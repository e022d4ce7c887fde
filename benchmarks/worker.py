"""One engine, one phase, in its own process so its peak RSS is its own.

``python -m benchmarks.worker ENGINE build|query --corpus DIR --size N --workdir DIR
--queries N`` prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from benchmarks.adapters import make
from benchmarks.generated import Corpus, Query, queries


class PeakRSS:
    """Peak resident memory of this process and its children (worker pools included), in bytes.

    A thread samples the sum over the process tree every ``every`` seconds, and ``stop`` samples
    once more, so a phase shorter than one interval still counts what it left resident. With
    ``lifetime=True`` (a phase that is the whole process, such as a build) the kernel's own
    high-water marks (``ru_maxrss`` of this process and of its largest finished child, e.g. a
    worker pool's) count too, which catches a peak between two samples.
    """

    def __init__(self, every: float = 0.01) -> None:
        self._me = psutil.Process()
        self.peak = self._sample()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _sample(self) -> int:
        try:
            procs = [self._me, *self._me.children(recursive=True)]
            return sum(p.memory_info().rss for p in procs)
        except psutil.Error:
            return 0

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            self.peak = max(self.peak, self._sample())

    def stop(self, *, lifetime: bool = False) -> int:
        self._stop.set()
        self._thread.join()
        peak = max(self.peak, self._sample())
        if lifetime:
            for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
                peak = max(peak, resource.getrusage(who).ru_maxrss * 1024)  # KiB on Linux
        return peak


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def latencies(
    answer: Callable[[Query], Any], qs: list[Query], prefix: str = ""
) -> dict[str, float]:
    """p50/p99 in ms and queries per second of ``answer`` over ``qs``, one at a time."""
    for q in qs[:10]:
        answer(q)  # warm-up (numba compiles here)
    times = []
    for q in qs:
        start = time.perf_counter()
        answer(q)
        times.append(time.perf_counter() - start)
    ms = np.array(times) * 1000
    return {
        f"{prefix}queries": len(qs),
        f"{prefix}p50_ms": float(np.percentile(ms, 50)),
        f"{prefix}p99_ms": float(np.percentile(ms, 99)),
        f"{prefix}qps": len(qs) / float(np.sum(times)),
    }


def build(engine: Any, corpus: Corpus, workdir: Path, qs: list[Query]) -> dict[str, Any]:
    rss = PeakRSS()
    start = time.perf_counter()
    passages = engine.build(corpus, workdir)
    result: dict[str, Any] = {"passages": passages, "build_s": time.perf_counter() - start}
    result["build_peak_rss_mib"] = rss.stop(lifetime=True) / 2**20
    if engine.persistent:
        result["disk_mib"] = disk_bytes(workdir) / 2**20
    else:
        result |= latencies(engine.query, qs)
    return result


def query(engine: Any, workdir: Path, qs: list[Query]) -> dict[str, Any]:
    if hasattr(engine, "prepare"):
        engine.prepare(workdir)
    rss = PeakRSS()
    start = time.perf_counter()
    engine.load(workdir)
    result: dict[str, Any] = {"load_s": time.perf_counter() - start}
    result["load_peak_rss_mib"] = rss.stop() / 2**20
    result |= latencies(engine.query, qs)
    if hasattr(engine, "search"):
        result |= latencies(engine.search, qs, prefix="search_")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("engine")
    parser.add_argument("phase", choices=["build", "query"])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=225)
    parser.add_argument("--cranfield", type=Path, required=True)
    args = parser.parse_args()
    corpus = Corpus(args.size, args.corpus / "docs", args.corpus / "terms.txt")
    engine = make(args.engine, corpus)
    qs = queries(args.queries, args.cranfield)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.phase == "build":
        result = build(engine, corpus, args.workdir, qs)
    else:
        result = query(engine, args.workdir, qs)
    print(json.dumps({"engine": args.engine, "phase": args.phase, "pid": os.getpid(), **result}))


if __name__ == "__main__":
    main()
