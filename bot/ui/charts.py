"""Questions per day as a PNG, drawn by matplotlib on the Agg canvas: no display, no pyplot.

Figures are built with the object API and an explicit :class:`FigureCanvasAgg`, so rendering
touches no global backend state and is safe in a worker thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter, DayLocator, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.storage.records import DayCount

__all__ = ["PNG_SIGNATURE", "questions_figure", "questions_png"]

log = logging.getLogger(__name__)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ANSWERED = "#3ba55d"  # Discord's green and red, so the chart reads like the bot's embeds
ABSTAINED = "#ed4245"
MAX_TICKS = 10


def questions_figure(days: Sequence[DayCount], title: str) -> Figure:
    """Stacked bars per day: answered below, abstained on top."""
    figure = Figure(figsize=(8, 3.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    x = [float(date2num(day.day)) for day in days]  # type: ignore[no-untyped-call]
    answered = [day.answered for day in days]
    axes.bar(x, answered, color=ANSWERED, label="answered")
    axes.bar(
        x, [day.abstained for day in days], bottom=answered, color=ABSTAINED, label="abstained"
    )
    _date_axis(axes, x)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0, top=max((day.total for day in days), default=0) + 1)
    axes.set_ylabel("questions")
    axes.set_title(title, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(loc="outside upper right", ncols=2, frameon=False)
    if not any(day.total for day in days):
        axes.text(0.5, 0.5, "No questions in this period", ha="center", transform=axes.transAxes)
    return figure


def _date_axis(axes: Axes, x: Sequence[float]) -> None:
    """Day numbers shown as dates, one tick every few whole days (never hourly ticks)."""
    axes.xaxis_date()
    every = max(math.ceil(len(x) / MAX_TICKS), 1)
    axes.xaxis.set_major_locator(DayLocator(interval=every))  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(DateFormatter("%b %d"))  # type: ignore[no-untyped-call]
    if x:
        axes.set_xlim(x[0] - 0.75, x[-1] + 0.75)  # a bar is 0.8 days wide


def questions_png(days: Sequence[DayCount], title: str = "Questions per day (UTC)") -> bytes:
    """The chart as PNG bytes."""
    buffer = io.BytesIO()
    questions_figure(days, title).savefig(buffer, format="png")
    log.debug("Rendered a %d-day chart (%d bytes)", len(days), buffer.tell())
    return buffer.getvalue()
