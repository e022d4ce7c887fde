"""DOCX reader: Markdown structure, titles, and zip bombs refused before python-docx parses."""

from __future__ import annotations

import io
import zipfile

import pytest
from format_samples import docx_bomb, lecture_docx, lying_docx_bomb, refusal

from retrieval.documents.formats import READERS, ExtractionError, docx

read_docx = READERS[".docx"]


def test_headings_lists_and_tables_come_out_as_markdown() -> None:
    extracted = read_docx(lecture_docx())
    assert extracted.markup == "markdown"
    assert "# Tides and the Moon\n\nThe Bay of Fundy has the highest tidal range" in extracted.text
    assert "## Kinds of tide" in extracted.text
    assert "- Spring tides follow new and full moons.\n- Neap tides" in extracted.text
    assert "| Tide | Range |\n| --- | --- |\n| Spring | Large |" in extracted.text


def test_page_footers_are_left_out() -> None:
    assert "confidential draft" not in read_docx(lecture_docx()).text


def test_the_title_is_the_core_title_or_else_the_first_heading_1() -> None:
    assert read_docx(lecture_docx()).title == "Tides and the Moon"
    assert read_docx(lecture_docx(core_title="Week 4: tides")).title == "Week 4: tides"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (docx_bomb(), "the DOCX unpacks to 60.8 MB; the limit is 50.0 MB"),
        (lying_docx_bomb(), "the DOCX is damaged or not a DOCX (Bad CRC-32"),
        (b"PK\x03\x04 not really a zip", "the DOCX is damaged or not a DOCX"),
        (lecture_docx()[:2000], "the DOCX is damaged or not a DOCX"),
    ],
    ids=["bomb", "lying sizes", "not a zip", "truncated"],
)
def test_a_bad_docx_is_refused_in_one_line(data: bytes, reason: str) -> None:
    assert refusal(read_docx, data).startswith(reason)


def test_the_bound_counts_all_parts_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(docx, "MAX_UNPACKED", 1_000_000)
    with pytest.raises(ExtractionError, match=r"unpacks to 2\.8 MB; the limit is 1\.0 MB"):
        read_docx(docx_bomb(2_000_000))


def test_a_zip_without_a_document_is_damaged() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    with pytest.raises(ExtractionError, match="the DOCX is damaged or not a DOCX"):
        read_docx(out.getvalue())


@pytest.mark.parametrize("bound", [3, 8])
def test_paragraphs_and_cells_are_bounded(monkeypatch: pytest.MonkeyPatch, bound: int) -> None:
    """The handout has 6 paragraphs, then a table of 4 cells: both kinds count."""
    monkeypatch.setattr(docx, "MAX_BLOCKS", bound)
    message = refusal(read_docx, lecture_docx())
    assert message == f"the DOCX has more than {bound} paragraphs and table cells"
