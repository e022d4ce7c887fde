"""Hostile uploads through ``/docqa docs add``: each gets one clear refusal, and the corpus on
disk, the uploads folder, the search engines and the database stay exactly as they were.
Documents that pass the name and size rules but not their format's reader (encrypted, damaged or
scanned PDFs, DOCX bombs, pages without an article) are refused the same way."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from pathlib import Path

import pytest
from discord_emulator import EmuFile, Emulator
from e2e.harness import MODERATOR, TIMEOUT
from format_samples import (
    corrupt_pdf,
    docx_bomb,
    encrypted_pdf,
    lying_docx_bomb,
    navigation_only_html,
    scanned_pdf,
)

from bot.app import DocqaBot
from bot.library.rules import KINDS, clean_name
from bot.settings import DEFAULT_CORPUS, Settings
from bot.storage.sqlite import Storage

TEXT = b"Study notes\n\nThe Koryolink network launched in December 2008.\n"
SEED = "000_36680a99088c2fd4.txt"
CYRILLIC_A, CYRILLIC_O, CYRILLIC_HA = "\u0430", "\u043e", "\u0445"
LIMIT = Settings.model_fields["max_upload_bytes"].default  # 10 MiB

CASES = {
    "over the size limit": ("big.txt", b"x" * (LIMIT + 1), "the file is 10.5 MB; the limit is"),
    "11 MB of one word": ("word.txt", b"word " * 2_200_000, "the file is 11.0 MB; the limit"),
    "binary": ("notes.txt", b"%PDF-1.7\n\x00\x01\x02\xff binary", "the file is binary"),
    "UTF-16": ("wide.txt", "Study notes".encode("utf-16"), "the file is binary"),
    "Latin-1": ("cafe.txt", "Café crème".encode("latin-1"), "the file is not UTF-8 text (byte 3)"),
    "empty": ("empty.txt", b"", "the file is empty"),
    "only whitespace": ("blank.md", b" \n\t\r\n", "the file is empty"),
    "wrong extension": ("notes.exe", TEXT, f"'notes.exe' is not a {KINDS} file"),
    "double extension": ("notes.txt.exe", TEXT, f"is not a {KINDS} file"),
    "no extension": ("notes", TEXT, f"is not a {KINDS} file"),
    "text named .pdf": ("notes.pdf", TEXT, "the PDF is damaged or not a PDF ("),
    "encrypted PDF": ("locked.pdf", encrypted_pdf(), "the PDF is encrypted; use a copy"),
    "corrupt PDF": ("broken.pdf", corrupt_pdf(), "the PDF is damaged or not a PDF ("),
    "scanned PDF": ("scan.pdf", scanned_pdf(), "the PDF has no text layer (a scan?); OCR is not"),
    "DOCX bomb": ("bomb.docx", docx_bomb(), "the DOCX unpacks to 60.8 MB; the limit is 50.0 MB"),
    "DOCX, lying sizes": ("liar.docx", lying_docx_bomb(), "the DOCX is damaged or not a DOCX"),
    "page of menus": ("menu.html", navigation_only_html(), "the page has no main content"),
    "parent folders": ("../../escape.txt", TEXT, "is a path; upload a plain file name"),
    "absolute path": ("/etc/cron.d/escape.txt", TEXT, "is a path"),
    "Windows path": ("..\\..\\escape.txt", TEXT, "is a path"),
    "full-width slashes": ("a\uff0f..\uff0f..\uff0fescape.txt", TEXT, "is a path"),
    "reserved name": ("CON.txt", TEXT, "is a reserved device name"),
    "reserved, lower case": ("lpt9.md", TEXT, "is a reserved device name"),
    "hidden name": (".env.txt", TEXT, "is a hidden file name"),
    "a built-in document's name": (SEED, TEXT, "is the name of a built-in document"),
    "a built-in name in look-alikes": (
        SEED.replace("a", CYRILLIC_A, 1), TEXT, "mixes alphabets (Cyrillic and Latin)"),
    "look-alike letters": (f"n{CYRILLIC_O}tes.md", TEXT, "mixes alphabets (Cyrillic and Latin)"),
    "look-alike extension": (f"notes.t{CYRILLIC_HA}t", TEXT, f"is not a {KINDS} file"),
    "right-to-left override": ("report\u202etxt.md", TEXT, "has invisible or control characters"),
    "zero-width space": ("no\u200btes.md", TEXT, "has invisible or control characters"),
    "a 101-character name": ("x" * 97 + ".txt", TEXT, "is longer than 100 characters"),
}  # fmt: skip


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` (hidden ones too) with a hash of its bytes."""
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def database(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as db:
        return list(db.iterdump())


def state(bot: DocqaBot, settings: Settings, guild_id: int) -> dict[str, object]:
    data_dir = settings.db_path.parent
    return {
        "data folder": {k: v for k, v in tree(data_dir).items() if "docqa.db" not in k},
        "around it": sorted(p.name for p in data_dir.parent.iterdir()),
        "seeds": tree(DEFAULT_CORPUS),
        "database": database(settings.db_path),
        "engine": [d.doc_id for d in bot.engines.for_guild(guild_id).documents],
    }


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_a_hostile_upload_is_refused_and_changes_nothing(
    emu: Emulator, live: DocqaBot, storage: Storage, settings: Settings,
    case: tuple[str, bytes, str],
) -> None:  # fmt: skip
    filename, data, reason = case
    before = state(live, settings, emu.guild.id)
    async with asyncio.timeout(TIMEOUT):
        handle = await emu.send_slash(
            "docqa docs add", {"file": EmuFile(filename, data)}, permissions=MODERATOR
        )
        refusal = await handle.wait_response()
        await asyncio.sleep(0.05)  # a second message, if any, would have arrived
    assert refusal["content"].startswith("Not added: ")
    assert reason in refusal["content"]
    assert refusal["content"].count("\n") == 0
    assert handle.ephemeral
    assert len(handle.messages.items) == 1
    assert state(live, settings, emu.guild.id) == before
    emu.assert_clean()


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("résumé.md", "résumé.md"),
        ("заметки.txt", "заметки.txt"),  # one alphabet, not Latin: fine
        ("日本語のノート.txt", "日本語のノート.txt"),
        ("Koryolink 日本語 notes.md", "Koryolink_日本語_notes.md"),  # Latin with CJK, as written
        ("\uff4e\uff4f\uff54\uff45\uff53.\uff54\uff58\uff54", "notes.txt"),  # full-width letters
        ("\ufb01eld notes (v2).md", "field_notes_(v2).md"),  # the "fi" ligature
    ],
)
def test_ordinary_names_in_any_alphabet_are_still_accepted(raw: str, stored: str) -> None:
    assert clean_name(raw) == stored
