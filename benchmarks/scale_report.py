"""The benchmark's table, target checks and log-log latency plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["plot", "table", "targets"]

Row = dict[str, Any]
_COLUMNS = (
    ("engine", "engine", "{}"),
    ("passages", "passages", "{:,}"),
    ("build_s", "build s", "{:.1f}"),
    ("build_peak_rss_mib", "build RSS MiB", "{:,.0f}"),
    ("disk_mib", "disk MiB", "{:,.1f}"),
    ("load_s", "load s", "{:.3f}"),
    ("load_peak_rss_mib", "load RSS MiB", "{:,.0f}"),
    ("queries", "queries", "{}"),
    ("p50_ms", "p50 ms", "{:.3f}"),
    ("p99_ms", "p99 ms", "{:.3f}"),
    ("qps", "QPS", "{:,.0f}"),
)


def _cell(row: Row, key: str, fmt: str) -> str:
    value = row.get(key)
    text = "n/a" if value is None else fmt.format(value)
    if key == "queries" and row.get("capped"):
        text += "*"
    return text


def table(results: dict[int, list[Row]]) -> str:
    """A Markdown table of every engine at every size."""
    lines = [
        "| N | " + " | ".join(title for _, title, _ in _COLUMNS) + " |",
        "|---" * (len(_COLUMNS) + 1) + "|",
    ]
    for size in sorted(results):
        for row in results[size]:
            cells = [_cell(row, key, fmt) for key, _, fmt in _COLUMNS]
            lines.append(f"| {size:,} | " + " | ".join(cells) + " |")
    lines.append("\n\\* capped query count: latency over that many queries, QPS extrapolated.")
    return "\n".join(lines)


def _get(results: dict[int, list[Row]], size: int, engine: str, key: str) -> float | None:
    for row in results.get(size, []):
        if row["engine"] == engine and row.get(key) is not None:
            return float(row[key])
    return None


def _check(name: str, value: float | None, limit: float | None, *, at_least: bool = False) -> Row:
    if value is None or limit is None:
        return {"target": name, "value": value, "limit": limit, "pass": None}
    passed = value >= limit if at_least else value <= limit
    return {"target": name, "value": round(value, 4), "limit": round(limit, 4), "pass": passed}


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def targets(results: dict[int, list[Row]]) -> list[Row]:
    """The speed targets, each with the measured value and pass/fail (None: not measured).

    First the product path (``docqa-search``: a whole search with excerpts, k = 5), then the BM25
    first stage alone (``docqa``: top 10 over the shared analysed passages) against its peers.
    """
    return _search_targets(results) + _first_stage_targets(results)


def _search_targets(results: dict[int, list[Row]]) -> list[Row]:
    def at(size: int, engine: str, key: str) -> float | None:
        return _get(results, size, engine, key)

    p50 = at(100_000, "docqa-search", "p50_ms")
    numba = at(100_000, "bm25s-numba", "p50_ms")
    return [
        _check("100k: docqa-search p50 ms <= 1", p50, 1.0),
        _check("100k: docqa-search p99 ms <= 3", at(100_000, "docqa-search", "p99_ms"), 3.0),
        _check(
            "100k: docqa-search p50 ms <= 3 x bm25s-numba p50", p50, 3 * numba if numba else None
        ),
        _check("1M: docqa-search p50 ms <= 5", at(1_000_000, "docqa-search", "p50_ms"), 5.0),
    ]


def _first_stage_targets(results: dict[int, list[Row]]) -> list[Row]:
    def at(size: int, engine: str, key: str) -> float | None:
        return _get(results, size, engine, key)

    p50 = at(100_000, "docqa", "p50_ms")
    rivals = [at(100_000, e, "p50_ms") for e in ("bm25s-numpy", "tantivy")]
    fastest = min((v for v in rivals if v), default=None)
    million = 1_000_000
    return [
        _check("100k: docqa p50 ms <= 1", p50, 1.0),
        _check("100k: docqa p99 ms <= 5", at(100_000, "docqa", "p99_ms"), 5.0),
        _check(
            "100k: rank-bm25 p50 / docqa p50 >= 100",
            _ratio(at(100_000, "rank-bm25", "p50_ms"), p50),
            100.0,
            at_least=True,
        ),
        _check(
            "100k: docqa p50 ms <= 1.5 x min(bm25s-numpy, tantivy) p50",
            p50,
            1.5 * fastest if fastest else None,
        ),
        _check("1M: docqa p50 ms <= 20", at(million, "docqa", "p50_ms"), 20.0),
        _check(
            "1M: docqa-pipeline build peak RSS MiB <= 4096",
            at(million, "docqa-pipeline", "build_peak_rss_mib"),
            4096.0,
        ),
        _check(
            "1M: docqa-pipeline cache load s <= 3", at(million, "docqa-pipeline", "load_s"), 3.0
        ),
    ]


def plot(results: dict[int, list[Row]], path: Path) -> None:
    """Query latency (p50 solid, p99 dashed) against corpus size, log-log, one line per engine."""
    import matplotlib  # noqa: PLC0415 (only the report draws)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, ax = plt.subplots(figsize=(8, 5))
    engines = sorted({row["engine"] for rows in results.values() for row in rows})
    for n, engine in enumerate(engines):
        color = f"C{n}"
        for key, style in (("p50_ms", "-"), ("p99_ms", "--")):
            points = [(s, v) for s in sorted(results) if (v := _get(results, s, engine, key))]
            if points:
                label = f"{engine} {key[:3]}"
                ax.plot(*zip(*points, strict=True), style, marker="o", color=color, label=label)
    ax.set(xscale="log", yscale="log", xlabel="passages", ylabel="top-10 query latency (ms)")
    ax.set_title("Query latency vs corpus size (single thread)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
