"""Uploaded documents on disk: the rules, atomic writes, listing, removal, restarts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from format_samples import (
    LECTURE_TITLE,
    article_html,
    count_reads,
    encrypted_pdf,
    headings,
    lecture_docx,
    lecture_pdf,
)

from bot.library.rules import (
    DocumentLimitError,
    UnknownDocumentError,
    UploadRefusedError,
    clean_name,
)
from bot.library.uploaded import Library, LibraryLimits
from retrieval import SearchEngine

GUILD = 1000
NOTES = b"# Study notes\n\nThe Koryolink network launched in December 2008.\n"


def files(library: Library, guild_id: int = GUILD) -> list[str]:
    """Every file in the guild's folder, hidden ones included (no stray temp files)."""
    folder = library.guild_dir(guild_id)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_add_writes_the_file_and_its_metadata(library: Library) -> None:
    doc = library.add(GUILD, "notes.md", NOTES)
    assert (doc.name, doc.title, doc.size) == ("notes.md", "Study notes", len(NOTES))
    assert (library.guild_dir(GUILD) / "notes.md").read_bytes() == NOTES
    assert files(library) == [".library.json", "notes.md"]  # no temp file left behind
    assert library.stored(GUILD) == (doc,)


def test_a_given_title_wins_and_is_one_line(library: Library) -> None:
    doc = library.add(GUILD, "notes.md", NOTES, title="  Week 3:\n mobile phones ")
    assert doc.title == "Week 3: mobile phones"
    assert library.documents(GUILD)[0].title == "Week 3: mobile phones"


def test_uploads_survive_a_restart(library: Library, seed_engine: SearchEngine) -> None:
    doc = library.add(GUILD, "notes.md", NOTES, title="Notes")
    again = Library(library.root, library.limits, seed_engine.documents)
    assert again.stored(GUILD) == (doc,)
    assert again.guilds() == (GUILD,)


def test_a_file_dropped_in_by_hand_is_listed(library: Library) -> None:
    library.guild_dir(GUILD).mkdir(parents=True)
    (library.guild_dir(GUILD) / "extra.txt").write_bytes(b"Extra\nText about phones.")
    (listed,) = library.stored(GUILD)
    assert (listed.name, listed.title, listed.size) == ("extra.txt", "Extra", 24)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("../x.txt", "is a path"),
        ("/etc/passwd", "is a path"),
        ("..\\..\\boot.ini", "is a path"),
        ("uploads/../../x.md", "is a path"),
        ("..", "is a path"),
        ("", "is a path"),
        ("CON.txt", "reserved device name"),
        ("con.md", "reserved device name"),
        ("LPT1.txt", "reserved device name"),
        ("nul.tar.txt", "reserved device name"),
        (".hidden.txt", "hidden file name"),
        ("notes.exe", "is not a .txt, .md, .markdown, .rst, .docx, .htm, .html or .pdf file"),
        ("notes", "is not a .txt, .md"),
        ("x" * 101 + ".txt", "longer than 100"),
        ("000_36680a99088c2fd4.txt", "built-in document"),
        ("000_36680A99088C2FD4.TXT", "built-in document"),
    ],
)
def test_bad_names_are_refused_and_nothing_is_written(
    library: Library, raw: str, reason: str
) -> None:
    with pytest.raises(UploadRefusedError, match=reason):
        library.add(GUILD, raw, NOTES)
    assert files(library) == []
    assert not (library.root.parent / "x.txt").exists()


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("my notes (v2).md", "my_notes_(v2).md"),
        ("résumé.TXT", "résumé.TXT"),
        ("a;b|c$d.txt", "a_b_c_d.txt"),
        ("C:notes.txt", "C_notes.txt"),  # a drive-relative name on Windows
        ("  spaced .md ", "spaced_.md"),
    ],
)
def test_names_are_sanitised(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"x" * 2001, r"the file is 2\.0 kB; the limit is 2\.0 kB"),
        (b"%PDF-1.7\x00\x01binary", "binary"),
        (b"caf\xe9 latin-1", "not UTF-8 text"),
        (b" \n\t\n", "empty"),
    ],
)
def test_bad_contents_are_refused(library: Library, data: bytes, reason: str) -> None:
    with pytest.raises(UploadRefusedError, match=reason):
        library.add(GUILD, "notes.txt", data)
    assert files(library) == []


def test_duplicate_content_is_refused_by_hash(library: Library) -> None:
    library.add(GUILD, "notes.md", NOTES)
    with pytest.raises(UploadRefusedError, match=r"already indexed as 'notes\.md'"):
        library.add(GUILD, "copy.txt", NOTES)
    assert files(library) == [".library.json", "notes.md"]


def test_a_copy_of_a_seed_is_a_duplicate(library: Library, seed_engine: SearchEngine) -> None:
    seed = Path(__file__).resolve().parents[3] / "seeds" / "003_810764727a5c567d.txt"
    roomy = Library(library.root, LibraryLimits(), seed_engine.documents)
    with pytest.raises(UploadRefusedError, match=r"already indexed as '003_810764727a5c567d\.txt'"):
        roomy.add(GUILD, "renamed.txt", seed.read_bytes())


def test_the_same_name_twice_is_refused(library: Library) -> None:
    library.add(GUILD, "Notes.md", NOTES)
    with pytest.raises(UploadRefusedError, match="already exists"):
        library.add(GUILD, "notes.md", b"Other text entirely.")


def test_at_most_max_docs_per_guild(library: Library) -> None:
    for n in range(library.limits.max_docs):
        library.add(GUILD, f"n{n}.txt", f"Document number {n}.".encode())
    with pytest.raises(DocumentLimitError, match="already has 3 documents"):
        library.add(GUILD, "one-more.txt", b"One too many.")
    library.add(GUILD + 1, "one-more.txt", b"One too many.")  # the limit is per guild


def test_guilds_do_not_share_documents(library: Library) -> None:
    library.add(GUILD, "notes.md", NOTES)
    assert library.stored(GUILD + 1) == ()
    assert library.guilds() == (GUILD,)


def test_remove_deletes_the_file_and_its_metadata(library: Library) -> None:
    library.add(GUILD, "notes.md", NOTES)
    keep = library.add(GUILD, "keep.txt", b"Keep me.")
    removed = library.remove(GUILD, "notes.md")
    assert removed.name == "notes.md"
    assert library.stored(GUILD) == (keep,)
    assert files(library) == [".library.json", "keep.txt"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("missing.txt", "no uploaded document named 'missing.txt'"),
        ("../docqa.db", "no uploaded document"),
        ("000_36680a99088c2fd4.txt", "built-in document; only uploaded documents"),
    ],
)
def test_remove_unknown_documents(library: Library, name: str, reason: str) -> None:
    library.add(GUILD, "notes.md", NOTES)
    with pytest.raises(UnknownDocumentError, match=reason):
        library.remove(GUILD, name)
    assert files(library) == [".library.json", "notes.md"]


def test_documents_parse_for_the_engine(library: Library) -> None:
    library.add(GUILD, "notes.md", NOTES, title="Notes")
    (doc,) = library.documents(GUILD)
    assert (doc.doc_id, doc.title, doc.text) == ("notes.md", "Notes", NOTES.decode())


def test_limits_default_to_discords_attachment_limit_and_twenty_documents() -> None:
    assert LibraryLimits() == LibraryLimits(max_bytes=10 * 2**20, max_docs=20)


def test_a_byte_order_mark_stays_out_of_the_title(library: Library) -> None:
    doc = library.add(GUILD, "notes.txt", b"\xef\xbb\xbfStudy notes\n\nText about phones.")
    assert doc.title == "Study notes"
    library.guild_dir(GUILD).joinpath("extra.md").write_bytes(b"\xef\xbb\xbf# Extra\nMore.")
    assert [d.title for d in library.stored(GUILD)] == ["Extra", "Study notes"]


@pytest.mark.parametrize(
    ("name", "build", "title"),
    [("lecture.pdf", lecture_pdf, LECTURE_TITLE), ("tides.html", article_html, "How tides work")],
)
def test_documents_are_titled_and_indexed_from_their_extracted_text(
    library: Library, name: str, build: Callable[[], bytes], title: str
) -> None:
    roomy = Library(library.root, LibraryLimits(), ())
    doc = roomy.add(GUILD, name, build())
    (parsed,) = roomy.documents(GUILD)
    assert doc.title == parsed.title == title
    assert "%PDF" not in parsed.text
    assert "<" not in parsed.text


def test_a_pdf_dropped_in_by_hand_is_listed_with_its_own_title(library: Library) -> None:
    library.guild_dir(GUILD).mkdir(parents=True)
    (library.guild_dir(GUILD) / "lecture.pdf").write_bytes(lecture_pdf())
    (library.guild_dir(GUILD) / "locked.pdf").write_bytes(encrypted_pdf())
    titles = {doc.name: doc.title for doc in library.stored(GUILD)}
    assert titles == {"lecture.pdf": LECTURE_TITLE, "locked.pdf": "locked.pdf"}
    assert [doc.doc_id for doc in library.documents(GUILD)] == ["lecture.pdf"]


def test_a_refused_document_writes_nothing(library: Library) -> None:
    roomy = Library(library.root, LibraryLimits(), ())
    with pytest.raises(UploadRefusedError, match=r"^the PDF is encrypted; use a copy"):
        roomy.add(GUILD, "locked.pdf", encrypted_pdf())
    assert files(library) == []


def test_an_uploaded_pdf_keeps_its_pages_and_is_read_once_until_it_changes(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = count_reads(monkeypatch)
    roomy = Library(library.root, LibraryLimits(), ())
    roomy.add(GUILD, "lecture.pdf", lecture_pdf())
    for _ in range(3):  # a rebuild after the add, after another upload, after a removal
        (doc,) = roomy.documents(GUILD)
    assert reads[".pdf"] == 1
    assert len(doc.page_starts) == 3
    assert doc.page_of(doc.text.index("spectrophotometer")) == 2
    (roomy.guild_dir(GUILD) / "lecture.pdf").write_bytes(lecture_pdf("Lecture five"))
    (doc,) = roomy.documents(GUILD)
    assert reads[".pdf"] == 2  # the file changed on disk: read again
    assert doc.title == LECTURE_TITLE  # the title recorded when it was added still wins


def test_an_uploaded_docx_keeps_its_structure(library: Library) -> None:
    roomy = Library(library.root, LibraryLimits(), ())
    roomy.add(GUILD, "week4.docx", lecture_docx())
    (doc,) = roomy.documents(GUILD)
    assert headings(doc) == ["Tides and the Moon", "Kinds of tide"]


def test_a_library_restarted_reads_its_uploads_once(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    Library(library.root, LibraryLimits(), ()).add(GUILD, "lecture.pdf", lecture_pdf())
    reads = count_reads(monkeypatch)
    restarted = Library(library.root, LibraryLimits(), ())
    for _ in range(2):
        assert [doc.name for doc in restarted.stored(GUILD)] == ["lecture.pdf"]
        assert [doc.doc_id for doc in restarted.documents(GUILD)] == ["lecture.pdf"]
    assert reads[".pdf"] == 1
