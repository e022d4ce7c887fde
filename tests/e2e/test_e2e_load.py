"""Load: 200 ``/ask`` from 40 members within a few seconds, against the 3-second deadline.

Every interaction must be acknowledged in time (the emulator records a late one as an
``ack_timeout`` violation), answered, and logged, with no warning logged (discord.py's
"heartbeat blocked" included) and no stall of the event loop, which bot and emulator share
here: a ticker measures it, with the harness's own heap kept out of full collections (see
:mod:`e2e.loop_lag`). asyncio's debug mode would name slow callbacks too, but it records a
traceback for every callback and so slows the bot that the figures printed mean little.

The latency percentiles are printed for the record, not asserted: they depend on the machine.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from discord_emulator import Emulator, InteractionHandle
from e2e.harness import TIMEOUT, dev_questions
from e2e.loop_lag import GcPauses, LoopLag, frozen_heap

from bot.app import DocqaBot
from bot.storage.sqlite import Storage

ASKERS = 40
ASKS = 200
SPREAD = 2.0  # seconds over which the questions arrive
STALL = 1.0  # a third of the ack deadline; a blocking index build or search loop is seconds


async def ask_all(emu: Emulator) -> list[InteractionHandle]:
    """200 questions, round-robin over 40 members and the dev set, evenly over SPREAD."""
    askers = [emu.make_user(f"asker-{n}") for n in range(ASKERS)]
    texts = dev_questions()
    loop = asyncio.get_running_loop()
    start, handles = loop.time(), []
    for n in range(ASKS):
        await asyncio.sleep(start + n * SPREAD / ASKS - loop.time())  # by the clock, not drift
        question = {"question": texts[n % len(texts)]}
        handles.append(await emu.send_slash("ask", question, user=askers[n % ASKERS]))
    return handles


def report(emu: Emulator, handles: list[InteractionHandle], lag: LoopLag, gcs: GcPauses) -> str:
    summary = emu.latency_summary()
    spread = max(h.dispatched_at for h in handles) - min(h.dispatched_at for h in handles)

    def line(name: str, figures: dict[str, float]) -> str:
        points = ", ".join(f"{p} {figures[p]:.3f} s" for p in ("p50", "p95", "p99", "max"))
        return f"  {name}: {points}"

    return "\n".join([
        f"load: {len(handles)} /ask from {ASKERS} members, dispatched over {spread:.1f} s",
        line("ack   ", summary["ack"]),
        line("answer", summary["final"]),
        f"  event-loop lag: max {lag.max * 1000:.0f} ms, p99 {lag.summary()['p99'] * 1000:.0f} ms"
        f" ({len(lag.samples)} ticks); {len(gcs.seconds)} collections, longest"
        f" {gcs.max * 1000:.0f} ms",
    ])  # fmt: skip


async def test_two_hundred_asks_from_forty_members(
    emu: Emulator,
    live: DocqaBot,
    storage: Storage,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert live.settings.ask_cooldown == 0  # one member may ask five times in two seconds
    since = datetime.now(UTC)
    caplog.set_level(logging.WARNING)
    with frozen_heap(), GcPauses() as gcs:
        async with asyncio.timeout(3 * TIMEOUT), LoopLag() as lag:
            handles = await ask_all(emu)
            answers = await asyncio.gather(*(h.wait_response(TIMEOUT) for h in handles))
            await live.service.drain()
    rows = (await storage.stats_totals(emu.guild.id, since)).questions
    with capsys.disabled():
        print(f"\n{report(emu, handles, lag, gcs)}\n  {rows} of {ASKS} questions logged")
    assert [h.ack_type for h in handles] == [5] * ASKS
    assert all(len(answer["embeds"]) == 1 for answer in answers)  # answers, not error lines
    assert rows == ASKS
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert lag.max < STALL
    emu.assert_clean()  # no ack_timeout, no limits broken, no unknown route
