"""JSON shapes of search results shared by the CLI and the evaluation tools."""

from __future__ import annotations

from typing import Any

from retrieval.types import Hit, SearchResult

__all__ = ["hit_record", "result_record"]


def hit_record(hit: Hit) -> dict[str, Any]:
    """One hit in the ``search --batch`` format (other tools depend on these field names)."""
    return {
        "rank": hit.rank,
        "doc": hit.chunk.doc_id,
        "title": hit.citation.title,
        "score": round(hit.score, 6),
        "paragraph": hit.citation.paragraph,
        "page": hit.citation.page,
        "chunk_start": hit.chunk.start,
        "chunk_end": hit.chunk.end,
        "excerpt_start": hit.excerpt.start,
        "excerpt_end": hit.excerpt.end,
        "excerpt": hit.excerpt.text,
    }


def result_record(result: SearchResult, qid: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {} if qid is None else {"id": qid}
    record["answered"] = result.answered
    record["hits"] = [hit_record(h) for h in result.hits]
    return record
