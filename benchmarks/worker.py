"""One engine, one phase, in its own process so its peak RSS is its own.

``python -m benchmarks.worker ENGINE build|query --corpus DIR --size N --workdir DIR
--queries N`` prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from benchmarks.corpus import Corpus, queries
from benchmarks.engines import make


class PeakRSS:
    """Samples the resident memory of this process and its children (worker pools included)."""

    def __init__(self, every: float = 0.05) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            try:
                procs = [me, *me.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                pass
            self._stop.wait(every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def latencies(engine: Any, qs: list[list[str]]) -> dict[str, float]:
    for q in qs[:10]:
        engine.query(q)  # warm-up (numba compiles here)
    times = []
    for q in qs:
        start = time.perf_counter()
        engine.query(q)
        times.append(time.perf_counter() - start)
    ms = np.array(times) * 1000
    return {
        "queries": len(qs),
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "qps": len(qs) / float(np.sum(times)),
    }


def build(engine: Any, corpus: Corpus, workdir: Path, qs: list[list[str]]) -> dict[str, Any]:
    rss = PeakRSS()
    start = time.perf_counter()
    passages = engine.build(corpus, workdir)
    result: dict[str, Any] = {"passages": passages, "build_s": time.perf_counter() - start}
    result["build_peak_rss_mib"] = rss.stop() / 2**20
    if engine.persistent:
        result["disk_mib"] = disk_bytes(workdir) / 2**20
    else:
        result |= latencies(engine, qs)
    return result


def query(engine: Any, workdir: Path, qs: list[list[str]]) -> dict[str, Any]:
    if hasattr(engine, "prepare"):
        engine.prepare(workdir)
    rss = PeakRSS()
    start = time.perf_counter()
    engine.load(workdir)
    result: dict[str, Any] = {"load_s": time.perf_counter() - start}
    result["load_peak_rss_mib"] = rss.stop() / 2**20
    return result | latencies(engine, qs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("engine")
    parser.add_argument("phase", choices=["build", "query"])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=225)
    args = parser.parse_args()
    corpus = Corpus(args.size, args.corpus / "docs", args.corpus / "terms.txt")
    engine = make(args.engine, corpus)
    qs = queries(args.queries)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.phase == "build":
        result = build(engine, corpus, args.workdir, qs)
    else:
        result = query(engine, args.workdir, qs)
    print(json.dumps({"engine": args.engine, "phase": args.phase, "pid": os.getpid(), **result}))


if __name__ == "__main__":
    main()
