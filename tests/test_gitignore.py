"""Every file the README's commands create beside the checkout is ignored by git."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.storage.dbfile import COMPANIONS, move_aside
from bot.storage.journal import journal_path

REPO = Path(__file__).resolve().parent.parent


def created_names(tmp_path: Path) -> list[str]:
    """What running the bot, the console and the README's evaluation commands leave in the
    checkout: named by the code that makes them, where there is one."""
    db = tmp_path / "docqa.db"
    for suffix in COMPANIONS:
        Path(f"{db}{suffix}").write_bytes(b"SQLite format 3\x00")
    aside = move_aside(db, datetime.now(UTC))  # a corrupt database, moved aside at start-up
    cache = Settings(db_path=Path("docqa.db")).index_cache_dir
    return [
        "docqa.db", "docqa.db-wal", "docqa.db-shm", journal_path(Path("docqa.db")).name,
        aside.name, f"{aside.name}-wal", f"{aside.name}-shm", f"{cache}/index.npz",
        "run.jsonl", "out/sweep.csv", "out/scale/results.json", "scale.log", ".env",
    ]  # fmt: skip


def test_the_files_the_readme_commands_create_are_ignored(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    names = created_names(tmp_path)
    done = subprocess.run(
        [git, "check-ignore", "--no-index", "--stdin"], cwd=REPO, input="\n".join(names),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert sorted(done.stdout.split()) == sorted(names)
