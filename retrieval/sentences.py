"""Sentence boundaries as character spans (a rule-based splitter tuned for news prose)."""

from __future__ import annotations

import re

from retrieval.types import Span

__all__ = ["sentence_spans"]

_BOUNDARY = re.compile(
    r"""[.!?…]+[)"'”’\]]*(?=\s+[("'“‘\[]?[A-Z0-9])   # terminal punctuation, then a capital
      | (?<=[a-z]{2}[.!?])(?=[A-Z][a-z])              # glued sentences: "site.Because"
      | \n                                           # a line break always ends a sentence
    """,
    re.VERBOSE,
)
_LAST_WORD = re.compile(r"(\w+)\.$")
_ABBREVIATIONS = frozenset(
    {
        *("mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "vs", "etc", "inc", "ltd", "co"),
        *("corp", "jr", "sr", "gen", "gov", "sen", "rep", "fig", "eg", "ie", "al", "approx"),
        *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
    }
)


def _is_abbreviation(text: str, dot: int) -> bool:
    match = _LAST_WORD.search(text, max(0, dot - 12), dot + 1)
    if match is None:
        return False
    word = match.group(1)
    return (len(word) == 1 and word.isupper()) or word.casefold() in _ABBREVIATIONS


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Non-empty, whitespace-trimmed sentence spans of ``text[start:end]``, in order."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    pos = start
    for match in _BOUNDARY.finditer(text, start, end):
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        if (span := _trimmed(text, pos, match.end())) is not None:
            spans.append(span)
        pos = match.end()
    if (span := _trimmed(text, pos, end)) is not None:
        spans.append(span)
    return spans
