"""``python -m benchmarks.pg_drivers``: asyncpg against psycopg 3's async API, on the query log.

Needs both drivers (``pip install -e '.[dev,bench]'``) and Debian's ``postgresql`` server
package; it starts a throwaway cluster (tests/pg_server.py) on a Unix socket, durable
(fsync and synchronous commit on, as a deployment runs) unless ``--fast``.

What it measures (:mod:`benchmarks.pg_workload`), each round on emptied tables, the two
drivers alternating which goes first, medians over ``--rounds``:

* ``write 1x``: one question row and its 5 hit rows per transaction, one after another on one
  connection: milliseconds per transaction (median) and questions per second.
* ``write 50x``: 50 concurrent writers sharing a pool of 5 connections, the same transaction:
  milliseconds per transaction including the wait for a connection, and questions per second.
* ``stats``: the six aggregates of ``/docqa stats`` for one of 8 servers over 30 days, against
  20,000 questions (100,000 hits): milliseconds per full set.

Results (2 cores shared with other work, load average 5-6; PostgreSQL 15, asyncpg 0.32.0,
psycopg 3.3.9 with psycopg-binary and psycopg-pool 3.3.3; 9 rounds of 300 questions, medians;
``cpu ms`` is this process's CPU time per question)::

                       durable              fsync off (--fast)
                       asyncpg   psycopg    asyncpg   psycopg
    write 1x ms           4.04      5.09       0.51      0.66
    write 1x q/s           170       163        953       762
    write 1x cpu ms       0.62      0.80       0.38      0.51
    write 50x ms          91.4      87.9       52.1      62.1
    write 50x q/s          507       548        880       759
    write 50x cpu ms      0.50      0.63       0.50      0.59
    stats ms              35.7      37.5       28.0      28.9

Durable writes wait for the server's commit to reach the disk, which the machine's other
users share, so their figures trade places between runs: questions per second with 50
writers were 463/596, 507/548 and 552/466 (asyncpg/psycopg) in three runs, and written one
after another 165/265, 170/163 and 188/151. The stats reads are the server's aggregation time and
agree within 10 %, either driver ahead. With fsync off both runs agree: asyncpg ahead.

The choice: **asyncpg** (the ``postgres`` extra). Where the driver's own cost shows, it is
ahead in every run: 15-25 % less CPU per question written (0.38 against 0.51 ms one after
another, 0.50 against 0.59 with 50 writers; in the durable runs 0.61-0.62 against 0.80-0.81),
which is CPU the bot's event loop does not spend, and with cheap commits 25 % more questions
per second one after another (953 against 762) and 16 % more through a pool of 5 (880
against 759). Durable writes and stats reads tie. It also brings its own pool (psycopg needs
psycopg-pool), and it is what RoboDanny uses for PostgreSQL. What it costs the backend:
``$1`` placeholders, no inline type hints (``asyncpg-stubs`` in the dev extra covers mypy),
and a prepared-statement cache that must be turned off (``statement_cache_size=0``) behind a
PgBouncer in transaction mode.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the throwaway cluster lives with the tests

from pg_server import throwaway_cluster  # noqa: E402

from benchmarks.pg_workload import (  # noqa: E402
    GUILDS,
    SCHEMA,
    Asyncpg,
    Driver,
    Psycopg,
    Question,
    make_questions,
)

VOTES = (
    "INSERT INTO feedback SELECT id, user_id, CASE WHEN id % 3 = 0 THEN -1 ELSE 1 END,"
    " created_at FROM queries WHERE id % 5 = 0"
)
Figures = dict[tuple[str, str], list[float]]  # (driver, figure) -> one value per round


async def timed(step: Callable[[], Awaitable[None]]) -> float:
    """Milliseconds ``step`` took."""
    start = time.perf_counter()
    await step()
    return (time.perf_counter() - start) * 1000


@dataclass(frozen=True)
class WriteFigures:
    ms: float  # median milliseconds per transaction (with the wait for a pooled connection)
    per_second: float  # questions written per second, wall clock
    cpu_ms: float  # this process's CPU milliseconds per question: the driver's cost to the bot


async def sequential(driver: Driver, questions: list[Question]) -> WriteFigures:
    start, cpu = time.perf_counter(), time.process_time()
    times = [await timed(partial(driver.write, question)) for question in questions]
    return _figures(times, start, cpu)


async def concurrent(driver: Driver, questions: list[Question], writers: int) -> WriteFigures:
    """``writers`` tasks, each writing its share one question after another."""
    times: list[float] = []

    async def writer(share: list[Question]) -> None:
        for question in share:
            times.append(await timed(partial(driver.write_pooled, question)))

    start, cpu = time.perf_counter(), time.process_time()
    async with asyncio.TaskGroup() as group:
        for n in range(writers):
            group.create_task(writer(questions[n::writers]))
    return _figures(times, start, cpu)


def _figures(times: list[float], start: float, cpu: float) -> WriteFigures:
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    return WriteFigures(statistics.median(times), len(times) / wall, used * 1000 / len(times))


def record(figures: Figures, driver: str, label: str, measured: WriteFigures) -> None:
    figures[driver, f"{label} ms"].append(measured.ms)
    figures[driver, f"{label} q/s"].append(measured.per_second)
    figures[driver, f"{label} cpu ms"].append(measured.cpu_ms)


async def write_round(drivers: list[Driver], args: argparse.Namespace, figures: Figures) -> None:
    questions = make_questions(args.questions, 1, seed=len(figures))
    for driver in drivers:
        await driver.script(SCHEMA)
        record(figures, driver.name, "write 1x", await sequential(driver, questions))
        await driver.script(SCHEMA)
        measured = await concurrent(driver, questions, args.writers)
        record(figures, driver.name, f"write {args.writers}x", measured)


async def read_round(drivers: list[Driver], runs: int, figures: Figures) -> None:
    since = datetime.now(UTC) - timedelta(days=30)
    for driver in drivers:
        stats = [partial(driver.stats, GUILDS[n % len(GUILDS)], since) for n in range(runs)]
        times = [await timed(step) for step in stats]
        figures[driver.name, "stats ms"].append(statistics.median(times))


async def run(url: str, args: argparse.Namespace) -> Figures:
    drivers: list[Driver] = [Asyncpg(), Psycopg()]
    for driver in drivers:
        await driver.open(url, args.pool)
    figures: Figures = defaultdict(list)
    try:
        for n in range(args.rounds):
            await write_round(drivers[:: 1 if n % 2 == 0 else -1], args, figures)
        loader = drivers[0]
        assert isinstance(loader, Asyncpg)
        await loader.script(SCHEMA)
        await loader.load(make_questions(args.read_questions, 1, seed=99))
        await loader.script(VOTES + "; ANALYZE")
        for n in range(args.rounds):
            await read_round(drivers[:: 1 if n % 2 == 0 else -1], args.stats_runs, figures)
    finally:
        for driver in drivers:
            await driver.close()
    return figures


def report(figures: Figures) -> str:
    names = sorted({name for name, _ in figures})
    kinds = list(dict.fromkeys(kind for _, kind in figures))
    lines = [f"{'':18}" + "".join(f"{name:>12}" for name in names)]
    for kind in kinds:
        cells = "".join(f"{statistics.median(figures[name, kind]):>12.2f}" for name in names)
        lines.append(f"{kind:18}{cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pg_drivers", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--questions", type=int, default=300, help="written per workload")
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--pool", type=int, default=5)
    parser.add_argument("--read-questions", type=int, default=20_000)
    parser.add_argument("--stats-runs", type=int, default=20, help="stats sets per round")
    parser.add_argument("--fast", action="store_true", help="fsync off: driver cost only")
    args = parser.parse_args(argv)
    with throwaway_cluster(durable=not args.fast) as cluster:
        url = cluster.create_database("bench")
        figures = asyncio.run(run(url, args))
    durability = "fsync off" if args.fast else "durable"
    print(f"{durability}, {args.rounds} rounds, medians:\n{report(figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
