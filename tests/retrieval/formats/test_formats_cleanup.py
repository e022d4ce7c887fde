"""Text hygiene: compatibility characters fold where that keeps the meaning."""

from __future__ import annotations

import pytest

from retrieval.documents.formats.cleanup import clean_text, one_line


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\ufb01eld of\ufb02ow", "field offlow"),  # ligatures
        ("ｆｕｌｌ ｗｉｄｔｈ", "full width"),
        ("no\u00a0break", "no break"),
        ("m² and H₂O and ½", "m² and H₂O and ½"),  # meaning-bearing forms stay
        ("cafe\u0301", "café"),  # NFC
        ("soft\u00adhyphen", "softhyphen"),
        ("bell\x07 and \x00nul", "bell and nul"),
        ("a\r\nb\rc\fd", "a\nb\nc\nd"),
        ("trailing   \n\n\n\n\nnext", "trailing\n\nnext"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_one_line_titles() -> None:
    assert one_line("  # Week 3:\n mobile\tphones ") == "Week 3: mobile phones"
    assert one_line(" \n ") is None
    assert one_line(None) is None
    assert one_line("x" * 500) == "x" * 200
