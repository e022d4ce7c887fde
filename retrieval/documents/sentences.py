"""Sentence boundaries as character spans, from syntok's segmenter.

syntok was chosen by measurement. Against pysbd, on the four question sets: excerpt hit@1 / hit@3
readmes_b 0.625 / 0.800 against 0.575 / 0.775, SQuAD 1k 0.742 / 0.872 against 0.739 / 0.869,
readmes_a equal, the seed set 0.739 / 0.913 against 0.783 / 0.870; and it segments about eight
times as fast. blingfire splits "Dr. Smith" and fails on an empty string. A single line break
inside a paragraph is read as a space, so hard-wrapped text is not cut at every line; offsets
index the original.
"""

from __future__ import annotations

import re
from itertools import pairwise

from syntok import segmenter

from retrieval.documents.markup.blocks import trimmed
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
