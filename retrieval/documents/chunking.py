"""Passages packed from whole units (sentences, items, code blocks, rows) up to a token budget.

tiktoken counts the tokens; a unit longer than the budget is cut into plain token windows. A
passage never crosses boilerplate, and its BM25 terms come from its units' text only (markup
between units, such as list markers or a skipped HTML block, is not indexed).
"""

from __future__ import annotations

from collections.abc import Iterator

from retrieval.tokenizer import encoding
from retrieval.types import Chunk, Document, Span

__all__ = ["chunk_document", "indexable_spans", "indexed_spans"]


def indexable_spans(document: Document) -> list[Span]:
    """The parts of a document outside its boilerplate spans."""
    spans: list[Span] = []
    pos = 0
    for bp in document.boilerplate:
        if bp.start > pos:
            spans.append(Span(pos, bp.start))
        pos = max(pos, bp.end)
    if pos < len(document.text):
        spans.append(Span(pos, len(document.text)))
    return spans


def _count(text: str) -> int:
    return len(encoding().encode_ordinary(text))


def _hard_windows(text: str, span: Span, size: int, overlap: int) -> Iterator[Span]:
    """Plain token windows over one over-long sentence; offsets snap outward to whole chars."""
    piece = text[span.start : span.end]
    tokens = encoding().encode_ordinary(piece)
    _, starts = encoding().decode_with_offsets(tokens)
    i = 0
    while i < len(tokens):
        j = min(i + size, len(tokens))
        while True:
            end = starts[j] if j < len(tokens) else len(piece)
            # Re-encoding a cut can merge differently at its edges; shrink until it fits.
            if j - i <= 1 or _count(piece[starts[i] : end]) <= size:
                break
            j -= 1
        if end > starts[i]:
            yield Span(span.start + starts[i], span.start + end)
        if j >= len(tokens):
            return
        i = max(i + 1, j - overlap)


def _pack(text: str, sentences: list[Span], size: int, overlap: int) -> Iterator[Span]:
    counts = [_count(text[s.start : s.end]) for s in sentences]
    i = 0
    while i < len(sentences):
        j, used = i, 0
        while j < len(sentences) and used + counts[j] <= size:
            used += counts[j]
            j += 1
        while j - i > 1 and _count(text[sentences[i].start : sentences[j - 1].end]) > size:
            j -= 1
        if j == i or _count(text[sentences[i].start : sentences[j - 1].end]) > size:
            yield from _hard_windows(text, sentences[i], size, overlap)
            i += 1
            continue
        yield Span(sentences[i].start, sentences[j - 1].end)
        if j >= len(sentences):
            return
        k, shared = j, 0
        while k - 1 > i and shared + counts[k - 1] <= overlap:
            shared += counts[k - 1]
            k -= 1
        i = k


def _unit_spans(document: Document, region: Span) -> list[Span]:
    units = document.units
    found = units.covering(region.start, region.end)
    return [Span(int(units.start[i]), int(units.end[i])) for i in found]


def chunk_spans(document: Document, size: int, overlap: int) -> Iterator[Span]:
    for region in indexable_spans(document):
        yield from _pack(document.text, _unit_spans(document, region), size, overlap)


def indexed_spans(document: Document, start: int, end: int) -> list[Span]:
    """The parts of ``[start, end)`` that are inside units: what BM25 indexes of a passage."""
    units = document.units
    spans = []
    for i in units.covering(start, end):
        a, b = max(start, int(units.start[i])), min(end, int(units.end[i]))
        if a < b:
            spans.append(Span(a, b))
    return spans


def chunk_document(
    document: Document, size: int = 128, overlap: int = 32, first_id: int = 0
) -> list[Chunk]:
    """Chunks of the non-boilerplate text of ``document``, numbered from ``first_id``."""
    text = document.text
    chunks = []
    for n, span in enumerate(chunk_spans(document, size, overlap)):
        piece = text[span.start : span.end]
        chunks.append(
            Chunk(first_id + n, document.doc_id, span.start, span.end, _count(piece), piece)
        )
    return chunks
