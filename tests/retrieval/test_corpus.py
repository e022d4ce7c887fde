from __future__ import annotations

import logging

import pytest
from conftest import write_corpus

from retrieval import CorpusError, load_corpus
from retrieval.documents.boilerplate import BoilerplateRules, detect_boilerplate

ARTICLE = (
    "Rivers of the North\n\n"
    "The river floods every spring, and farmers plant rice after the water recedes.\n\n"
    "Engineers built three dams between 1990 and 2004 to control the floods downstream.\n\n"
)
FOOTER = (
    "Subscribe to our newsletter!\n\nMost Popular\n\nFollow Us\n\nJane Doe\n\n"
    "Gadget X200\n\nThe screen was bright and the battery lasted all day.\n\nForgot password?"
)


def test_title_defaults_to_the_first_non_empty_line(tmp_path) -> None:
    root = write_corpus(
        tmp_path / "c", {"a.txt": "\n\n  Rivers  \n\nBody.", "b.md": "# Notes\n\nx"}
    )
    titles = {d.doc_id: d.title for d in load_corpus(root)}
    assert titles == {"a.txt": "Rivers", "b.md": "Notes"}


def test_subfolders_give_posix_relative_ids_and_other_suffixes_are_ignored(tmp_path) -> None:
    root = write_corpus(
        tmp_path / "c", {"x/y.txt": "One.", "z.pdf": "nope", ".hidden.txt": "no", "w.MD": "Two."}
    )
    assert [d.doc_id for d in load_corpus(root)] == ["w.MD", "x/y.txt"]


def test_manifest_sets_metadata(tmp_path) -> None:
    manifest = '[documents."a.txt"]\ntitle = "Rivers"\nsource = "Atlas"\ndate = "2001"\n'
    root = write_corpus(tmp_path / "c", {"a.txt": ARTICLE, "manifest.toml": manifest})
    (doc,) = load_corpus(root)
    assert (doc.title, doc.source, doc.date) == ("Rivers", "Atlas", "2001")


def test_manifest_with_unknown_key_is_a_clear_error(tmp_path) -> None:
    manifest = '[documents."a.txt"]\ntitel = "typo"\n'
    root = write_corpus(tmp_path / "c", {"a.txt": ARTICLE, "manifest.toml": manifest})
    with pytest.raises(CorpusError, match="unknown keys"):
        load_corpus(root)


def test_non_utf8_file_is_skipped_with_a_warning(tmp_path, caplog) -> None:
    root = write_corpus(tmp_path / "c", {"good.txt": ARTICLE, "bad.txt": b"caf\xe9 \xff"})
    with caplog.at_level(logging.WARNING):
        docs = load_corpus(root)
    assert [d.doc_id for d in docs] == ["good.txt"]
    assert "bad.txt" in caplog.text


@pytest.mark.parametrize("files", [{}, {"notes.pdf": "x"}])
def test_empty_corpus_is_an_error(tmp_path, files) -> None:
    with pytest.raises(CorpusError, match="no readable"):
        load_corpus(write_corpus(tmp_path / "c", files))


def test_missing_corpus_is_an_error(tmp_path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "absent")


def test_a_new_articles_footer_is_detected_generically() -> None:
    text = ARTICLE + FOOTER
    spans = detect_boilerplate(text)
    footer_at = text.index("Subscribe")
    assert [(s.start, s.end) for s in spans] == [(footer_at, len(text))]


def test_boilerplate_is_marked_never_rewritten(tmp_path) -> None:
    root = write_corpus(tmp_path / "c", {"a.txt": ARTICLE + FOOTER})
    (doc,) = load_corpus(root)
    assert doc.text == ARTICLE + FOOTER


def test_reference_entries_that_only_repeat_titles_are_boilerplate() -> None:
    refs = (
        "1. Jane Doe, “Rivers and Dams,” Water Journal, May 2, 2010. [Return to Text]\n\n"
        "2. The dams cost US$3 billion, which was twice the budget. [Return to Text]\n"
    )
    text = ARTICLE * 3 + refs
    spans = detect_boilerplate(text)
    first = text.index("1. Jane")
    second = text.index("2. The dams")
    assert any(s.start == first for s in spans)
    assert not any(s.start <= second < s.end for s in spans)


def test_manifest_overrides_turn_detection_off_or_extend_it() -> None:
    text = ARTICLE + FOOTER
    assert detect_boilerplate(text, BoilerplateRules(detect=False)) == ()
    marker = "Engineers built"
    (span,) = detect_boilerplate(text, BoilerplateRules(starts_at=marker))
    assert (span.start, span.end) == (text.index(marker), len(text))
    kept = detect_boilerplate(text, BoilerplateRules(keep=("Most Popular",)))
    at = text.index("Most Popular")
    assert not any(s.start <= at < s.end for s in kept)


def test_notes_people_write_keep_what_reads_like_a_web_form(tmp_path) -> None:
    notes = (
        "# Course notes\n\n## Exams\n\nSign up for the exam by Friday in room 4.\n\n"
        "## Troubleshooting\n\nError: permission denied means you need to run it with sudo.\n\n"
        "Log in to the campus wifi with your student number.\n\nCopyright 2024 The Course.\n"
    )
    root = write_corpus(tmp_path / "c", {"notes.md": notes, "saved.txt": notes + "\nSaved.\n"})
    by_name = {doc.doc_id: doc for doc in load_corpus(root)}
    legal = notes.index("Copyright")
    md = by_name["notes.md"].boilerplate
    assert [(s.start, s.end) for s in md] == [(legal, len(notes))]
    web = by_name["saved.txt"].boilerplate  # a .txt may be a saved web page: its forms go
    assert any(s.start == notes.index("Sign up") for s in web)
