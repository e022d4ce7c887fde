"""Discord Markdown for document text: everything literal except the marks the engine returns.

The engine returns spans (an excerpt and the question's words in it); this module is where they
become Markdown. Mentions are neutralised with discord.py's ``escape_mentions``. Markdown is
escaped by :func:`escape_markdown` rather than discord.py's ``escape_markdown``, which escapes a
masked link's first ``[`` only, with everything up to the text's last ``)`` inside its match, so
``[a](x) **b** [c](https://evil)`` kept the bold and a live link. What Discord turns into a link
(its own rule: ``http://`` or ``https://`` up to a space or ``<``, less trailing punctuation) is
left exactly as written and never bolded, since Discord keeps a backslash or asterisks inside a
link, which breaks it; no Markdown applies inside a link. A bare ``www.`` address is not a link in
Discord, so its text is escaped like any other.
"""

from __future__ import annotations

import re

from retrieval import Excerpt

__all__ = ["escape_markdown", "excerpt_markdown", "literal"]

_MARKDOWN = re.compile(r"([\\*_~`|\[\]])|^([>#-])", re.MULTILINE)
_LINK = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s]")


def escape_markdown(text: str) -> str:
    """Backslash-escape the Markdown Discord would interpret, so text renders literally."""
    return _MARKDOWN.sub(lambda m: "\\" + (m.group(1) or m.group(2)), text)


def literal(text: str) -> str:
    """``text`` rendered literally, its web addresses intact (and so clickable)."""
    out: list[str] = []
    pos = 0
    for link in _LINK.finditer(text):
        out.append(escape_markdown(text[pos : link.start()]))
        out.append(link.group())
        pos = link.end()
    out.append(escape_markdown(text[pos:]))
    return "".join(out)


def excerpt_markdown(excerpt: Excerpt) -> str:
    """The excerpt with its marks in bold, a table row's header row above it."""
    base = excerpt.start
    out: list[str] = [literal(excerpt.header_text) + "\n"] if excerpt.header_text else []
    links = [m.span() for m in _LINK.finditer(excerpt.text)]
    pos = 0
    for mark in excerpt.marks:
        a, b = mark.start - base, mark.end - base
        if any(a < end and start < b for start, end in links):
            continue  # bold inside a link would show as asterisks and break it
        out.append(literal(excerpt.text[pos:a]))
        out.append(f"**{escape_markdown(excerpt.text[a:b])}**")
        pos = b
    out.append(literal(excerpt.text[pos:]))
    return "".join(out)
