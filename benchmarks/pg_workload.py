"""The query log's PostgreSQL workload for :mod:`benchmarks.pg_drivers`, once per driver.

A question row with its 5 hit rows in one transaction (what the log writer does per answer),
and the moderator report's aggregates over one server's 30 days (what ``/docqa stats`` reads).
The tables follow bot/migration_001.sql in PostgreSQL types; they are this benchmark's own,
not the bot's schema. SQL is written once with ``%s`` placeholders (psycopg's style) and
renumbered to ``$1, $2, ...`` for asyncpg.
"""

from __future__ import annotations

import random
import re
from abc import ABC, abstractmethod
from dataclasses import astuple, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import asyncpg
import psycopg
from psycopg_pool import AsyncConnectionPool

from bot.storage.records import HitRow

__all__ = [
    "SCHEMA",
    "STATS",
    "Asyncpg",
    "Driver",
    "Psycopg",
    "Question",
    "make_questions",
]

SCHEMA = """
DROP TABLE IF EXISTS feedback, hits, queries;
CREATE TABLE queries (
    id bigint PRIMARY KEY, created_at timestamptz NOT NULL, guild_id bigint,
    channel_id bigint, user_id bigint NOT NULL, source text NOT NULL, question text NOT NULL,
    k integer NOT NULL, answered boolean NOT NULL, latency_ms double precision NOT NULL,
    hit_count integer NOT NULL, top_score double precision
);
CREATE TABLE hits (
    query_id bigint NOT NULL REFERENCES queries (id) ON DELETE CASCADE, rank integer NOT NULL,
    doc text NOT NULL, chunk_start integer NOT NULL, chunk_end integer NOT NULL,
    excerpt_start integer NOT NULL, excerpt_end integer NOT NULL,
    score double precision NOT NULL, PRIMARY KEY (query_id, rank)
);
CREATE TABLE feedback (
    query_id bigint NOT NULL REFERENCES queries (id) ON DELETE CASCADE,
    user_id bigint NOT NULL, vote smallint NOT NULL, created_at timestamptz NOT NULL,
    PRIMARY KEY (query_id, user_id)
);
CREATE INDEX queries_guild_created_at ON queries (guild_id, created_at);
CREATE INDEX hits_doc ON hits (doc);
"""
INSERT_QUESTION = "INSERT INTO queries VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
INSERT_HIT = "INSERT INTO hits VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
WINDOW = "guild_id = %s AND created_at >= %s"
Q_WINDOW = "q.guild_id = %s AND q.created_at >= %s"
STATS = (  # each takes (guild_id, since)
    "SELECT count(*), count(DISTINCT user_id), count(*) FILTER (WHERE answered)"
    f" FROM queries WHERE {WINDOW}",
    "SELECT count(*) FILTER (WHERE f.vote = 1), count(*) FILTER (WHERE f.vote = -1)"
    f" FROM feedback f JOIN queries q ON q.id = f.query_id WHERE {Q_WINDOW}",
    f"SELECT latency_ms FROM queries WHERE {WINDOW} ORDER BY latency_ms",
    "SELECT date_trunc('day', created_at) AS day, count(*) FILTER (WHERE answered),"
    f" count(*) FILTER (WHERE NOT answered) FROM queries WHERE {WINDOW} GROUP BY day ORDER BY day",
    f"SELECT min(question), count(*) AS n FROM queries WHERE {WINDOW}"
    " GROUP BY lower(question) ORDER BY n DESC, min(question) LIMIT 10",
    f"SELECT h.doc, count(*) AS n FROM hits h JOIN queries q ON q.id = h.query_id WHERE {Q_WINDOW}"
    " GROUP BY h.doc ORDER BY n DESC, h.doc LIMIT 10",
)
DOCS = [f"doc-{n:02d}.md" for n in range(40)]
GUILDS = [1_000 + n for n in range(8)]


@dataclass(frozen=True)
class Question:
    id: int
    created_at: datetime
    guild_id: int
    channel_id: int
    user_id: int
    source: str
    question: str
    k: int
    answered: bool
    latency_ms: float
    hit_count: int
    top_score: float
    hits: tuple[HitRow, ...]

    def row(self) -> tuple[Any, ...]:
        return astuple(self)[:-1]

    def hit_rows(self) -> list[tuple[Any, ...]]:
        return [(self.id, *astuple(hit)) for hit in self.hits]


def make_questions(count: int, first_id: int, seed: int, days: int = 30) -> list[Question]:
    """``count`` questions with 5 hits each, ids from ``first_id``, spread over ``days``."""
    rng, now = random.Random(seed), datetime.now(UTC)
    return [_question(rng, first_id + n, now - timedelta(days=rng.random() * days)) for n in
            range(count)]  # fmt: skip


def _question(rng: random.Random, qid: int, when: datetime) -> Question:
    start = rng.randrange(0, 50_000)
    hits = tuple(
        HitRow(rank, rng.choice(DOCS), start, start + 900, start + 100, start + 400, 9.0 - rank)
        for rank in range(1, 6)
    )
    guild = rng.choice(GUILDS)
    text = f"What does topic {rng.randrange(300)} say about item {rng.randrange(50)}?"
    return Question(qid, when, guild, guild * 10, rng.randrange(1, 400), "slash", text, 5,
                    rng.random() > 0.2, rng.uniform(5, 80), 5, 9.0, hits)  # fmt: skip


def dollar_params(sql: str) -> str:
    """``%s`` placeholders -> ``$1, $2, ...`` (asyncpg's)."""
    numbers = iter(range(1, 1_000))
    return re.sub(r"%s", lambda _m: f"${next(numbers)}", sql)


class Driver(Protocol):
    """One PostgreSQL driver, driven the way its documentation recommends."""

    name: str

    async def open(self, url: str, pool_size: int) -> None: ...
    async def close(self) -> None: ...
    async def script(self, sql: str) -> None:
        """Run parameterless statements (set-up, not measured)."""

    async def write(self, question: Question) -> None:
        """One question and its hits, in one transaction, on the single connection."""

    async def write_pooled(self, question: Question) -> None:
        """The same, on a connection borrowed from the pool."""

    async def stats(self, guild_id: int, since: datetime) -> None:
        """Every :data:`STATS` query, rows fetched."""


class _Connected(ABC):
    """What both drivers do alike: one connection and a pool, opened by ``open``."""

    conn: Any
    pool: Any

    @abstractmethod
    async def _write(self, conn: Any, question: Question) -> None:
        """Insert ``question`` and its hits in one transaction on ``conn``."""

    async def write(self, question: Question) -> None:
        await self._write(self.conn, question)

    async def close(self) -> None:
        await self.conn.close()
        await self.pool.close()

    async def script(self, sql: str) -> None:
        await self.conn.execute(sql)  # no parameters: several statements are allowed


class Asyncpg(_Connected):
    name = "asyncpg"

    async def open(self, url: str, pool_size: int) -> None:
        self.conn = await asyncpg.connect(url)
        self.pool = await asyncpg.create_pool(url, min_size=pool_size, max_size=pool_size)
        self.insert_q, self.insert_h = dollar_params(INSERT_QUESTION), dollar_params(INSERT_HIT)
        self.stats_sql = [dollar_params(sql) for sql in STATS]

    async def load(self, questions: list[Question]) -> None:
        """Bulk-load with COPY (set-up for the reads, not measured)."""
        await self.conn.copy_records_to_table("queries", records=[q.row() for q in questions])
        hits = [row for question in questions for row in question.hit_rows()]
        await self.conn.copy_records_to_table("hits", records=hits)

    async def _write(self, conn: Any, question: Question) -> None:
        async with conn.transaction():
            await conn.execute(self.insert_q, *question.row())
            await conn.executemany(self.insert_h, question.hit_rows())

    async def write_pooled(self, question: Question) -> None:
        async with self.pool.acquire() as conn:
            await self._write(conn, question)

    async def stats(self, guild_id: int, since: datetime) -> None:
        for sql in self.stats_sql:
            await self.conn.fetch(sql, guild_id, since)


class Psycopg(_Connected):
    name = "psycopg"

    async def open(self, url: str, pool_size: int) -> None:
        self.conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
        self.pool = AsyncConnectionPool(
            url, min_size=pool_size, max_size=pool_size, kwargs={"autocommit": True}, open=False
        )
        await self.pool.open(wait=True)

    async def _write(self, conn: Any, question: Question) -> None:
        async with conn.transaction(), conn.cursor() as cursor:
            await cursor.execute(INSERT_QUESTION, question.row())
            await cursor.executemany(INSERT_HIT, question.hit_rows())

    async def write_pooled(self, question: Question) -> None:
        async with self.pool.connection() as conn:
            await self._write(conn, question)

    async def stats(self, guild_id: int, since: datetime) -> None:
        async with self.conn.cursor() as cursor:
            for sql in STATS:
                await cursor.execute(sql, (guild_id, since))
                await cursor.fetchall()
