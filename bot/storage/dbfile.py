"""The database file on disk: whether its path can hold one, whether it is still the one
opened, and moving a bad one aside.

No SQL here (``bot/storage/sqlite.py`` and its reports are the only modules that talk to SQLite);
this is about the file and its ``-wal``/``-shm`` companions.
"""

from __future__ import annotations

import errno
import os
import tempfile
from datetime import datetime
from pathlib import Path

from bot.storage.logstore import StorageError

__all__ = [
    "COMPANIONS",
    "DatabasePathError",
    "FileId",
    "check_path",
    "claim",
    "file_id",
    "is_database_file",
    "move_aside",
]

COMPANIONS = ("", "-wal", "-shm")  # SQLite's files for one database in WAL mode
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite 3 database
DATABASE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


class DatabasePathError(StorageError):
    """The database path cannot hold the query log; the message is one line naming it."""


def is_database_file(path: Path) -> bool:
    """Whether the file at ``path`` is ours to open, and to move aside if it fails SQLite's
    checks: it starts with SQLite's header, or its name says it is a database. Anything
    else (someone's notes.md under a mistyped path) is never touched."""
    if path.suffix.lower() in DATABASE_SUFFIXES:
        return True
    with path.open("rb") as file:
        return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def check_path(path: Path) -> None:
    """Raise :class:`DatabasePathError` unless ``path`` names a database file that can be
    opened, or created with its ``-wal``/``-shm`` files, without touching anything else.

    Called before anything is built (the index cache lives beside the database)."""
    if path.is_dir():
        raise DatabasePathError(f"the database path {path} is a folder; set DOCQA_DB_PATH to "
                                f"a file, such as {path / 'docqa.db'}")  # fmt: skip
    if path.exists() and not path.is_file():
        raise DatabasePathError(f"the database path {path} is not a regular file (a device, "
                                "pipe or socket); set DOCQA_DB_PATH to a file such as "
                                "./docqa.db")  # fmt: skip
    try:
        if path.exists() and not is_database_file(path):
            raise DatabasePathError(f"the database path {path} is not an SQLite database; it "
                                    "was left untouched (check DOCQA_DB_PATH)")  # fmt: skip
        _check_folder(path.absolute().parent)
    except OSError as exc:
        raise DatabasePathError(f"cannot use the database path {path}: {exc}") from exc


def _check_folder(folder: Path) -> None:
    """The nearest existing folder on the way to ``folder`` must take new files."""
    while not folder.exists():
        folder = folder.parent
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        raise DatabasePathError(
            f"the folder {folder} is read-only; SQLite creates the database "
            "and its -wal/-shm files there (check DOCQA_DB_PATH)"
        ) from exc


FileId = tuple[int, int]


def file_id(path: Path) -> FileId | None:
    """The file's identity (device, inode), or None if nothing is at ``path``.

    An open SQLite connection keeps writing to a database file that was deleted or replaced,
    so the log would silently go to a file nobody can read again; comparing identities
    before a write notices that.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


def claim(path: Path) -> FileId:
    """The identity of the file at ``path``, creating it empty (and only if nothing is
    there) first; raises OSError. Compared with the path's identity once SQLite has opened
    it, this tells whether the connection holds the file now at ``path``."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        info = os.stat(path)
    else:
        try:
            info = os.fstat(fd)
        finally:
            os.close(fd)
    return info.st_dev, info.st_ino


def move_aside(path: Path, when: datetime) -> Path:
    """Rename the database and its companions to ``<name>.corrupt-<UTC time>[-wal|-shm]``;
    raises OSError, and :class:`DatabasePathError` for a file that is not a database."""
    if not is_database_file(path):
        raise DatabasePathError(f"{path} is not an SQLite database; it was left untouched")
    target = path.with_name(f"{path.name}.corrupt-{when:%Y%m%dT%H%M%S%fZ}")
    for suffix in COMPANIONS:
        source = Path(f"{path}{suffix}")
        if source.exists():
            os.replace(source, f"{target}{suffix}")
    return target
