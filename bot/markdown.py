"""Discord Markdown for document text: everything literal except the marks the engine returns.

The engine returns spans (an excerpt and the question's words in it); this module is where they
become Markdown. Mentions are neutralised with discord.py's ``escape_mentions``. Markdown is
escaped by :func:`escape_markdown` rather than discord.py's ``escape_markdown``, which escapes a
masked link's first ``[`` only, with everything up to the text's last ``)`` inside its match, so
``[a](x) **b** [c](https://evil)`` kept the bold and a live link. Web addresses are left exactly as
written and never bolded: Discord keeps a backslash inside a link, which breaks it.
"""

from __future__ import annotations

import re

from retrieval import Excerpt, url_spans

__all__ = ["escape_markdown", "excerpt_markdown", "literal"]

_MARKDOWN = re.compile(r"([\\*_~`|\[\]])|^([>#-])", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Backslash-escape the Markdown Discord would interpret, so text renders literally."""
    return _MARKDOWN.sub(lambda m: "\\" + (m.group(1) or m.group(2)), text)


def literal(text: str) -> str:
    """``text`` rendered literally, its web addresses intact (and so clickable)."""
    out: list[str] = []
    pos = 0
    for url in url_spans(text, 0, len(text)):
        out.append(escape_markdown(text[pos : url.start]))
        out.append(text[url.start : url.end])
        pos = url.end
    out.append(escape_markdown(text[pos:]))
    return "".join(out)


def excerpt_markdown(excerpt: Excerpt) -> str:
    """The excerpt with its marks in bold, a table row's header row above it."""
    base = excerpt.start
    out: list[str] = [literal(excerpt.header_text) + "\n"] if excerpt.header_text else []
    pos = 0
    for mark in excerpt.marks:
        a, b = mark.start - base, mark.end - base
        out.append(literal(excerpt.text[pos:a]))
        out.append(f"**{escape_markdown(excerpt.text[a:b])}**")
        pos = b
    out.append(literal(excerpt.text[pos:]))
    return "".join(out)
