"""Library versions in the index cache's key: read at builds, re-read only when a folder moved."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from retrieval.cache import libraries
from retrieval.cache.libraries import LIBRARIES, LibraryStamp, libraries_changed, library_stamp


def install(folder: Path, name: str, version: str) -> None:
    """A distribution's metadata as pip leaves it: ``{name}-{version}.dist-info/METADATA``."""
    for old in folder.glob(f"{name}-*.dist-info"):
        (old / "METADATA").unlink()
        old.rmdir()
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


def bump_mtime(folder: Path) -> None:
    """Move the folder's time on even where the clock is coarse (pip's rename moves it)."""
    mtime = folder.stat().st_mtime_ns + 1_000_000_000
    os.utime(folder, ns=(mtime, mtime))


@pytest.fixture
def site_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder first on sys.path that holds pypdf 1.0's metadata."""
    folder = tmp_path / "site"
    folder.mkdir()
    install(folder, "pypdf", "1.0")
    monkeypatch.syspath_prepend(str(folder))
    return folder


def test_the_stamp_holds_every_library_and_every_folder_searched_in_order(
    site_folder: Path,
) -> None:
    stamp = library_stamp()
    names = [part.split("=")[0] for part in stamp.versions.split(";")]
    assert names == list(LIBRARIES)
    assert "pypdf=1.0" in stamp.versions.split(";")
    assert [folder for folder, _ in stamp.folders] == [os.path.abspath(p or ".") for p in sys.path]
    assert stamp.folders[0] == (str(site_folder), site_folder.stat().st_mtime_ns)


def test_unmoved_folders_mean_unchanged_without_reading_metadata(
    site_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = library_stamp()

    def forbidden() -> LibraryStamp:
        raise AssertionError("metadata read although no folder moved")

    monkeypatch.setattr(libraries, "library_stamp", forbidden)
    assert not libraries_changed(saved)


def test_an_upgrade_is_a_change_and_an_unrelated_install_is_not(site_folder: Path) -> None:
    saved = library_stamp()
    install(site_folder, "somethingelse", "2.0")
    bump_mtime(site_folder)
    assert not libraries_changed(saved)
    install(site_folder, "pypdf", "1.1")
    bump_mtime(site_folder)
    assert libraries_changed(saved)


def test_another_search_path_reads_the_versions_again(
    site_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another virtualenv or PYTHONPATH: no saved folder moved, but another one is searched."""
    saved = library_stamp()
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    install(shadow, "pypdf", "0.9")
    monkeypatch.syspath_prepend(str(shadow))
    assert libraries_changed(saved)
    assert not libraries_changed(library_stamp())


def test_a_vanished_folder_or_an_empty_record_reads_the_versions_again(
    site_folder: Path, tmp_path: Path
) -> None:
    saved = library_stamp()
    gone = LibraryStamp(saved.versions, ((str(tmp_path / "gone"), 5), *saved.folders))
    assert not libraries_changed(gone)  # re-read: same versions
    assert libraries_changed(LibraryStamp("pypdf=0.1", ()))  # a cache written before stamps
