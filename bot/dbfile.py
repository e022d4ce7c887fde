"""The database file on disk: whether it is still the one opened, and moving a bad one aside.

No SQL here (``bot/storage.py`` and its reports are the only modules that talk to SQLite);
this is about the file and its ``-wal``/``-shm`` companions.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

__all__ = ["COMPANIONS", "FileId", "claim", "file_id", "move_aside"]

COMPANIONS = ("", "-wal", "-shm")  # SQLite's files for one database in WAL mode

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
    """Rename the database and its companions to ``<name>.corrupt-<UTC time>[-wal|-shm]``."""
    target = path.with_name(f"{path.name}.corrupt-{when:%Y%m%dT%H%M%S%fZ}")
    for suffix in COMPANIONS:
        source = Path(f"{path}{suffix}")
        if source.exists():
            os.replace(source, f"{target}{suffix}")
    return target
