"""Nothing answered is lost: the journal beside the database, a database replaced by a folder,
read-only periods, and deletions that reach questions still waiting to be written.

Each test uses a real SQLite file and a real journal file; the lock is a real write lock
held on another connection.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from discord_emulator import Emulator
from e2e.harness import QUESTION, TIMEOUT, field_names, logged
from hardening_support import ask_by_mention, problems, rows, write_lock_held

import bot.storage.sqlite_driver as storage_module
from bot.answering import AskService
from bot.app import DocqaBot
from bot.engines import EngineSet
from bot.settings import Settings
from bot.storage.journal import Journal, journal_path
from bot.storage.logstore import StorageError, StorageUnavailableError
from bot.storage.records import HitRow, QueryLog, utc_now
from bot.storage.sqlite import Storage
from retrieval import SearchEngine

BUSY = 0.1  # seconds: the busy timeout of these tests' database
LANDS_WITHIN = 8.0  # seconds: a retried write lands by then once the fault is gone
HIT = HitRow(1, "nosotek.md", 0, 40, 5, 30, 3.5)


@pytest.fixture
async def quick(settings: Settings) -> AsyncIterator[Storage]:
    async with await Storage.open(settings.db_path, busy_timeout=BUSY) as opened:
        yield opened


@pytest.fixture
def service(quick: Storage, seed_engine: SearchEngine) -> AskService:
    return AskService(EngineSet(seed_engine), quick, default_k=5)


def question(
    query_id: int, user_id: int, text: str, guild_id: int = 10, asked: datetime | None = None
) -> QueryLog:
    when = asked or utc_now()
    return QueryLog(when, user_id, "slash", text, 5, True, 2.0, (HIT,), guild_id, 7, query_id)


def logged_ids(db_path: Path) -> list[int]:
    return [row[0] for row in rows(db_path, "SELECT id FROM queries ORDER BY id")]


def journaled(db_path: Path) -> list[int]:
    """The ids in the journal file, read afresh as the next start would."""
    return [int(entry.query_id or 0) for entry in Journal(journal_path(db_path)).entries()]


async def until_logged(db_path: Path, expected: list[int]) -> None:
    async with asyncio.timeout(LANDS_WITHIN):
        while logged_ids(db_path) != expected:
            await asyncio.sleep(0.02)


async def test_rows_the_database_cannot_take_wait_in_the_journal_until_it_can(
    service: AskService, settings: Settings
) -> None:
    writer = service.writer
    with write_lock_held(settings.db_path):
        async with asyncio.timeout(TIMEOUT):
            for n in (1, 2, 3):
                await writer.record(question(n, 5, f"question {n}"), timeout=5.0)
        assert journaled(settings.db_path) == [1, 2, 3]  # on disk before record returned
        assert logged_ids(settings.db_path) == []
    await until_logged(settings.db_path, [1, 2, 3])
    async with asyncio.timeout(LANDS_WITHIN):
        while journal_path(settings.db_path).exists():
            await asyncio.sleep(0.02)
    assert rows(settings.db_path, "SELECT count(*) FROM hits") == [(3,)]


async def test_shutdown_in_an_outage_does_not_wait_for_what_the_journal_holds(
    service: AskService, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with write_lock_held(settings.db_path):
        for n in (1, 2):
            await service.writer.record(question(n, 5, f"question {n}"), timeout=5.0)
        async with asyncio.timeout(10.0):  # one last try of the database, not DRAIN_TIMEOUT
            await service.drain(timeout=60.0)
    assert journaled(settings.db_path) == [1, 2]
    assert problems(caplog)[-1] == (
        f"2 answered questions wait in the journal {journal_path(settings.db_path)}; "
        "they are written to the database at the next start"
    )


async def test_forget_forget_me_and_retention_reach_the_journal(
    service: AskService, settings: Settings
) -> None:
    old = utc_now() - timedelta(days=100)
    asked = [
        question(1, 5, "alice in guild 10: zebra-marker-1"),
        question(2, 6, "bob in guild 10"),
        question(3, 5, "alice in guild 20", guild_id=20),
        question(4, 7, "carol, long ago: zebra-marker-4", asked=old),
        question(5, 8, "dave: zebra-marker-5"),
    ]
    with write_lock_held(settings.db_path):
        async with asyncio.timeout(TIMEOUT):
            for entry in asked:
                await service.writer.record(entry, timeout=5.0)
            assert journaled(settings.db_path) == [1, 2, 3, 4, 5]
            # The database part fails while the lock lasts; the journal's copies go first.
            for forget in (
                service.forget_member(5, 10), service.purge(90), service.forget_user(8)
            ):  # fmt: skip
                with pytest.raises(StorageUnavailableError):
                    await forget
        assert journaled(settings.db_path) == [2, 3]
        assert b"zebra-marker" not in journal_path(settings.db_path).read_bytes()
    await until_logged(settings.db_path, [2, 3])  # what was forgotten is never replayed


async def test_deleting_reports_the_journal_s_rows_too(
    service: AskService, settings: Settings, quick: Storage
) -> None:
    await quick.log_query(question(1, 5, "logged"))
    with write_lock_held(settings.db_path):
        await service.writer.record(question(2, 5, "journaled"), timeout=5.0)
        assert journaled(settings.db_path) == [2]
    # The database is back: a deletion counts what it removed in both places, once each.
    counts = await service.writer.forget(
        lambda entry: entry.user_id == 5, lambda: quick.delete_user(5)
    )
    assert (counts.queries, counts.hits) == (2, 2)
    assert logged_ids(settings.db_path) == []
    assert not journal_path(settings.db_path).exists()


async def test_the_journal_is_replayed_at_start_up(
    quick: Storage, settings: Settings, seed_engine: SearchEngine, caplog: pytest.LogCaptureFixture
) -> None:
    await quick.log_query(question(2, 5, "landed just before the crash"))
    left = Journal(journal_path(settings.db_path))
    await left.append([question(n, 5, f"question {n}") for n in (1, 2, 3)])
    AskService(EngineSet(seed_engine), quick, default_k=5)  # nothing asked: start-up alone replays
    await until_logged(settings.db_path, [1, 2, 3])
    assert rows(settings.db_path, "SELECT count(*) FROM hits") == [(3,)]  # no duplicate
    assert problems(caplog) == []


async def test_a_batch_cut_short_by_a_crash_costs_only_itself(
    quick: Storage, settings: Settings, seed_engine: SearchEngine, caplog: pytest.LogCaptureFixture
) -> None:
    path = journal_path(settings.db_path)
    await Journal(path).append([question(1, 5, "whole"), question(2, 5, "whole too")])
    with path.open("ab") as torn:
        torn.write(b'{"v":1,"created_at":"2026-')  # the write the kill interrupted
    AskService(EngineSet(seed_engine), quick, default_k=5)
    await until_logged(settings.db_path, [1, 2])
    assert problems(caplog) == [
        f"The journal {path} ends in a partial line (a crash mid-write); it is dropped"
    ]


async def test_the_database_moved_aside_replaced_by_a_folder_and_moved_back(
    emu: Emulator, live: DocqaBot, storage: Storage, settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    db_path, aside = settings.db_path, settings.db_path.with_name("moved.db")
    async with asyncio.timeout(TIMEOUT + LANDS_WITHIN):
        before, _ = await ask_by_mention(emu, QUESTION)
        await logged(storage, before)
        os.replace(db_path, aside)
        db_path.mkdir()
        during = []
        for n in range(3):
            query_id, reply = await ask_by_mention(emu, f"Who founded Nosotek? ({n})")
            assert field_names(reply)  # answered all the same
            during.append(query_id)
        assert journaled(db_path) == during
        db_path.rmdir()
        os.replace(aside, db_path)
        after, _ = await ask_by_mention(emu, "What is Koryolink?")
        await until_logged(db_path, sorted([before, *during, after]))
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert not any("Could not log" in line or "Gave up" in line for line in problems(caplog))
    emu.assert_clean()


async def test_a_read_only_period_with_the_journal_blocked_too_gives_up_nothing(
    emu: Emulator, live: DocqaBot, storage: Storage, settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """As a read-only mount over the data folder: neither the database nor the journal can be
    written, and someone runs /forget-me meanwhile (which used to give up on the rest)."""
    blocker = journal_path(settings.db_path)
    async with asyncio.timeout(2 * TIMEOUT + LANDS_WITHIN):
        await storage._db.execute("PRAGMA query_only = ON")
        blocker.mkdir()
        asked = [(await ask_by_mention(emu, f"{QUESTION} ({n})"))[0] for n in range(3)]
        leaver = emu.make_user("leaver")
        emu.add_member(leaver)
        forget_me = await emu.send_slash("forget-me", user=leaver)
        said = (await forget_me.wait_response())["content"]
        assert said == "The database can't take that right now; please try again in a minute."
        await storage._db.execute("PRAGMA query_only = OFF")  # remounted read-write
        blocker.rmdir()
        await until_logged(settings.db_path, sorted(asked))
    assert not any("Gave up" in line for line in problems(caplog))
    emu.assert_clean()


async def test_a_file_swapped_in_while_the_database_opens_is_never_mixed_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both files would share the -wal and -shm names: one connection must never hold the
    file that was replaced while the other's pages go to those names."""
    path, backup = tmp_path / "docqa.db", tmp_path / "backup.db"
    async with await Storage.open(backup) as old:
        await old.log_query(question(1, 5, "in the backup"))
    claim = storage_module.claim

    def restored_meanwhile(target: Path) -> tuple[int, int]:
        identity = claim(target)  # the new, empty database file ...
        os.replace(backup, target)  # ... and the operator's restore lands just then
        return identity

    monkeypatch.setattr(storage_module, "claim", restored_meanwhile)
    with pytest.raises(StorageError, match="it was replaced meanwhile"):
        await Storage.open(path)
    monkeypatch.undo()
    async with await Storage.open(path) as storage:  # the next try opens the restored file
        assert await storage.get_query(1) is not None
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]


async def test_two_processes_sharing_the_journal_keep_each_other_s_rows(tmp_path: Path) -> None:
    """The bot and the console on one database: one's rewrite must not drop the other's rows
    (each change locks the file; separate opens exclude each other as processes do)."""
    path = journal_path(tmp_path / "docqa.db")
    bot_side, console_side = Journal(path), Journal(path)
    await bot_side.append([question(1, 5, "the bot's"), question(2, 6, "the bot's too")])
    await console_side.append([question(3, 0, "the console's")])
    await bot_side.remove([1])  # landed in the database
    assert [entry.query_id for entry in Journal(path).entries()] == [2, 3]
    forgotten = await console_side.drop(lambda entry: entry.user_id == 6)  # /forget-me, there
    assert [entry.query_id for entry in forgotten] == [2]
    assert [entry.query_id for entry in Journal(path).entries()] == [3]
    await console_side.remove([3])
    assert not path.exists()


async def test_an_answer_waiting_in_the_journal_keeps_its_buttons(
    emu: Emulator, live: DocqaBot, storage: Storage, settings: Settings
) -> None:
    async with asyncio.timeout(TIMEOUT + LANDS_WITHIN):
        await storage._db.execute("PRAGMA query_only = ON")
        handle = await emu.send_slash("ask", {"question": QUESTION})
        answer = await handle.wait_response()
        assert journaled(settings.db_path) == [handle.id]
        full = await emu.click_button(answer, f"docqa:full:{handle.id}:1")
        passage = await full.wait_response()
        more = await emu.click_button(answer, f"docqa:more:{handle.id}:2")
        await more.wait_response()
        vote = await emu.click_button(answer, f"docqa:vote:{handle.id}:up")
        said = (await vote.wait_response())["content"]
        await storage._db.execute("PRAGMA query_only = OFF")
        await until_logged(settings.db_path, [handle.id])
        again = await emu.click_button(answer, f"docqa:vote:{handle.id}:up")
        thanks = (await again.wait_response())["content"]
    assert passage["embeds"][0]["description"]  # the passage, not "no longer available"
    assert said == "The database can't take that right now; please try again in a minute."
    assert thanks == "Thanks: your 👍 is recorded."
    emu.assert_clean()
