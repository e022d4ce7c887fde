"""docqa's retrieval engine: pure, synchronous, and free of Discord or storage concerns."""

from __future__ import annotations

from retrieval.cache.persistence import default_cache_dir, load_or_build
from retrieval.documents.corpus import (
    DEFAULT_CORPUS,
    iter_documents,
    load_corpus,
    parse_document,
    parse_extracted,
    read_document,
)
from retrieval.errors import MAX_QUESTION_CHARS, CorpusError, QueryError, RetrievalError
from retrieval.printable import printable
from retrieval.search.engine import MAX_K, SearchEngine, validate_question
from retrieval.search.excerpts import url_spans
from retrieval.types import (
    Chunk,
    Citation,
    Document,
    EngineOptions,
    Excerpt,
    Hit,
    SearchResult,
    Span,
)

__all__ = [
    "DEFAULT_CORPUS",
    "MAX_K",
    "MAX_QUESTION_CHARS",
    "Chunk",
    "Citation",
    "CorpusError",
    "Document",
    "EngineOptions",
    "Excerpt",
    "Hit",
    "QueryError",
    "RetrievalError",
    "SearchEngine",
    "SearchResult",
    "Span",
    "default_cache_dir",
    "iter_documents",
    "load_corpus",
    "load_or_build",
    "parse_document",
    "parse_extracted",
    "printable",
    "read_document",
    "url_spans",
    "validate_question",
]
