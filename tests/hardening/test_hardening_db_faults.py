"""Database faults under the running bot: it keeps answering, retries the log writes that can
be retried until they land, and an operator sees one clear line per fault.

The read-only and disk-full faults are made with SQLite's own switches on the bot's
connection (``query_only``, ``max_page_count``): they fail writes with the same result codes
as a read-only file or a full disk, and chmod would not stop these tests, which run as root.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from discord_emulator import Emulator
from e2e.harness import QUESTION, START, TIMEOUT, TOKEN, field_names, logged
from e2e.process import bot_process
from hardening_support import ask_by_mention, problems, rows, write_lock_held

from bot.app import DocqaBot
from bot.settings import Settings
from bot.storage.dbfile import COMPANIONS
from bot.storage.journal import Journal, journal_path
from bot.storage.logstore import StorageUnavailableError
from bot.storage.logwriter import LAST_RETRY, QueryLogWriter
from bot.storage.records import QueryLog, utc_now
from bot.storage.sqlite import Storage

BUSY = 0.1  # seconds: "locked for longer than the busy timeout" then takes a fraction of a second
LANDS_WITHIN = LAST_RETRY + 2.0  # a retried write lands by then once the fault is gone
QUESTIONS = (QUESTION, "Who founded Nosotek?", "What is Koryolink?")


@pytest.fixture
async def storage(settings: Settings) -> AsyncIterator[Storage]:
    async with await Storage.open(settings.db_path, busy_timeout=BUSY) as opened:
        yield opened


async def on_the_bots_connection(storage: Storage, pragma: str) -> None:
    await storage._db.execute(pragma)


async def ask_all(emu: Emulator) -> list[int]:
    """Ask every question by mention; each must get an answer with citations."""
    asked = []
    for question in QUESTIONS:
        query_id, reply = await ask_by_mention(emu, question)
        assert field_names(reply)[0].startswith("[1] "), reply
        asked.append(query_id)
    return asked


async def assert_all_logged(storage: Storage, asked: list[int]) -> None:
    for query_id in asked:
        await logged(storage, query_id, timeout=LANDS_WITHIN)


def logged_ids(db_path: Path) -> list[int]:
    return [row[0] for row in rows(db_path, "SELECT id FROM queries ORDER BY id")]


def the_one_line(caplog: pytest.LogCaptureFixture) -> str:
    lines = problems(caplog)
    assert len(lines) == 1, lines
    return lines[0]


async def test_a_writer_holding_the_lock_past_the_busy_timeout(
    emu: Emulator, live: DocqaBot, storage: Storage, settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    async with asyncio.timeout(TIMEOUT + LANDS_WITHIN):
        with write_lock_held(settings.db_path):
            asked = await ask_all(emu)
            await asyncio.sleep(4 * BUSY)  # several attempts fail meanwhile
            assert logged_ids(settings.db_path) == []
        await assert_all_logged(storage, asked)
    line = the_one_line(caplog)
    assert "Cannot write the query log (database is locked)" in line
    assert "retried" in line
    emu.assert_clean()


async def test_a_read_only_database(
    emu: Emulator, live: DocqaBot, storage: Storage, settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    async with asyncio.timeout(TIMEOUT + LANDS_WITHIN):
        await on_the_bots_connection(storage, "PRAGMA query_only = ON")
        asked = await ask_all(emu)
        await asyncio.sleep(0.2)
        assert logged_ids(settings.db_path) == []
        await on_the_bots_connection(storage, "PRAGMA query_only = OFF")  # the operator fixes it
        await assert_all_logged(storage, asked)
    assert "readonly database" in the_one_line(caplog)


async def fill_the_disk(storage: Storage) -> int:
    """Cap the database at its current size, then log tiny rows until a write no longer fits."""
    ((pages,),) = await storage._db.execute_fetchall("PRAGMA page_count")
    await on_the_bots_connection(storage, f"PRAGMA max_page_count = {pages}")
    for filler in range(1, 5000):
        try:
            await storage.log_query(QueryLog(utc_now(), 1, "console", "x", 1, False, 0.0,
                                             query_id=filler))  # fmt: skip
        except StorageUnavailableError as full:
            if "full" not in str(full):
                raise
            return filler - 1
    raise AssertionError("the capped database never filled up")


async def test_a_full_disk(
    emu: Emulator, live: DocqaBot, storage: Storage, settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    async with asyncio.timeout(TIMEOUT + LANDS_WITHIN):
        fillers = await fill_the_disk(storage)
        asked = await ask_all(emu)
        await asyncio.sleep(0.2)
        assert len(logged_ids(settings.db_path)) == fillers
        await on_the_bots_connection(storage, "PRAGMA max_page_count = 1073741823")  # space freed
        await assert_all_logged(storage, asked)
    assert "database or disk is full" in the_one_line(caplog)
    assert rows(settings.db_path, "PRAGMA integrity_check") == [("ok",)]


async def test_the_database_deleted_while_running(
    emu: Emulator, live: DocqaBot, storage: Storage, settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    async with asyncio.timeout(TIMEOUT):
        before, _ = await ask_by_mention(emu, QUESTION)
        await logged(storage, before)
        for suffix in COMPANIONS:
            Path(f"{settings.db_path}{suffix}").unlink(missing_ok=True)
        asked = await ask_all(emu)
        await assert_all_logged(storage, asked)
    # Read from the file on disk, not through the bot's connection: the new questions are
    # there (an open connection would otherwise have kept writing to the deleted file).
    assert logged_ids(settings.db_path) == sorted(asked)
    assert "was deleted or replaced while running" in the_one_line(caplog)


def torn_pages(path: Path) -> None:
    """A real query log whose pages 2-4 were overwritten (a torn write, a bad disk)."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE filler (x TEXT)")
        db.executemany("INSERT INTO filler VALUES (?)", [(f"row {n}" * 20,) for n in range(400)])
    with path.open("r+b") as raw:
        raw.seek(4096)
        raw.write(b"\xff" * 3 * 4096)


def not_a_database(path: Path) -> None:
    path.write_bytes(b"these are study notes, not an SQLite file\n" * 200)


def truncated(path: Path) -> None:
    torn_pages(path)  # any real database, cut in half
    os.truncate(path, path.stat().st_size // 2)


@pytest.mark.parametrize("corrupt", [not_a_database, torn_pages, truncated])
async def test_a_corrupt_file_at_start_up_is_moved_aside(
    tmp_path: Path, corrupt: object, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "docqa.db"
    corrupt(path)  # type: ignore[operator]
    original = path.read_bytes()
    async with await Storage.open(path) as storage:
        query_id = await storage.log_query(QueryLog(utc_now(), 1, "console", "still here?",
                                                    5, False, 1.0))  # fmt: skip
    [aside] = tmp_path.glob("docqa.db.corrupt-*")
    assert aside.read_bytes() == original  # kept for the operator, byte for byte
    assert logged_ids(path) == [query_id]
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]
    line = the_one_line(caplog)
    assert f"The database {path} is corrupt" in line
    assert f"moved it to {aside.name} and started a new one" in line


@pytest.mark.slow
async def test_the_bot_process_starts_on_a_corrupt_database(emu: Emulator, tmp_path: Path) -> None:
    not_a_database(tmp_path / "docqa.db")
    async with bot_process(emu, tmp_path, TOKEN) as bot:
        async with asyncio.timeout(START + TIMEOUT):
            await emu.wait_for_bot_ready(START)
            query_id, reply = await ask_by_mention(emu, QUESTION)
            assert field_names(reply)
            assert await bot.terminate() == 0
    assert logged_ids(tmp_path / "docqa.db") == [query_id]
    lines = bot.stderr.strip().splitlines()
    assert len(lines) == 1, bot.stderr
    assert "is corrupt (file is not a database); moved it to docqa.db.corrupt-" in lines[0]


def entry(query_id: int | None, question: str = "Who founded Nosotek?") -> QueryLog:
    return QueryLog(utc_now(), 1, "console", question, 5, True, 1.0, query_id=query_id)


def writer_for(storage: Storage) -> QueryLogWriter:
    return QueryLogWriter(storage, Journal(journal_path(storage.path)))


async def test_questions_waiting_together_are_one_transaction(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[int] = []
    real = storage.log_queries

    async def counted(entries: list[QueryLog]) -> list[int]:
        batches.append(len(entries))
        return await real(entries)

    monkeypatch.setattr(storage, "log_queries", counted)
    writer = writer_for(storage)
    futures = [writer.submit(entry(n)) for n in range(1, 51)]
    assert await asyncio.gather(*futures) == list(range(1, 51))
    assert batches == [50]


async def test_one_refused_row_costs_the_others_nothing(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    writer = writer_for(storage)
    await writer.write(entry(7))
    futures = [writer.submit(entry(n)) for n in (5, 7, 9)]  # 7 is in the log already
    assert await asyncio.gather(*futures) == [5, None, 9]
    assert [line.split(";")[0] for line in problems(caplog)] == ["Could not log query 7"]


async def test_shutdown_in_an_outage_leaves_the_rows_in_the_journal(
    storage: Storage, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    await on_the_bots_connection(storage, "PRAGMA query_only = ON")
    writer = writer_for(storage)
    future = writer.submit(entry(1))
    async with asyncio.timeout(2.0):
        await writer.drain(timeout=0.3)
    assert future.result() == 1  # durable: journaled
    assert logged_ids(settings.db_path) == []
    assert [e.query_id for e in Journal(journal_path(settings.db_path)).entries()] == [1]
    warning, left = problems(caplog)
    assert warning.startswith("Cannot write the query log (attempt to write a readonly database)")
    assert left == (f"1 answered questions wait in the journal {settings.db_path}.pending; "
                    "they are written to the database at the next start")  # fmt: skip


async def test_shutdown_gives_up_only_on_rows_neither_the_database_nor_the_journal_takes(
    storage: Storage, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    await on_the_bots_connection(storage, "PRAGMA query_only = ON")
    journal_path(settings.db_path).mkdir()  # nothing can be appended to a folder
    writer = writer_for(storage)
    future = writer.submit(entry(1))
    async with asyncio.timeout(2.0):
        await writer.drain(timeout=0.3)
    assert future.result() is None
    assert logged_ids(settings.db_path) == []
    *_, error = problems(caplog)
    assert error.startswith("Gave up on 1 query log writes: neither the database nor the "
                            "journal took them ([Errno 21] Is a directory")  # fmt: skip


async def test_a_vote_while_the_database_is_read_only_gets_a_clear_answer(
    emu: Emulator, live: DocqaBot, storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash("ask", {"question": QUESTION})
        answer = await handle.wait_response()
        await logged(storage, handle.id)
        await on_the_bots_connection(storage, "PRAGMA query_only = ON")
        vote = await emu.click_button(answer, f"docqa:vote:{handle.id}:up")
        said = (await vote.wait_response())["content"]
        await on_the_bots_connection(storage, "PRAGMA query_only = OFF")
        again = await emu.click_button(answer, f"docqa:vote:{handle.id}:up")
        thanks = (await again.wait_response())["content"]
    assert said == "The database can't take that right now; please try again in a minute."
    assert thanks == "Thanks: your 👍 is recorded."
    assert the_one_line(caplog) == (
        f"Could not run component docqa:vote:{handle.id}:up for user {emu.default_user.id}: "
        "the database is unavailable (attempt to write a readonly database)"
    )
    emu.assert_clean()
