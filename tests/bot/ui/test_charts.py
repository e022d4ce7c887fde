"""The stats chart: a valid PNG from matplotlib's Agg canvas, with no display."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from bot.storage.records import DayCount
from bot.ui.charts import PNG_SIGNATURE, questions_figure, questions_png

FIRST = date(2026, 11, 1)
# Two weeks with a known shape: day n has n % 4 answered and n % 3 abstained questions.
WEEKS = tuple(DayCount(FIRST + timedelta(days=n), n % 4, n % 3) for n in range(14))


@pytest.fixture(autouse=True)
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


def test_the_chart_is_a_png_drawn_by_agg(tmp_path_factory: pytest.TempPathFactory) -> None:
    figure = questions_figure(WEEKS, "Questions per day (UTC)")
    assert isinstance(figure.canvas, FigureCanvasAgg)
    png = questions_png(WEEKS)
    assert png.startswith(PNG_SIGNATURE)
    assert png[12:16] == b"IHDR"
    assert png.endswith(b"IEND\xaeB`\x82")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (800, 350)
    path = Path(tmp_path_factory.getbasetemp()) / "docqa-stats-chart.png"
    path.write_bytes(png)
    print(f"stats chart written to {path}")  # the closing note cites it


def test_a_fresh_headless_process_renders_without_pyplot() -> None:
    """No DISPLAY, no MPLBACKEND: the chart still renders, and pyplot is never loaded."""
    script = (
        "import sys; from datetime import date; from bot.ui.charts import questions_png;"
        "from bot.storage.records import DayCount;"
        "png = questions_png([DayCount(date(2026, 11, 1), 2, 1)]);"
        "assert png.startswith(b'\\x89PNG'), png[:8];"
        "assert 'matplotlib.pyplot' not in sys.modules; print('ok')"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr


def test_bars_stack_answered_under_abstained() -> None:
    axes = questions_figure(WEEKS, "t").axes[0]
    answered, abstained = axes.containers
    assert [bar.get_height() for bar in answered] == [day.answered for day in WEEKS]
    assert [bar.get_y() for bar in abstained] == [day.answered for day in WEEKS]
    assert [bar.get_height() for bar in abstained] == [day.abstained for day in WEEKS]


@pytest.mark.parametrize("days", [(), (DayCount(FIRST),), (DayCount(FIRST, 3, 1),)])
def test_empty_and_one_day_windows_render(days: tuple[DayCount, ...]) -> None:
    assert questions_png(days).startswith(PNG_SIGNATURE)
