"""What an index cache depends on: the corpus files, the engine options and the engine's code.

Start-up compares file sizes and modification times (one ``stat`` per file, cheap at any corpus
size); only when those differ are contents hashed, so a ``touch`` or a fresh checkout costs a
read of the corpus rather than a rebuild. The one edit this misses is one that keeps both the
size and the nanosecond modification time of a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from retrieval.documents.corpus import MANIFEST_NAME, corpus_files
from retrieval.types import EngineOptions

__all__ = [
    "UNREADABLE",
    "FileState",
    "code_version",
    "content_states",
    "corpus_states",
    "engine_files",
    "files_changed",
    "slot_name",
]

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parents[1]  # retrieval/, this module being in cache/
_NOT_ENGINE = frozenset({"eval"})  # subpackages whose code cannot change what an index holds
UNREADABLE = "unreadable"  # a corpus file's recorded hash when it could not be read


@dataclass(frozen=True, slots=True)
class FileState:
    """One corpus file as seen by ``stat`` (and, when asked, by its SHA-256)."""

    path: str
    size: int
    mtime_ns: int
    sha256: str = ""

    @property
    def stat_key(self) -> tuple[str, int, int]:
        return self.path, self.size, self.mtime_ns


def _tracked(directory: Path) -> list[Path]:
    manifest = directory / MANIFEST_NAME
    return corpus_files(directory) + ([manifest] if manifest.is_file() else [])


def corpus_states(directory: Path) -> list[FileState]:
    """Every corpus file and the manifest, by relative path, size and modification time."""
    states = []
    for path in _tracked(directory):
        st = path.stat()
        states.append(FileState(path.relative_to(directory).as_posix(), st.st_size, st.st_mtime_ns))
    return states


def content_states(directory: Path) -> list[FileState]:
    """:func:`corpus_states` with each file's SHA-256 (reads the whole corpus); a file that
    cannot be read (the corpus reader skips it with a warning) has :data:`UNREADABLE`."""
    return [
        FileState(s.path, s.size, s.mtime_ns, _sha256_or_unreadable(directory / s.path))
        for s in corpus_states(directory)
    ]


def files_changed(saved: list[FileState], directory: Path) -> str | None:
    """Why the corpus files differ from those ``saved`` at the build, or None: sizes and
    modification times first, contents only if those moved; a file recorded as
    :data:`UNREADABLE` that can be read now (its permissions changed: neither its size nor its
    modification time says so) counts as changed."""
    if any(s.sha256 == UNREADABLE and os.access(directory / s.path, os.R_OK) for s in saved):
        return "a corpus file that could not be read can be now"
    if [s.stat_key for s in saved] == [s.stat_key for s in corpus_states(directory)]:
        return None
    now = content_states(directory)
    if [(s.path, s.sha256) for s in saved] == [(s.path, s.sha256) for s in now]:
        log.info("corpus files were touched but their contents are unchanged")
        return None
    return "corpus files were added, removed or edited"


def _sha256_or_unreadable(path: Path) -> str:
    try:
        return _sha256(path)
    except OSError:
        return UNREADABLE


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def engine_files() -> list[Path]:
    """The files whose bytes shape an index, sorted: every ``.py`` file of the package (its
    subpackages included: the parsers and readers that shape documents) and its ``data/`` files;
    not the evaluation tools."""
    files = []
    for folder, subfolders, names in os.walk(_PACKAGE):
        here = Path(folder)
        top = here.relative_to(_PACKAGE).parts[:1]
        # Compiled bytecode and numba's cached machine code are not read (hundreds of files).
        subfolders[:] = [
            d for d in subfolders if d != "__pycache__" and (top or d not in _NOT_ENGINE)
        ]
        files += [here / name for name in names if name.endswith(".py") or top == ("data",)]
    return sorted(files)


@cache
def code_version() -> str:
    """A digest of :func:`engine_files`, each under its path relative to the package (the
    libraries' versions are recorded apart: :mod:`retrieval.cache.libraries`)."""
    digest = hashlib.sha256()
    for path in engine_files():
        relative = path.relative_to(_PACKAGE).as_posix()
        digest.update(relative.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def slot_name(directory: Path, options: EngineOptions) -> str:
    """The cache file name for one corpus folder and one set of options."""
    key = json.dumps([str(directory.resolve()), asdict(options)], sort_keys=True)
    return "index-" + hashlib.sha256(key.encode()).hexdigest()[:16] + ".npz"
