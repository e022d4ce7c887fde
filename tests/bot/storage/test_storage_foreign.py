"""A healthy SQLite file that is not a docqa query log is refused, untouched, in one line."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from bot.storage.logstore import StorageError
from bot.storage.sqlite import Storage


def _made_by_another_program(path: Path, *, version: int) -> str:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (x)")
        db.execute("INSERT INTO notes VALUES ('keep me')")
        db.execute(f"PRAGMA user_version = {version:d}")
    db.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("version", "reason"),
    [(0, "it holds other tables (notes)"), (7, "its schema version 7 is newer than this docqa's")],
)
async def test_another_programs_database_is_refused_untouched(
    tmp_path: Path, version: int, reason: str
) -> None:
    path = tmp_path / "other.db"
    digest = _made_by_another_program(path, version=version)
    with pytest.raises(StorageError, match="not a docqa query log") as refused:
        await Storage.open(path)
    assert reason in str(refused.value)
    assert "\n" not in str(refused.value)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]  # no -wal, no journal


async def test_a_docqa_log_reopens(tmp_path: Path) -> None:
    path = tmp_path / "docqa.db"
    async with await Storage.open(path) as storage:
        version = await storage.schema_version()
    async with await Storage.open(path) as storage:
        assert await storage.schema_version() == version
