"""Uploads are read from the guild's own folder only: a link out of it is skipped, loudly."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.library.uploaded import Library

GUILD = 1000
SECRET = "root:x:0:0:the system's password file\n"


def test_a_link_out_of_the_upload_folder_is_never_indexed(
    library: Library, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outside = tmp_path / "passwd"
    outside.write_text(SECRET)
    folder = library.guild_dir(GUILD)
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("Notes\nThe Koryolink network launched in 2008.\n")
    (folder / "passwd.txt").symlink_to(outside)
    (folder / "again.txt").symlink_to(folder / "notes.txt")  # a link inside is only a file
    other = library.guild_dir(GUILD + 1)
    other.mkdir()
    (other / "theirs.txt").write_text("Another server's notes\n")
    (folder / "theirs.txt").symlink_to(other / "theirs.txt")

    for _ in range(3):  # listed again and again, reported once
        names = [doc.name for doc in library.stored(GUILD)]
    assert names == ["again.txt", "notes.txt"]
    assert all(SECRET not in doc.text for doc in library.documents(GUILD))
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert sorted(warnings) == [
        f"Skipping {folder / name}: it links outside its upload folder"
        for name in ("passwd.txt", "theirs.txt")
    ]


def test_a_guild_folder_that_is_a_link_is_not_read(library: Library, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "system.txt").write_text(SECRET)
    library.root.mkdir(parents=True)
    library.guild_dir(GUILD).symlink_to(elsewhere, target_is_directory=True)
    assert library.stored(GUILD) == ()
    assert library.guilds() == ()
