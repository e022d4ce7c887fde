"""Sweep plots: each metric against each swept option, averaged over the other options."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from retrieval.eval.metrics import mean
from retrieval.eval.sweep import SweepRow

__all__ = ["PLOT_METRICS", "plot_sweep"]

_COLUMNS = 3
PLOT_METRICS = ("excerpt hit@1", "excerpt hit@3", "excerpt mrr@10", "excerpt ndcg@10")


def _varied(rows: Sequence[SweepRow]) -> list[str]:
    names = list(rows[0].setting) if rows else []
    return [n for n in names if len({str(r.setting[n]) for r in rows}) > 1]


def _panel(axes: Axes, rows: Sequence[SweepRow], option: str, metrics: Sequence[str]) -> None:
    labels = list(dict.fromkeys(str(r.setting[option]) for r in rows))
    for metric in metrics:
        groups = [[r.figures[metric] for r in rows if str(r.setting[option]) == v] for v in labels]
        axes.plot(labels, [mean(g) for g in groups], marker="o", label=metric)
        axes.fill_between(labels, [min(g) for g in groups], [max(g) for g in groups], alpha=0.08)
    axes.set_xlabel(option)
    axes.grid(alpha=0.3)


def plot_sweep(rows: Sequence[SweepRow], path: Path, metrics: Sequence[str] = PLOT_METRICS) -> None:
    """One panel per varied option: lines are means, bands the min–max over the other options."""
    options = _varied(rows) or list(rows[0].setting)[:1]
    ncols = min(len(options), _COLUMNS)
    nrows = -(-len(options) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4 * ncols, 3.4 * nrows), sharey=True, squeeze=False
    )
    for ax, option in zip(axes.flat, options, strict=False):
        _panel(ax, rows, option, metrics)
    for ax in list(axes.flat)[len(options) :]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_ylabel("mean (band: min–max)")
    axes.flat[0].legend(loc="lower left", fontsize="small")
    fig.suptitle(f"Sweep of {len(rows)} configurations: each metric vs each option")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
