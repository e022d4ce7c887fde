"""Rebuild a logged answer's hits from their stored spans, e.g. for a button after a restart."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from bot.storage.records import HitRow
from retrieval import Chunk, Citation, Excerpt, Hit, SearchEngine, SearchResult

__all__ = ["rebuild_hits"]

log = logging.getLogger(__name__)

SpanKey = tuple[str, int, int]


def rebuild_hits(
    engine: SearchEngine, rows: Iterable[HitRow], live: SearchResult | None
) -> tuple[Hit, ...]:
    """The stored hits, highlighted as ``live`` (the same search, rerun) shows them.

    A hit the rerun no longer returns (the index changed) is rebuilt from its document
    without highlighting; one whose document is gone is left out.
    """
    by_span: dict[SpanKey, Hit] = {_key(hit): hit for hit in (live.hits if live else ())}
    rebuilt = []
    for row in rows:
        same = by_span.get((row.doc, row.excerpt_start, row.excerpt_end))
        hit = replace(same, rank=row.rank, score=row.score) if same else _from_text(engine, row)
        if hit is not None:
            rebuilt.append(hit)
    return tuple(rebuilt)


def _key(hit: Hit) -> SpanKey:
    return (hit.chunk.doc_id, hit.excerpt.start, hit.excerpt.end)


def _from_text(engine: SearchEngine, row: HitRow) -> Hit | None:
    try:
        doc = engine.document(row.doc)
    except KeyError:
        log.info("Logged hit %s no longer in the index", row.doc)
        return None
    if max(row.chunk_end, row.excerpt_end) > len(doc.text):
        return None
    text = doc.text[row.excerpt_start : row.excerpt_end]
    chunk_text = doc.text[row.chunk_start : row.chunk_end]
    # -1 and 0: the chunk's id and token count are not logged, and nothing shown needs them.
    chunk = Chunk(-1, doc.doc_id, row.chunk_start, row.chunk_end, 0, chunk_text)
    excerpt = Excerpt(row.excerpt_start, row.excerpt_end, text)
    citation = Citation(
        doc.doc_id, doc.title, doc.paragraph_of(row.excerpt_start),
        row.excerpt_start, row.excerpt_end, doc.source, doc.date, doc.page_of(row.excerpt_start),
    )  # fmt: skip
    return Hit(row.rank, row.score, chunk, excerpt, citation)
