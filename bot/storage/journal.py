"""The journal: answered questions the database could not take yet, kept on disk until it can.

A JSON Lines file beside the database (``docqa.db.pending`` for ``docqa.db``): one line per
question, the :class:`~bot.storage.records.QueryLog` the writer was given. Lines are only ever
appended, each batch with one ``write`` and an ``fsync``, so a question is on the disk before
its answer is sent and survives ``kill -9`` and power loss. Once questions are in the
database, or deleted (forget, retention), the file is rewritten without them: written to a
temporary file, synced and renamed into place, and the old file overwritten with zeros, so a
deleted question is not left readable in it. When nothing is left the file is removed.

Several processes may share one journal (the bot and ``--console`` on the same database):
each change holds an exclusive ``flock`` on the file, a rewrite keeps the other processes'
lines, and a start-up replays every line in the file (a replay skips what already landed).

The journal knows nothing of SQL: any :class:`~bot.storage.logstore.QueryLogStore` replays it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from bot.storage.records import HitRow, QueryLog

__all__ = ["SUFFIX", "Journal", "journal_path"]

log = logging.getLogger(__name__)

SUFFIX = ".pending"
VERSION = 1  # the line format; a reader skips lines of another version, loudly
T = TypeVar("T")


def journal_path(db_path: Path) -> Path:
    """Where the journal of the database at ``db_path`` lives: beside it."""
    return db_path.with_name(db_path.name + SUFFIX)


def _line(entry: QueryLog) -> bytes:
    fields = asdict(entry)
    fields["created_at"] = entry.created_at.isoformat()
    return json.dumps({"v": VERSION, **fields}, separators=(",", ":")).encode() + b"\n"


def _entry(line: bytes) -> QueryLog:
    """Raises ValueError, KeyError or TypeError for a line that is not a journal entry."""
    fields: dict[str, Any] = json.loads(line)
    if fields.pop("v") != VERSION:
        raise ValueError("another journal version")
    fields["created_at"] = datetime.fromisoformat(fields["created_at"])
    fields["hits"] = tuple(HitRow(**hit) for hit in fields["hits"])
    entry = QueryLog(**fields)
    if not isinstance(entry.query_id, int):
        raise ValueError("an entry without its id")
    return entry


class _Contents(NamedTuple):
    entries: list[QueryLog]
    bad: int  # unreadable whole lines
    torn: bool  # a last line cut short by a crash mid-write


def _parse(data: bytes) -> _Contents:
    lines = data.split(b"\n")
    entries, bad = [], 0
    for line in filter(None, lines[:-1]):
        try:
            entries.append(_entry(line))
        except (ValueError, KeyError, TypeError):
            bad += 1
    return _Contents(entries, bad, bool(lines[-1]))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _sync_folder(path: Path) -> None:
    """Make a file's creation, rename or removal durable (its folder's entry)."""
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_locked(path: Path, flags: int) -> int | None:
    """The journal's descriptor, under an exclusive lock against other processes; None if
    there is no journal (and ``flags`` do not create it). A file another process replaced or
    removed while this one waited for the lock is let go, and the current one taken."""
    while True:
        try:
            fd = os.open(path, flags, 0o600)
        except FileNotFoundError:
            return None
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def _append_file(path: Path, data: bytes) -> None:
    fd = _open_locked(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
    assert fd is not None  # O_CREAT
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data  # after a torn line: it stays one unreadable line, alone
        try:
            _write_all(fd, data)
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):  # no half line for the next batch to follow
                os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)
    if not size:
        _sync_folder(path)


def _rewrite_file(path: Path, chosen: Callable[[QueryLog], bool]) -> list[QueryLog]:
    """Rewrite the file without the entries ``chosen`` picks (removing it if none is left),
    overwrite the old file's bytes with zeros, and return what was removed."""
    try:
        fd = _open_locked(path, os.O_RDWR)
    except IsADirectoryError:  # not a journal: nothing of ours to remove
        return []
    if fd is None:
        return []
    try:
        size = os.fstat(fd).st_size
        entries = _parse(os.pread(fd, size, 0)).entries
        gone = [entry for entry in entries if chosen(entry)]
        if not gone:
            return []
        kept = b"".join(_line(entry) for entry in entries if not chosen(entry))
        if kept:
            temporary = path.with_name(path.name + ".new")
            new = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                _write_all(new, kept)
                os.fsync(new)
            finally:
                os.close(new)
            os.replace(temporary, path)
        else:
            os.unlink(path)
        _sync_folder(path)
        os.pwrite(fd, bytes(size), 0)  # the old inode's rows, zeroed
        os.fsync(fd)
        return gone
    finally:
        os.close(fd)


class Journal:
    """This process's view of the journal: the questions to replay, by query id, oldest
    first (at start-up, every line in the file; then what this process appends).

    Every method that changes it raises OSError when the file cannot be written, and then
    changes nothing. Methods run one at a time; their file work runs in a thread and, once
    started, finishes even if the caller is cancelled.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[int, QueryLog] = {}
        self._lock = asyncio.Lock()
        self._unreadable: str | None = None  # then the file is never written: it holds rows
        self._load()

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[QueryLog]:
        return list(self._entries.values())

    def get(self, query_id: int) -> QueryLog | None:
        return self._entries.get(query_id)

    def _load(self) -> None:
        try:
            data = self.path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):  # no rows of ours (appends will say)
            return
        except OSError as error:
            self._unreadable = f"the journal {self.path} could not be read at start-up: {error}"
            log.error("Cannot read %s (%s); it is left as it is, and questions the database "
                      "cannot take meanwhile wait in memory", self.path, error)  # fmt: skip
            return
        contents = _parse(data)
        if contents.torn:  # a batch cut short by a crash: its answers were never sent
            log.warning("The journal %s ends in a partial line (a crash mid-write); "
                        "it is dropped", self.path)  # fmt: skip
        if contents.bad:
            log.warning("Skipped %d unreadable lines in the journal %s", contents.bad, self.path)
        self._entries = {int(entry.query_id or 0): entry for entry in contents.entries}
        if self._entries:
            log.info("%d answered questions wait in the journal %s", len(self), self.path)

    async def append(self, entries: Sequence[QueryLog]) -> None:
        """Add ``entries`` (each with its query id) durably: on disk when this returns."""
        data = b"".join(_line(entry) for entry in entries)
        async with self._lock:
            self._check()
            await _in_thread(_append_file, self.path, data)
            self._entries.update((int(entry.query_id or 0), entry) for entry in entries)

    async def remove(self, query_ids: Iterable[int]) -> None:
        """Forget the entries with these ids (the database holds them now)."""
        ids = set(query_ids)
        await self.drop(lambda entry: entry.query_id in ids)

    async def drop(self, chosen: Callable[[QueryLog], bool]) -> list[QueryLog]:
        """Delete the entries ``chosen`` picks, whichever process wrote them; returns those
        that were in the file."""
        async with self._lock:
            self._check()
            gone = await _in_thread(_rewrite_file, self.path, chosen)
            for query_id in [key for key, entry in self._entries.items() if chosen(entry)]:
                del self._entries[query_id]
            return gone

    def _check(self) -> None:
        if self._unreadable is not None:
            raise OSError(self._unreadable)


async def _in_thread(work: Callable[[Path, Any], T], path: Path, argument: Any) -> T:
    """``work(path, argument)`` in a thread, finished even if the caller is cancelled."""
    running = asyncio.ensure_future(asyncio.to_thread(work, path, argument))
    try:
        return await asyncio.shield(running)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await running
        raise
