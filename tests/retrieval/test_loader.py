"""What the loader reads, skips and says: suffixes, readers, symbolic links, pages, CLI edges."""

from __future__ import annotations

import json
import logging
import os

import pytest
from conftest import write_corpus

from retrieval import CorpusError, SearchEngine, load_corpus
from retrieval.cli import main
from retrieval.documents.corpus import CorpusReader
from retrieval.documents.formats import ExtractedText

LECTURE = "Lecture 5\n\nIntro page.\n\nThe Okapi weighting was published in 1994."


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DOCQA_DB_PATH", str(tmp_path / "docqa.db"))


def test_markdown_rst_and_markdown_suffixes_are_read(tmp_path) -> None:
    root = write_corpus(
        tmp_path / "c",
        {"a.rst": "Title\n=====\n\nBody.", "b.markdown": "# B\n\nBody.", "c.md": "x"},
    )
    assert [d.title for d in load_corpus(root)] == ["Title", "B", "x"]


def test_unknown_types_are_named_in_one_warning(tmp_path, caplog) -> None:
    files = {
        "a.txt": "Text.",
        "b.xyz": "?",
        "c.odt": b"PK",
        ".git/HEAD": "ref",
        ".git/x.txt": "no",
    }
    root = write_corpus(tmp_path / "c", files)
    with caplog.at_level(logging.WARNING):
        assert [d.doc_id for d in load_corpus(root)] == ["a.txt"]
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning == "skipping files of unknown type: b.xyz, c.odt"


def test_a_damaged_document_is_one_warning_and_the_rest_is_indexed(tmp_path, caplog) -> None:
    root = write_corpus(tmp_path / "c", {"a.txt": "Text.", "c.pdf": b"%PDF-1.4 truncated"})
    with caplog.at_level(logging.WARNING):
        assert [d.doc_id for d in load_corpus(root)] == ["a.txt"]
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.startswith(f"skipping {root / 'c.pdf'}: ")
    assert "\n" not in warning


def test_a_file_linking_outside_the_corpus_is_skipped_with_a_warning(tmp_path, caplog) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0", encoding="utf-8")
    root = write_corpus(tmp_path / "c", {"a.txt": "Text.", "inside.txt": "Inner."})
    os.symlink(secret, root / "passwd.txt")
    os.symlink(root / "inside.txt", root / "alias.txt")  # stays inside: read
    with caplog.at_level(logging.WARNING):
        ids = [d.doc_id for d in load_corpus(root)]
    assert "passwd.txt" not in ids
    assert "a.txt" in ids
    warnings = [r.getMessage() for r in caplog.records if "outside" in r.getMessage()]
    assert warnings == ["skipping passwd.txt: outside the corpus folder (symbolic links)"]


def test_the_real_file_is_indexed_and_a_link_to_it_is_the_copy(tmp_path) -> None:
    root = write_corpus(tmp_path / "c", {"sub/inner.txt": "Inner text."})
    os.symlink(root / "sub" / "inner.txt", root / "a_link.txt")  # sorts before sub/
    reader = CorpusReader(root)
    assert [d.doc_id for d in reader] == ["sub/inner.txt"]
    assert reader.duplicates == [("a_link.txt", "sub/inner.txt")]


def test_a_registered_reader_turns_bytes_into_a_paged_document(tmp_path, monkeypatch) -> None:
    def reader(data: bytes) -> ExtractedText:
        text = data.decode("ascii")
        return ExtractedText(text, "Lecture 5 slides", "plain", (0, text.index("The Okapi")))

    monkeypatch.setattr("retrieval.documents.corpus.READERS", {".pdf": reader})
    root = write_corpus(tmp_path / "c", {"l5.pdf": LECTURE.encode("ascii"), "n.txt": "Notes."})
    engine = SearchEngine.from_directory(root)
    hit = engine.search("When was Okapi weighting published?").hits[0]
    assert (hit.citation.title, hit.citation.page, hit.citation.paragraph) == (
        "Lecture 5 slides",
        2,
        3,
    )
    assert hit.citation.label() == "Lecture 5 slides — p. 2, ¶3"
    assert engine.search("Notes").hits[0].citation.page is None


def test_json_hits_carry_the_page(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(
        "retrieval.documents.corpus.READERS",
        {".pdf": lambda b: ExtractedText(b.decode(), None, "plain", (0,))},
    )
    root = write_corpus(tmp_path / "c", {"l5.pdf": LECTURE.encode()})
    assert main(["search", "Okapi weighting", "--json", "--corpus", str(root)]) == 0
    assert json.loads(capsys.readouterr().out)["hits"][0]["page"] == 1


@pytest.mark.parametrize("k", ["0", "-3", "60"])
def test_k_outside_1_to_50_is_a_one_line_error(k: str, capsys) -> None:
    assert main(["search", "rivers", "--k", k]) == 2
    err = capsys.readouterr().err
    assert err == f"error: --k must be between 1 and 50 (got {k})\n"


def test_a_file_given_as_corpus_is_not_a_folder(tmp_path, capsys) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("x", encoding="utf-8")
    assert main(["--corpus", str(path), "docs"]) == 2
    assert capsys.readouterr().err == f"error: corpus path {str(path)!r} is not a folder\n"
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "missing")


def test_corpus_may_follow_the_command(tmp_path, capsys) -> None:
    root = write_corpus(tmp_path / "c", {"a.txt": "Rivers\n\nThe river floods."})
    assert main(["docs", "--corpus", str(root)]) == 0
    assert capsys.readouterr().out.startswith("a.txt\tRivers\t")
    assert main(["search", "river", "--corpus", str(root), "--no-cache"]) == 0
    assert "The **river**" not in capsys.readouterr().out  # plain text when not a terminal
