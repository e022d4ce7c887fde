"""Text hygiene shared by every reader: compatibility characters, controls, line ends, titles.

Readers build their text and then pass it through :func:`clean_text` once, so character offsets
index the cleaned text (which is what the index cache keeps), never the file's bytes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["MAX_TITLE", "clean_text", "one_line"]

MAX_TITLE = 200
# Superscripts, subscripts and vulgar fractions keep their form: NFKC would turn "m²" into "m2"
# and "½" into "1⁄2", changing what the text says. Every other compatibility form (ligatures
# such as "ﬁ", full-width letters, no-break spaces, Arabic presentation forms) folds.
_KEEP = ("<super>", "<sub>", "<fraction>")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# C0 controls but tab and newline, DEL, C1 controls, and the soft hyphen (invisible by design).
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad]")
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANKS = re.compile(r"\n{3,}")


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    decomposition = unicodedata.decomposition(char)
    if not decomposition.startswith("<") or decomposition.startswith(_KEEP):
        return char
    return unicodedata.normalize("NFKC", char)


def clean_text(text: str) -> str:
    """``text`` with compatibility characters folded (NFKC, but for super/subscripts and
    fractions), then NFC; lone surrogates as U+FFFD; control characters and soft hyphens
    removed; ``\\n`` line ends, no trailing spaces, at most one blank line in a row; stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    text = _SURROGATE.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", _NON_ASCII.sub(lambda m: _fold(m.group()), text))
    text = _TRAILING.sub("", _INVISIBLE.sub("", text))
    return _BLANKS.sub("\n\n", text).strip()


def one_line(title: str | None) -> str | None:
    """A title as one clean line of at most :data:`MAX_TITLE` characters, or ``None`` if blank."""
    line = " ".join(clean_text(title or "").lstrip("#").split())[:MAX_TITLE]
    return line or None
