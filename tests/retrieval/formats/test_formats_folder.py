"""A folder of good and hostile documents, read through ``READERS`` as the loader reads them:
text for every good file, one line for every bad one, and no file's failure affects another."""

from __future__ import annotations

from pathlib import Path

import format_samples as samples

from retrieval.documents.formats import READERS, ExtractedText, ExtractionError

GOOD = {
    "lecture.pdf": (samples.lecture_pdf, "spectrophotometer"),
    "handout.docx": (samples.lecture_docx, "Bay of Fundy"),
    "tides.html": (samples.article_html, "sixteen metres"),
    "tides-copy.htm": (samples.article_html, "sixteen metres"),
}
BAD = {
    "encrypted.pdf": (samples.encrypted_pdf, "the PDF is encrypted"),
    "corrupt.pdf": (samples.corrupt_pdf, "the PDF is damaged"),
    "scan.pdf": (samples.scanned_pdf, "the PDF has no text layer"),
    "bomb.docx": (samples.docx_bomb, "the DOCX unpacks to"),
    "menu.html": (samples.navigation_only_html, "the page has no main content"),
    "renamed.docx": (samples.lecture_pdf, "the DOCX is damaged or not a DOCX"),
}


def read_folder(folder: Path) -> dict[str, ExtractedText | str]:
    """Each file's extraction, or its refusal's message."""
    results: dict[str, ExtractedText | str] = {}
    for path in sorted(folder.iterdir()):
        try:
            results[path.name] = READERS[path.suffix.lower()](path.read_bytes())
        except ExtractionError as refusal:
            results[path.name] = str(refusal)
    return results


def test_good_files_are_read_and_bad_ones_refused_in_one_line(tmp_path: Path) -> None:
    for name, (build, _) in (GOOD | BAD).items():
        (tmp_path / name).write_bytes(build())
    results = read_folder(tmp_path)
    assert set(results) == set(GOOD) | set(BAD)
    for name, (_, expected) in GOOD.items():
        extracted = results[name]
        assert isinstance(extracted, ExtractedText), f"{name}: {extracted}"
        assert expected in extracted.text
    for name, (_, reason) in BAD.items():
        refusal = results[name]
        assert isinstance(refusal, str), name
        assert refusal.startswith(reason), refusal
        assert "\n" not in refusal
