"""Event-loop stalls under load: how late the loop wakes a ticker, and what the GC cost.

:class:`LoopLag` sleeps ``interval`` again and again; each wake-up later than asked is one
sample. With the bot in the test's process, a blocking call in the bot (a search or an index
build on the loop instead of a thread) shows up here, as it would in discord.py's heartbeat.

A full garbage collection stops the loop too, for as long as it takes to scan every object
the process holds. The test process holds pytest, the emulator and the bot (~200k objects,
~150 ms a full collection on a busy two-core machine), so :func:`frozen_heap` moves what
exists before the load out of the collector's sight (``gc.freeze``) and :class:`GcPauses`
records the collections that still happen, so the two causes are reported apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Self

from discord_emulator import percentiles

__all__ = ["GcPauses", "LoopLag", "frozen_heap"]

log = logging.getLogger(__name__)


class LoopLag:
    """``async with LoopLag() as lag:`` samples while the block runs; then read ``lag.max``."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    @property
    def max(self) -> float:
        return max(self.samples, default=0.0)

    def summary(self) -> dict[str, float]:
        return percentiles(self.samples)

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            asked = loop.time() + self.interval
            await asyncio.sleep(self.interval)
            self.samples.append(max(0.0, loop.time() - asked))

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._tick(), name="loop-lag")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class GcPauses:
    """``with GcPauses() as pauses:`` records how long each garbage collection took."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self._started = 0.0

    @property
    def max(self) -> float:
        return max(self.seconds, default=0.0)

    def _callback(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds.append(time.perf_counter() - self._started)

    def __enter__(self) -> Self:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._callback)


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Collect, then keep every object alive now out of collections until the block ends."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()  # back into the oldest generation: collectable again, nothing leaks
