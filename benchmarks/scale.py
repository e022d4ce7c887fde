"""``python -m benchmarks.scale``: docqa against rank-bm25, bm25s and tantivy at 10k-1M passages.

Generates the corpora (``benchmarks.generated``), runs every engine's build and query phases in
their own processes (``benchmarks.worker``), then prints a table with the targets and writes
``out/scale/results.json`` and ``out/scale/latency.png``. Besides each engine's BM25 top 10, the
``docqa-search`` row times the product path: ``SearchEngine.search`` with excerpts and citations
(k = 5) over the ``docqa-pipeline`` cache. Results accumulate per size and engine, so sizes and
engines can be run separately (``--sizes 1000000`` in the background, ``--engines docqa``) and
reported together. An engine whose library is not installed (numba is the ``bench`` extra) is
skipped with a note.
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

from benchmarks.adapters import ENGINES, SEARCH_ROW, missing_module
from benchmarks.generated import CRANFIELD, generate
from benchmarks.scale_report import plot, table, targets

log = logging.getLogger("benchmarks.scale")

OUT = Path("out/scale")
PERSISTENT = frozenset(ENGINES) - {"rank-bm25"}


ROWS = (*ENGINES, SEARCH_ROW)
_SUFFIXES = {"k": 1_000, "m": 1_000_000}


def sizes(text: str) -> list[int]:
    """Corpus sizes from one argument: ``10000``, ``100_000``, ``10k``, ``1M``, or ``10k,100k``."""
    values = []
    for part in filter(None, (p.strip().lower() for p in text.split(","))):
        scale = _SUFFIXES.get(part[-1], 1)
        digits = part[:-1] if part[-1] in _SUFFIXES else part
        try:
            value = int(digits.replace("_", "")) * scale
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a passage count: {part!r}") from None
        if value < 1_000:
            raise argparse.ArgumentTypeError(f"sizes start at 1000 passages, not {value}")
        values.append(value)
    return values


def _run(
    engine: str, phase: str, corpus: Path, workdir: Path, queries: int, *, cranfield: Path
) -> dict[str, Any]:
    size = corpus.name.split("-")[-1]
    command = [sys.executable, "-m", "benchmarks.worker", engine, phase, "--corpus", str(corpus)]
    command += ["--size", size, "--workdir", str(workdir), "--queries", str(queries)]
    command += ["--cranfield", str(cranfield)]
    log.info("%s %s at %s", engine, phase, size)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        log.error("%s %s failed:\n%s", engine, phase, done.stderr[-2000:])
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def rank_bm25_queries(size: int, queries: int) -> int:
    """rank-bm25 scores every passage in Python: cap its queries as the corpus grows."""
    return min(queries, max(20, 5_000_000 // size))


def _search_row(row: dict[str, Any]) -> dict[str, Any]:
    """Move the pipeline's ``search_*`` timings out of ``row`` into a row of their own."""
    timings = {k.removeprefix("search_"): row.pop(k) for k in list(row) if k.startswith("search_")}
    shared: dict[str, Any] = {
        k: row[k]
        for k in ("passages", "build_s", "disk_mib", "load_s", "load_peak_rss_mib")
        if k in row
    }
    return {"engine": SEARCH_ROW, **shared, **timings, "capped": row["capped"]}


def measure(
    size: int, engines: list[str], queries: int, out: Path, cranfield: Path
) -> list[dict[str, Any]]:
    corpus = generate(size, out, cranfield).terms.parent
    rows = []
    for engine in engines:
        if module := missing_module(engine):
            log.warning(
                "skipping %s: %s is not installed (pip install -e '.[bench]')", engine, module
            )
            continue
        workdir = out / str(size) / engine
        shutil.rmtree(workdir, ignore_errors=True)
        count = rank_bm25_queries(size, queries) if engine == "rank-bm25" else queries
        row = {
            "engine": engine,
            **_run(engine, "build", corpus, workdir, count, cranfield=cranfield),
        }
        if engine in PERSISTENT and "error" not in row:
            row |= _run(engine, "query", corpus, workdir, count, cranfield=cranfield)
        row["capped"] = count < queries
        row.pop("phase", None)
        row.pop("pid", None)
        rows.append(row)
        if "search_p50_ms" in row:
            rows.append(_search_row(row))
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
    merged = sorted(earlier + rows, key=lambda r: ROWS.index(r["engine"]))
    (out / f"results-{size}.json").write_text(json.dumps(merged, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=sizes,
        nargs="+",
        default=[[10_000, 100_000, 1_000_000]],
        help="passage counts, separated by spaces or commas (10000 100k 1M)",
    )
    parser.add_argument("--queries", type=int, default=225, help="timed queries per engine")
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument(
        "--cranfield",
        type=Path,
        default=CRANFIELD,
        help="the Cranfield collection in BEIR layout (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--report-only", action="store_true", help="re-print saved results")
    args = parser.parse_args()
    if not args.report_only and not (args.cranfield / "queries.jsonl").is_file():
        parser.error(f"no Cranfield collection at {args.cranfield} (give it with --cranfield PATH)")
    args.cranfield = args.cranfield.resolve()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    skipped = {e: m for e in args.engines if (m := missing_module(e))}
    args.out.mkdir(parents=True, exist_ok=True)
    for size in [] if args.report_only else [s for group in args.sizes for s in group]:
        rows = measure(size, args.engines, args.queries, args.out, args.cranfield)
        save(size, rows, args.out)
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
    for engine, module in skipped.items():
        print(f"note: {engine} skipped: {module} is not installed (pip install -e '.[bench]')")


if __name__ == "__main__":
    main()
