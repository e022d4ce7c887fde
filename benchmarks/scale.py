"""``python -m benchmarks.scale``: docqa against rank-bm25, bm25s and tantivy at 10k-1M passages.

Generates the corpora (``benchmarks.corpus``), runs every engine's build and query phases in
their own processes (``benchmarks.worker``), then prints a table with the issue's targets and
writes ``out/scale/results.json`` and ``out/scale/latency.png``. Results accumulate per size and
engine, so sizes and engines can be run separately (``--sizes 1000000`` in the background,
``--engines docqa``) and reported together.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.corpus import generate
from benchmarks.engines import ENGINES
from benchmarks.report import plot, table, targets

log = logging.getLogger("benchmarks.scale")

OUT = Path("out/scale")
PERSISTENT = frozenset(ENGINES) - {"rank-bm25"}


def _run(engine: str, phase: str, corpus: Path, workdir: Path, queries: int) -> dict[str, Any]:
    size = corpus.name.split("-")[-1]
    command = [sys.executable, "-m", "benchmarks.worker", engine, phase, "--corpus", str(corpus)]
    command += ["--size", size, "--workdir", str(workdir), "--queries", str(queries)]
    log.info("%s %s at %s", engine, phase, size)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        log.error("%s %s failed:\n%s", engine, phase, done.stderr[-2000:])
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def rank_bm25_queries(size: int, queries: int) -> int:
    """rank-bm25 scores every passage in Python: cap its queries as the corpus grows."""
    return min(queries, max(20, 5_000_000 // size))


def measure(size: int, engines: list[str], queries: int, out: Path) -> list[dict[str, Any]]:
    corpus = generate(size, out).terms.parent
    rows = []
    for engine in engines:
        workdir = out / str(size) / engine
        shutil.rmtree(workdir, ignore_errors=True)
        count = rank_bm25_queries(size, queries) if engine == "rank-bm25" else queries
        row = {"engine": engine, **_run(engine, "build", corpus, workdir, count)}
        if engine in PERSISTENT and "error" not in row:
            row |= _run(engine, "query", corpus, workdir, count)
        row["capped"] = count < queries
        row.pop("phase", None)
        row.pop("pid", None)
        rows.append(row)
        log.info("%s", row)
    return rows


def load_results(out: Path) -> dict[int, list[dict[str, Any]]]:
    results = {}
    for path in out.glob("results-*.json"):
        results[int(path.stem.split("-")[1])] = json.loads(path.read_text(encoding="utf-8"))
    return results


def save(size: int, rows: list[dict[str, Any]], out: Path) -> None:
    """Store ``rows``, keeping earlier rows of engines that were not measured again."""
    measured = {r["engine"] for r in rows}
    earlier = [r for r in load_results(out).get(size, []) if r["engine"] not in measured]
    merged = sorted(earlier + rows, key=lambda r: ENGINES.index(r["engine"]))
    (out / f"results-{size}.json").write_text(json.dumps(merged, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=225, help="timed queries per engine")
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--report-only", action="store_true", help="re-print saved results")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    for size in [] if args.report_only else args.sizes:
        save(size, measure(size, args.engines, args.queries, args.out), args.out)
    results = load_results(args.out)
    checks = targets(results)
    summary = {"results": {str(k): v for k, v in sorted(results.items())}, "targets": checks}
    (args.out / "results.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    plot(results, args.out / "latency.png")
    print(table(results))
    print()
    for check in checks:
        verdict = {True: "PASS", False: "FAIL", None: "not measured"}[check["pass"]]
        print(f"{verdict:>12}  {check['target']}: {check['value']} (limit {check['limit']})")


if __name__ == "__main__":
    main()
