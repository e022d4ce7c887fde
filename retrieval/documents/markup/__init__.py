"""Document structure by markup: Markdown (markdown-it-py), reStructuredText (docutils), plain.

``blocks(text, markup)`` returns the document's blocks in text order with exact spans. A ``.txt``
file that is reStructuredText in all but name (PyPI long descriptions often are) is read as such
when it has a section title underlined in RST style or an RST directive.
"""

from __future__ import annotations

import re

from retrieval.documents.markup.blocks import Block, Lines, trimmed
from retrieval.documents.markup.markdown import markdown_blocks
from retrieval.documents.markup.plain import paragraph_spans, plain_blocks
from retrieval.documents.markup.rst import rst_blocks

__all__ = [
    "Block",
    "Lines",
    "blocks",
    "looks_like_rst",
    "markup_of",
    "paragraph_spans",
    "trimmed",
]

_RST_TITLE = re.compile(r"^(\S[^\r\n]*)\r?\n([=\-~^\"'`#*+])\2{2,}[ \t]*$", re.MULTILINE)
_RST_DIRECTIVE = re.compile(r"^\.\. [a-z][\w-]*::", re.MULTILINE)
_SUFFIX_MARKUP = {".md": "markdown", ".markdown": "markdown", ".rst": "rst", ".txt": "plain"}


def looks_like_rst(text: str) -> bool:
    """A section title underlined at least as long as itself, or a directive line."""
    if _RST_DIRECTIVE.search(text):
        return True
    return any(len(m.group(0).splitlines()[1].rstrip()) >= len(m.group(1).rstrip())
               for m in _RST_TITLE.finditer(text))  # fmt: skip


def markup_of(suffix: str, text: str) -> str:
    """The markup a file of this suffix is parsed as ("plain", "markdown" or "rst")."""
    markup = _SUFFIX_MARKUP.get(suffix.lower(), "plain")
    return "rst" if markup == "plain" and looks_like_rst(text) else markup


def blocks(text: str, markup: str) -> list[Block]:
    """The blocks of ``text`` parsed as ``markup``; plain paragraphs when a parser finds none."""
    if markup == "markdown":
        found = markdown_blocks(text)
    elif markup == "rst":
        found = rst_blocks(text)
    else:
        found = []
    return found or plain_blocks(text)
