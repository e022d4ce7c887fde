"""``DOCQA_DB_PATH`` is checked before anything is built: a folder, a device, a read-only
folder or someone's text file each get one line and exit status 2, and nothing is created
beside them or moved."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_main import bot_env

from bot.storage.dbfile import DatabasePathError, move_aside

NOTES = "# my notes\nnot a database\n"


def console(cwd: Path, db_path: Path | str, *wrapper: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot --console`` (under ``wrapper``, if any) with one question piped in."""
    return subprocess.run(
        [*wrapper, sys.executable, "-m", "bot", "--console"], capture_output=True, text=True,
        cwd=cwd, env=bot_env(DOCQA_DB_PATH=str(db_path)), input="What is Koryolink?\n",
        timeout=120, check=False,
    )  # fmt: skip


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line


def test_a_folder_as_the_database_is_refused_before_anything_is_built(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    line = one_error_line(console(tmp_path, tmp_path / "data"))
    assert f"{tmp_path / 'data'} is a folder" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no docqa-index beside it
    assert list((tmp_path / "data").iterdir()) == []


def test_a_device_as_the_database_is_refused_before_anything_is_built(tmp_path: Path) -> None:
    existed = Path("/dev/docqa-index").exists()
    line = one_error_line(console(tmp_path, "/dev/null"))
    assert "/dev/null is not a regular file" in line
    assert existed or not Path("/dev/docqa-index").exists()


@pytest.mark.parametrize("name", ["notes.md", "notes"])
def test_a_text_file_as_the_database_is_left_untouched(tmp_path: Path, name: str) -> None:
    notes = tmp_path / name
    notes.write_text(NOTES)
    line = one_error_line(console(tmp_path, notes))
    assert f"{notes} is not an SQLite database" in line
    assert notes.read_text() == NOTES
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing moved, nothing built


def read_only_wrapper(folder: Path) -> tuple[str, ...]:
    """A command prefix under which ``folder`` is read-only: a read-only bind mount in a user
    namespace as root (who writes through permissions), permissions otherwise."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return ()
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-rm", "true"], check=False).returncode:
        pytest.skip("cannot make a folder read-only for root here (no user namespaces)")
    mount = f'mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && exec "$@"'
    return (unshare, "-rm", "sh", "-c", mount, "sh")


@pytest.mark.parametrize("existing", [False, True])
def test_a_read_only_data_folder_is_named_as_such(tmp_path: Path, existing: bool) -> None:
    data = tmp_path / "data"
    data.mkdir()
    if existing:
        (data / "docqa.db").write_bytes(b"")
    try:
        line = one_error_line(console(tmp_path, data / "docqa.db", *read_only_wrapper(data)))
    finally:
        data.chmod(0o755)
    assert f"the folder {data} is read-only" in line
    assert not (tmp_path / "docqa-index").exists()


def test_only_a_database_is_ever_moved_aside(tmp_path: Path) -> None:
    """The same rule when a file replaces the database while the bot runs."""
    notes, broken = tmp_path / "notes.md", tmp_path / "log.sqlite"
    notes.write_text(NOTES)
    broken.write_text(NOTES)
    with pytest.raises(DatabasePathError, match=r"notes\.md is not an SQLite database"):
        move_aside(notes, datetime.now(UTC))
    assert notes.read_text() == NOTES
    aside = move_aside(broken, datetime.now(UTC))
    assert aside.name.startswith("log.sqlite.corrupt-")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([aside.name, "notes.md"])
