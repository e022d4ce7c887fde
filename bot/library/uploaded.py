"""Per-guild uploaded documents on disk: validated, written atomically, listed and removed.

Each guild's uploads live in ``<root>/<guild id>/`` beside a hidden ``.library.json`` of
titles and hashes (hidden names are never indexed). The files are the truth: a file without
metadata is still listed (described from its text), metadata without a file is ignored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from bot.library.rules import (
    SUFFIXES,
    DocumentLimitError,
    UnknownDocumentError,
    UploadRefusedError,
    clean_name,
    clean_title,
    read_upload,
)
from bot.storage.records import utc_iso, utc_now
from retrieval import Document

__all__ = ["Library", "LibraryLimits", "StoredDocument", "uploads_root"]

log = logging.getLogger(__name__)

META = ".library.json"


@dataclass(frozen=True, slots=True)
class LibraryLimits:
    """How much one guild may upload: bytes per file and number of files."""

    max_bytes: int = 10 * 2**20  # Discord's attachment limit in a server without boosts
    max_docs: int = 20


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """One uploaded document as the library records it."""

    name: str
    title: str
    size: int
    sha256: str
    added_at: str | None = None


def uploads_root(db_path: Path) -> Path:
    """Where uploads live: beside the database, so one data folder holds all the state."""
    return Path(db_path).resolve().parent / "docqa-uploads"


def _atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so readers see the old file or the new one, never half."""
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as tmp:
        tmp.write(data)
        tmp.flush()
        os.fsync(tmp.fileno())
    try:
        os.replace(tmp.name, path)
    except OSError:
        Path(tmp.name).unlink(missing_ok=True)
        raise


class Library:
    """Every guild's uploaded documents under one folder; safe to call from worker threads."""

    def __init__(self, root: Path, limits: LibraryLimits, seeds: Iterable[Document] = ()) -> None:
        self.root = Path(root)
        self.limits = limits
        self._lock = threading.Lock()  # add/remove: check-then-write must not interleave
        self._parsed = ParsedUploads()
        self.set_seeds(seeds)

    def set_seeds(self, seeds: Iterable[Document]) -> None:
        """The global documents, whose names and contents uploads may not repeat."""
        docs = tuple(seeds)
        self.seed_names = frozenset(doc.doc_id for doc in docs)
        self._seed_hashes = {doc.sha256: doc.doc_id for doc in docs}

    def guild_dir(self, guild_id: int) -> Path:
        return self.root / str(int(guild_id))

    def guilds(self) -> tuple[int, ...]:
        """The guilds that have at least one uploaded document."""
        if not self.root.is_dir():
            return ()
        ids = (int(p.name) for p in self.root.iterdir() if p.is_dir() and p.name.isdigit())
        return tuple(sorted(gid for gid in ids if self._files(gid)))

    def stored(self, guild_id: int) -> tuple[StoredDocument, ...]:
        """This guild's uploads, by name."""
        meta = self._meta(guild_id)
        return tuple(meta.get(path.name) or self._describe(path) for path in self._files(guild_id))

    def documents(self, guild_id: int) -> tuple[Document, ...]:
        """This guild's uploads parsed for indexing; one that clashes with a seed is skipped."""
        docs = []
        for entry in self.stored(guild_id):
            clash = entry.name in self.seed_names
            parsed = None if clash else self._parsed.get(self.guild_dir(guild_id) / entry.name)
            if parsed is None:
                log.warning("Not indexing upload %s of guild %s", entry.name, guild_id)
                continue
            docs.append(replace(parsed, title=entry.title))
        return tuple(docs)

    def add(
        self,
        guild_id: int,
        filename: str,
        data: bytes,
        title: str | None = None,
    ) -> StoredDocument:
        """Validate and store one upload; raises :class:`UploadRefusedError` with the reason."""
        name = clean_name(filename, self.seed_names)
        parsed = read_upload(name, data, self.limits.max_bytes)
        digest = _sha(data)
        with self._lock:
            current = self.stored(guild_id)
            self._check_room(name, digest, current)
            title = clean_title(title) or _title(parsed)
            doc = StoredDocument(name, title, len(data), digest, utc_iso(utc_now()))
            self.guild_dir(guild_id).mkdir(parents=True, exist_ok=True)
            _atomic_write(self.guild_dir(guild_id) / name, data)
            self._parsed.keep(self.guild_dir(guild_id) / name, parsed)
            self._save_meta(guild_id, (*current, doc))
        log.info("Guild %s added document %s (%d bytes)", guild_id, name, len(data))
        return doc

    def remove(self, guild_id: int, name: str) -> StoredDocument:
        """Delete one upload by its exact name; raises :class:`UnknownDocumentError`."""
        with self._lock:
            current = self.stored(guild_id)
            doc = next((d for d in current if d.name == name), None)
            if doc is None:
                raise UnknownDocumentError(self._unknown(name))
            (self.guild_dir(guild_id) / doc.name).unlink(missing_ok=True)
            self._parsed.forget(self.guild_dir(guild_id) / doc.name)
            self._save_meta(guild_id, tuple(d for d in current if d is not doc))
        log.info("Guild %s removed document %s", guild_id, name)
        return doc

    def _unknown(self, name: str) -> str:
        if name in self.seed_names:
            return f"{name!r} is a built-in document; only uploaded documents can be removed"
        return f"no uploaded document named {name!r} in this server (see /docqa docs list)"

    def _check_room(self, name: str, digest: str, current: tuple[StoredDocument, ...]) -> None:
        if name.casefold() in {doc.name.casefold() for doc in current}:
            raise UploadRefusedError(f"{name!r} already exists here; remove it first or rename")
        same = self._seed_hashes.get(digest) or next(
            (doc.name for doc in current if doc.sha256 == digest), None
        )
        if same is not None:
            raise UploadRefusedError(f"the same text is already indexed as {same!r}")
        if len(current) >= self.limits.max_docs:
            raise DocumentLimitError(
                f"this server already has {len(current)} documents, the limit; remove one first"
            )

    def _files(self, guild_id: int) -> list[Path]:
        folder = self.guild_dir(guild_id)
        if not folder.is_dir():
            return []
        return sorted(
            path
            for path in folder.iterdir()
            if path.suffix.lower() in SUFFIXES and not path.name.startswith(".") and path.is_file()
            and _inside(path, self.root.resolve() / folder.name)
        )  # fmt: skip

    def _describe(self, path: Path) -> StoredDocument:
        """A file put in the folder by hand: described from its contents."""
        parsed = self._parsed.get(path)
        title = _title(parsed) if parsed is not None else path.name
        data = path.read_bytes()
        return StoredDocument(path.name, title, len(data), _sha(data))

    def _meta(self, guild_id: int) -> dict[str, StoredDocument]:
        path = self.guild_dir(guild_id) / META
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
            return {entry["name"]: StoredDocument(**entry) for entry in entries}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning("Ignoring unreadable %s: %s", path, exc)
            return {}

    def _save_meta(self, guild_id: int, docs: tuple[StoredDocument, ...]) -> None:
        data = json.dumps([asdict(doc) for doc in docs], ensure_ascii=False, indent=1)
        _atomic_write(self.guild_dir(guild_id) / META, data.encode("utf-8"))


_WARNED: set[Path] = set()  # links already reported, so a listing does not repeat it


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` (a link followed) is a file in the guild's own upload folder; a link
    out of it (to the system's password file, another guild's uploads) is skipped, once with
    a warning. Nothing the bot writes is a link: such a file was put there by hand."""
    if path.resolve().parent == folder:
        return True
    if path not in _WARNED:
        _WARNED.add(path)
        log.warning("Skipping %s: it links outside its upload folder", path)
    return False


def _title(parsed: Document) -> str:
    """The document's own title (PDF, DOCX, HTML), first heading or first line, as one line."""
    return clean_title(parsed.title) or parsed.doc_id


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ParsedUploads:
    """Each stored upload's document as parsed once, kept while the file's size and modification
    time stay the same, so rebuilding a guild's engine never extracts a PDF twice. A file that
    cannot be read is remembered as ``None`` (and logged once)."""

    def __init__(self) -> None:
        self._docs: dict[Path, tuple[tuple[int, int], Document | None]] = {}

    def get(self, path: Path) -> Document | None:
        """The document ``path`` holds, parsed now only if it changed since it last was."""
        try:
            stat = path.stat()
        except OSError as exc:
            log.warning("Cannot read %s: %s", path, exc)
            return None
        state = (stat.st_size, stat.st_mtime_ns)
        known = self._docs.get(path)
        if known is not None and known[0] == state:
            return known[1]
        parsed = _read(path)
        self._docs[path] = (state, parsed)
        return parsed

    def keep(self, path: Path, parsed: Document) -> None:
        """Remember ``parsed`` as what the file just written at ``path`` holds."""
        stat = path.stat()
        self._docs[path] = ((stat.st_size, stat.st_mtime_ns), parsed)

    def forget(self, path: Path) -> None:
        self._docs.pop(path, None)


def _read(path: Path) -> Document | None:
    """The stored upload as it is indexed; no size bound (it passed one when added)."""
    try:
        return read_upload(path.name, path.read_bytes(), max_bytes=sys.maxsize)
    except (OSError, UploadRefusedError) as exc:
        log.warning("Cannot read %s: %s", path, exc)
        return None
