"""PDF reader: pages, the hyphenated answer on page 2, titles, and every refusal in one line."""

from __future__ import annotations

import pytest
from format_samples import (
    LECTURE_TITLE,
    corrupt_pdf,
    drawing_bomb_pdf,
    encrypted_pdf,
    lecture_pdf,
    refusal,
    scanned_pdf,
)

from retrieval.documents.formats import READERS, pdf

read_pdf = READERS[".pdf"]


def test_the_hyphenated_answer_is_joined_and_sits_on_page_2() -> None:
    extracted = read_pdf(lecture_pdf())
    offset = extracted.text.index("spectrophotometer, which compares")
    assert "spectro-" not in extracted.text
    assert extracted.page_of(offset) == 2
    assert len(extracted.page_starts) == 3


def test_each_page_starts_where_its_text_does() -> None:
    extracted = read_pdf(lecture_pdf())
    firsts = ["Lecture 5", "Instruments", "Next week"]
    assert [extracted.text.index(first) for first in firsts] == list(extracted.page_starts)
    assert [extracted.page_of(start) for start in extracted.page_starts] == [1, 2, 3]


def test_ligatures_fold_and_the_heading_is_its_own_paragraph() -> None:
    text = read_pdf(lecture_pdf()).text
    assert "office hours" in text
    assert "field notes" in text
    assert "\ufb01" not in text
    assert text.startswith(f"{LECTURE_TITLE}\n\nLight is")


def test_the_title_is_the_metadata_title_or_else_the_big_first_line() -> None:
    assert read_pdf(lecture_pdf()).title == LECTURE_TITLE
    assert read_pdf(lecture_pdf(title="Optics, week 5")).title == "Optics, week 5"
    assert read_pdf(lecture_pdf(title="lecture5.docx")).title == LECTURE_TITLE


def test_a_page_number_in_a_bigger_font_is_no_title() -> None:
    page = [pdf._Line("12", 800.0, 14.0), pdf._Line("Optics notes", 780.0, 11.0)]
    assert pdf._title(None, [*page, pdf._Line("More text", 760.0, 11.0)]) == "Optics notes"
    assert pdf._title(None, []) is None


def test_a_line_break_before_a_capital_keeps_its_hyphen() -> None:
    assert (
        pdf._HYPHENATED.sub(pdf._join, "Anglo-\nSaxon and re-\nturn") == "Anglo-\nSaxon and return"
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (encrypted_pdf(), "the PDF is encrypted"),
        (corrupt_pdf(), "the PDF is damaged or not a PDF"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 40, "the PDF is damaged or not a PDF"),
        (b"", "the PDF is damaged or not a PDF"),
        (scanned_pdf(), "the PDF has no text layer (a scan?); OCR is not supported"),
    ],
    ids=["encrypted", "corrupt", "noise", "empty", "scanned"],
)
def test_a_bad_pdf_is_refused_in_one_line(data: bytes, reason: str) -> None:
    assert refusal(read_pdf, data).startswith(reason)


def test_work_is_bounded_by_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "MAX_PAGES", 2)
    assert refusal(read_pdf, lecture_pdf()) == "the PDF has 3 pages; the limit is 2"


@pytest.mark.parametrize("bound", ["MAX_CHARS", "MAX_OPERATIONS"])
def test_work_is_bounded_by_text_and_operations(
    monkeypatch: pytest.MonkeyPatch, bound: str
) -> None:
    monkeypatch.setattr(pdf, bound, 20)
    assert refusal(read_pdf, lecture_pdf()).startswith("the PDF is too big to read (over ")


def test_a_content_stream_bomb_is_refused_within_the_parsing_bound() -> None:
    """A 10 kB file whose one page draws 100,000 times (3.4 MB once inflated)."""
    assert refusal(read_pdf, drawing_bomb_pdf(100_000)).startswith("the PDF is too big to read")


@pytest.mark.parametrize(
    ("text", "undecodable"),
    [
        ("An ordinary sentence with one \ufffd in it.", False),
        ("\ue000\ue001\ue002 \ue003\ue004 glyphs", True),  # private use: no character map
        ("\ufffd\ufffd\ufffd\ufffd words", True),
        ("", False),
    ],
)
def test_text_from_fonts_without_a_character_map_is_not_kept(text: str, undecodable: bool) -> None:
    assert pdf._undecodable(text) is undecodable
