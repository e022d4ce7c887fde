"""Readers for binary and markup-heavy document formats (PDF, DOCX, HTML).

Each reader turns a file's bytes into :class:`ExtractedText`: the text that character offsets and
citations index, an optional title found in the file, how the text's structure is marked up, and
where each page starts. Plain text, Markdown and reStructuredText are read by the document loader
itself, exactly as decoded, so their offsets index the file.

``READERS`` maps a lower-case file suffix to its reader. A reader raises :class:`ExtractionError`
with a one-line reason (encrypted, damaged, no text layer, unpacks beyond a bound) and never
returns a partial document.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from retrieval.types import page_at

__all__ = ["READERS", "ExtractedText", "ExtractionError", "Markup", "Reader"]

Markup = Literal["plain", "markdown", "rst"]


class ExtractionError(ValueError):
    """A file that cannot be turned into text; the message is one line naming the reason."""


@dataclass(frozen=True, slots=True)
class ExtractedText:
    """A document's text as extracted once, at indexing.

    ``page_starts[i]`` is the offset into ``text`` where page ``i + 1`` begins (so it starts with
    0); it is empty for formats without pages. ``title`` is ``None`` when the file names none.
    """

    text: str
    title: str | None = None
    markup: Markup = "plain"
    page_starts: tuple[int, ...] = ()

    def page_of(self, offset: int) -> int | None:
        """1-based page holding ``offset``, or ``None`` for an unpaged document."""
        return page_at(self.page_starts, offset)


Reader = Callable[[bytes], ExtractedText]


@dataclass(frozen=True, slots=True)
class _Lazy:
    """A reader whose module (and its library: pypdf, python-docx, trafilatura) is imported on
    first use, so importing this package stays cheap for corpora of plain text."""

    module: str
    function: str

    def __call__(self, data: bytes) -> ExtractedText:
        reader: Reader = getattr(importlib.import_module(self.module), self.function)
        return reader(data)


READERS: Mapping[str, Reader] = {
    ".pdf": _Lazy("retrieval.documents.formats.pdf", "read_pdf"),
    ".docx": _Lazy("retrieval.documents.formats.docx", "read_docx"),
    ".html": _Lazy("retrieval.documents.formats.html", "read_html"),
    ".htm": _Lazy("retrieval.documents.formats.html", "read_html"),
}
