"""Sentence boundaries as character spans, from syntok's segmenter.

syntok was chosen by measurement against pysbd (same excerpt hit rates on the question sets, about
eight times faster) and blingfire (it splits "Dr. Smith"). A single line break inside a paragraph
is read as a space, so hard-wrapped text is not cut at every line; offsets index the original.
"""

from __future__ import annotations

import re
from itertools import pairwise

from syntok import segmenter

from retrieval.markup.blocks import trimmed
from retrieval.types import Span

__all__ = ["sentence_spans"]

_LINE_BREAK = re.compile(r"[\r\n]")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Non-empty, whitespace-trimmed sentence spans of ``text[start:end]``, in order.

    Each sentence runs from its first token to the next sentence's first token (syntok may
    rewrite a token's value, never its offset).
    """
    end = len(text) if end is None else end
    piece = _LINE_BREAK.sub(" ", text[start:end])  # same length: offsets still hold
    cuts = [start + s[0].offset for p in segmenter.analyze(piece) for s in p if s]
    bounds = [start, *cuts[1:], end]
    spans = [trimmed(text, a, b) for a, b in pairwise(bounds)]
    return [s for s in spans if s is not None]
