"""``python -m benchmarks.bot_load``: 200 concurrent ``/ask`` to the real bot over 100k passages.

The end-to-end load scenario (``tests/e2e/test_e2e_load.py``: 200 questions from 40 members over
two seconds, against the local Discord emulator) with the bot's seed engine loaded from the index
cache of the generated 100,000-passage corpus (``python -m benchmarks.scale --sizes 100000``
makes it). Prints acknowledgement and answer latency percentiles and the event loop's worst stall.
``--semantic stand-in`` turns the semantic stage on with stand-in unit vectors and the real
question encoder (see :mod:`benchmarks.semantic_latency`); by default the engine ranks by words.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the emulator and the e2e scenario live with the tests

from discord_emulator import Emulator  # noqa: E402
from e2e.harness import TIMEOUT, TOKEN, bot_settings, live_bot, two_guilds  # noqa: E402
from e2e.loop_lag import GcPauses, LoopLag, frozen_heap  # noqa: E402
from e2e.test_e2e_load import ASKS, ask_all, report  # noqa: E402

from benchmarks.adapters import PIPELINE_OPTIONS  # noqa: E402
from benchmarks.semantic_latency import with_stand_in_vectors  # noqa: E402
from bot.storage.sqlite import Storage  # noqa: E402
from retrieval import SearchEngine, load_or_build  # noqa: E402


async def run(engine: SearchEngine, folder: Path) -> str:
    async with Emulator(two_guilds(), token=TOKEN) as emu:
        settings = bot_settings(folder / "docqa.db", emu)
        async with (
            await Storage.open(settings.db_path) as storage,
            live_bot(emu, settings, storage, engine) as live,
        ):
            since = datetime.now(UTC)
            with frozen_heap(), GcPauses() as gcs:
                async with asyncio.timeout(3 * TIMEOUT), LoopLag() as lag:
                    handles = await ask_all(emu)
                    answers = await asyncio.gather(*(h.wait_response(TIMEOUT) for h in handles))
                    await live.service.drain()
            acked = sum(h.ack_type == 5 for h in handles)
            logged = (await storage.stats_totals(emu.guild.id, since)).questions
            violations = len(emu.violations)
            return (
                f"{report(emu, handles, lag, gcs)}\n  {acked} of {ASKS} acknowledged"
                f" (deferred), {sum(a is not None for a in answers)} answered, {logged} logged;"
                f" emulator rule violations: {violations}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bot_load", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("out/scale/corpus-100000/docs"))
    parser.add_argument("--cache", type=Path, default=Path("out/scale/bot-cache"))
    parser.add_argument(
        "--semantic", choices=("off", "stand-in"), default="off", help="the semantic stage"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    words = dataclasses.replace(PIPELINE_OPTIONS, semantic=False)
    engine = load_or_build(args.corpus, words, args.cache)
    if args.semantic == "stand-in":
        engine = with_stand_in_vectors(engine)
    print(f"engine: {len(engine.chunks):,} passages, ready in {time.perf_counter() - start:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        print(asyncio.run(run(engine, Path(folder))))


if __name__ == "__main__":
    main()
