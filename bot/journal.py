"""The journal: answered questions the database could not take yet, kept on disk until it can.

A JSON Lines file beside the database (``docqa.db.pending`` for ``docqa.db``): one line per
question, the :class:`~bot.records.QueryLog` the writer was given. Lines are only ever
appended, each batch with one ``write`` and an ``fsync``, so a question is on the disk before
its answer is sent and survives ``kill -9`` and power loss. Once questions are in the
database, or deleted (forget, retention), the file is rewritten without them: written to a
temporary file, synced and renamed into place, and the old file overwritten with zeros, so a
deleted question is not left readable in it. When nothing is left the file is removed.

The journal knows nothing of SQL: any :class:`~bot.logstore.QueryLogStore` replays it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.records import HitRow, QueryLog

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


class Journal:
    """The questions waiting on disk, by query id, oldest first; a mirror of the file.

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
        lines = data.split(b"\n")
        if lines[-1]:  # a batch cut short by a crash: it was never acknowledged
            log.warning("The journal %s ends in a partial line (a crash mid-write); "
                        "it is dropped", self.path)  # fmt: skip
        bad = 0
        for line in filter(None, lines[:-1]):
            try:
                entry = _entry(line)
            except (ValueError, KeyError, TypeError):
                bad += 1
                continue
            self._entries[int(entry.query_id or 0)] = entry
        if bad:
            log.warning("Skipped %d unreadable lines in the journal %s", bad, self.path)
        if self._entries:
            log.info("%d answered questions wait in the journal %s", len(self), self.path)

    async def append(self, entries: Sequence[QueryLog]) -> None:
        """Add ``entries`` (each with its query id) durably: on disk when this returns."""
        data = b"".join(_line(entry) for entry in entries)
        async with self._lock:
            await self._in_thread(self._append, data)
            self._entries.update((int(entry.query_id or 0), entry) for entry in entries)

    async def remove(self, query_ids: Iterable[int]) -> None:
        """Forget the entries with these ids (the database holds them now)."""
        ids = set(query_ids)
        await self.drop(lambda entry: entry.query_id in ids)

    async def drop(self, chosen: Callable[[QueryLog], bool]) -> list[QueryLog]:
        """Delete the entries ``chosen`` picks from the file and return them."""
        async with self._lock:
            gone = [entry for entry in self._entries.values() if chosen(entry)]
            if not gone:
                return []
            kept = [entry for entry in self._entries.values() if not chosen(entry)]
            await self._in_thread(self._rewrite, b"".join(map(_line, kept)))
            for entry in gone:
                del self._entries[int(entry.query_id or 0)]
            return gone

    @staticmethod
    async def _in_thread(work: Callable[[bytes], None], data: bytes) -> None:
        running = asyncio.ensure_future(asyncio.to_thread(work, data))
        try:
            await asyncio.shield(running)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):  # finish the file work, then be cancelled
                await running
            raise

    def _check(self) -> None:
        if self._unreadable is not None:
            raise OSError(self._unreadable)

    def _append(self, data: bytes) -> None:
        self._check()
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(fd).st_size
            try:
                _write_all(fd, data)
                os.fsync(fd)
            except OSError:
                with contextlib.suppress(OSError):  # no half line for the next batch to follow
                    os.ftruncate(fd, size)
                raise
        finally:
            os.close(fd)
        if created:
            _sync_folder(self.path)

    def _rewrite(self, data: bytes) -> None:
        """Replace the file's contents with ``data`` (or remove it), overwriting the old."""
        self._check()
        try:
            old = os.open(self.path, os.O_RDWR)
        except FileNotFoundError:  # removed by hand: write what is kept, nothing to overwrite
            old = os.open(os.devnull, os.O_RDWR)
        try:
            if data:
                temporary = self.path.with_name(self.path.name + ".new")
                fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                try:
                    _write_all(fd, data)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(temporary, self.path)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path)
            _sync_folder(self.path)
            _write_all(old, bytes(os.fstat(old).st_size))  # the old inode's rows, zeroed
            os.fsync(old)
        finally:
            os.close(old)
