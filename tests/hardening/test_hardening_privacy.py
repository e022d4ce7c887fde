"""Forgetting and retention remove exactly the rows they should, completely.

"Completely" includes the file: a deleted question's text must not stay readable in the
database's free pages or in its write-ahead log.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from discord_emulator import Emulator
from e2e.harness import MODERATOR, TIMEOUT, logged
from hardening_support import rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import DocqaBot
from bot.storage.dbfile import COMPANIONS
from bot.storage.records import HitRow, QueryLog, utc_now
from bot.storage.sqlite import Storage

GUILDS = (1000, 2000, None)  # None: a DM
NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=utc_now().tzinfo)
SLOW_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@dataclass(frozen=True)
class Question:
    query_id: int
    user: int
    guild: int | None
    hits: int
    age_ms: int  # how long before NOW it was asked


QUESTION = st.builds(
    Question,
    query_id=st.integers(1, 10**6),
    user=st.integers(1, 4),
    guild=st.sampled_from(GUILDS),
    hits=st.integers(0, 3),
    age_ms=st.integers(0, 10 * 86_400_000),
)
QUESTIONS = st.lists(QUESTION, max_size=12, unique_by=lambda q: q.query_id)
VOTES = st.lists(st.tuples(st.integers(0, 11), st.integers(1, 4), st.sampled_from([-1, 1])))


async def write_log(storage: Storage, questions: list[Question], votes: list[tuple]) -> None:
    for q in questions:
        hits = tuple(HitRow(r, f"d{r}.txt", 0, 9, 1, 5, 1.0) for r in range(1, q.hits + 1))
        when = NOW - timedelta(milliseconds=q.age_ms)
        await storage.log_query(QueryLog(when, q.user, "slash" if q.guild else "dm", "q?", 5,
                                         True, 1.0, hits, q.guild, 1, q.query_id))  # fmt: skip
    for index, user, vote in votes:
        if index < len(questions):
            await storage.record_vote(questions[index].query_id, user, vote)


def contents(db_path: Path) -> dict[str, set[tuple]]:
    return {
        "queries": set(rows(db_path, "SELECT id FROM queries")),
        "hits": set(rows(db_path, "SELECT query_id, rank FROM hits")),
        "feedback": set(rows(db_path, "SELECT query_id, user_id FROM feedback")),
    }


def expected(before: dict[str, set[tuple]], gone_queries: set[int], voter: int | None,
             vote_on: set[int] | None = None) -> dict[str, set[tuple]]:  # fmt: skip
    """The model: ``gone_queries`` go with their hits and every vote on them; ``voter``'s
    votes go too (only those on ``vote_on``, when given)."""
    return {
        "queries": {r for r in before["queries"] if r[0] not in gone_queries},
        "hits": {r for r in before["hits"] if r[0] not in gone_queries},
        "feedback": {
            (q, u) for q, u in before["feedback"]
            if q not in gone_queries and not (u == voter and (vote_on is None or q in vote_on))
        },
    }  # fmt: skip


def run(db_path: Path, check: object) -> None:
    async def go() -> None:
        async with await Storage.open(db_path) as storage:
            await check(storage)  # type: ignore[operator]

    asyncio.run(go())


def fresh(tmp_path: Path) -> Path:
    return tmp_path / f"{len(list(tmp_path.glob('*.db')))}.db"


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW_FIXTURES)
@given(questions=QUESTIONS, votes=VOTES, user=st.integers(1, 4), guild=st.sampled_from(GUILDS[:2]))
def test_forget_deletes_exactly_the_members_rows(
    tmp_path: Path, questions: list[Question], votes: list[tuple], user: int, guild: int
) -> None:
    db_path = fresh(tmp_path)

    async def check(storage: Storage) -> None:
        await write_log(storage, questions, votes)
        before = contents(db_path)
        in_guild = {q.query_id for q in questions if q.guild == guild}
        theirs = {q.query_id for q in questions if q.user == user and q.guild == guild}
        await storage.delete_user_in_guild(user, guild)  # /docqa forget: this guild only
        assert contents(db_path) == expected(before, theirs, user, vote_on=in_guild)
        after_guild = contents(db_path)
        everywhere = {q.query_id for q in questions if q.user == user}
        await storage.delete_user(user)  # /forget-me: everything, everywhere
        assert contents(db_path) == expected(after_guild, everywhere, user)

    run(db_path, check)


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW_FIXTURES)
@given(questions=QUESTIONS, votes=VOTES, days=st.integers(0, 10), jitter=st.integers(-2, 2))
def test_retention_deletes_exactly_the_expired_rows(
    tmp_path: Path, questions: list[Question], votes: list[tuple], days: int, jitter: int
) -> None:
    # Some questions sit right at the cutoff (the log keeps milliseconds): at it is kept.
    at_cutoff = days * 86_400_000 + jitter
    questions = [
        q if n % 3 else Question(q.query_id, q.user, q.guild, q.hits, at_cutoff)
        for n, q in enumerate(questions)
    ]
    db_path = fresh(tmp_path)

    async def check(storage: Storage) -> None:
        await write_log(storage, questions, votes)
        before = contents(db_path)
        expired = {q.query_id for q in questions if q.age_ms > days * 86_400_000}
        counts = await storage.purge_older_than(days, now=NOW)
        assert contents(db_path) == expected(before, expired, None)
        assert counts.queries == len(expired)

    run(db_path, check)


def file_bytes(db_path: Path) -> bytes:
    return b"".join(
        Path(f"{db_path}{suffix}").read_bytes()
        for suffix in COMPANIONS
        if Path(f"{db_path}{suffix}").exists()
    )


async def test_forget_me_and_forget_over_the_wire_leave_nothing_behind(
    emu: Emulator, live: DocqaBot, storage: Storage
) -> None:
    db_path = storage.path
    alice, bob, carol = (emu.make_user(name) for name in ("alice", "bob", "carol"))
    for user in (alice, bob, carol):
        emu.add_member(user)
    secret = "What is the zebra-marker-7f3a of Koryolink?"
    async with asyncio.timeout(TIMEOUT):
        mine = await emu.send_slash("ask", {"question": secret}, user=alice)
        my_answer = await mine.wait_response()
        theirs = await emu.send_slash("ask", {"question": "Who founded Nosotek?"}, user=bob)
        their_answer = await theirs.wait_response()
        kept = await emu.send_slash("ask", {"question": "Who runs Koryolink?"}, user=carol)
        await kept.wait_response()
        for handle in (mine, theirs, kept):
            await logged(storage, handle.id)
        for message, who, query_id in ((their_answer, alice, theirs.id), (my_answer, bob, mine.id)):
            vote = await emu.click_button(message, f"docqa:vote:{query_id}:up", user=who)
            await vote.wait_response()
        assert b"zebra-marker-7f3a" in file_bytes(db_path)
        rows(db_path, "PRAGMA wal_checkpoint(TRUNCATE)")  # as SQLite does every 1,000 pages

        forget_me = await emu.send_slash("forget-me", user=alice)
        said = (await forget_me.wait_response())["content"]
        forget = await emu.send_slash("docqa forget", {"user": bob}, permissions=MODERATOR)
        moderator_said = (await forget.wait_response())["content"]

    # Alice: her question with its passages, her vote on Bob's answer and Bob's on hers.
    assert said.startswith("Deleted everything logged about you: 1 question, ")
    assert said.endswith(" and 2 votes.")
    assert moderator_said.startswith(
        f"Deleted everything logged about {bob.global_name or bob.username} ({bob.id}): "
    )
    assert "): 1 question, " in moderator_said
    assert rows(db_path, "SELECT id, user_id FROM queries") == [(kept.id, carol.id)]
    assert rows(db_path, "SELECT DISTINCT query_id FROM hits") == [(kept.id,)]
    assert rows(db_path, "SELECT * FROM feedback") == []
    assert b"zebra-marker-7f3a" not in file_bytes(db_path)  # not in free pages, not in the WAL
    # Some SQLite builds (this one included) overwrite deleted rows by default; the bot asks
    # for it on every build.
    assert [tuple(r) for r in await storage._db.execute_fetchall("PRAGMA secure_delete")] == [(1,)]
    emu.assert_clean()
