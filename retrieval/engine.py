"""The search engine: corpus → chunks → analyzer → BM25 → deduplicated, cited excerpts."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from retrieval.analysis import Analyzer
from retrieval.chunking import chunk_document
from retrieval.corpus import load_corpus
from retrieval.errors import MAX_QUESTION_CHARS, QueryError
from retrieval.excerpts import ScoredExcerpt, best_excerpt
from retrieval.index import BM25Index
from retrieval.types import Chunk, Citation, Document, EngineOptions, Hit, SearchResult, Span

__all__ = ["MAX_K", "SearchEngine", "validate_question"]

log = logging.getLogger(__name__)

MAX_K = 50
_CANDIDATES = 40


def validate_question(question: str) -> str:
    """The question stripped of surrounding whitespace, or a :class:`QueryError`."""
    text = question.strip()
    if not text:
        raise QueryError("the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise QueryError(
            f"the question is {len(text)} characters long; the limit is {MAX_QUESTION_CHARS}"
        )
    return text


class SearchEngine:
    """An immutable, thread-safe search index over one corpus."""

    def __init__(
        self, documents: Sequence[Document], chunks: Sequence[Chunk], options: EngineOptions
    ) -> None:
        self.options = options
        self.documents = tuple(documents)
        self.chunks = tuple(chunks)
        self.analyzer = Analyzer(stem=options.stem, stopwords=options.stopwords)
        self._by_id = {d.doc_id: d for d in self.documents}
        self.index = BM25Index([self.analyzer.terms(c.text) for c in self.chunks], options)

    @classmethod
    def build(cls, documents: Iterable[Document], options: EngineOptions | None = None) -> SearchEngine:
        options = options or EngineOptions()
        docs = tuple(documents)
        chunks: list[Chunk] = []
        for doc in docs:
            chunks += chunk_document(doc, options.chunk_tokens, options.overlap_tokens, len(chunks))
        return cls(docs, chunks, options)

    @classmethod
    def from_directory(cls, directory: Path | str, options: EngineOptions | None = None) -> SearchEngine:
        return cls.build(load_corpus(directory), options)

    def document(self, doc_id: str) -> Document:
        return self._by_id[doc_id]

    def chunk_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self._by_id, 0)
        for chunk in self.chunks:
            counts[chunk.doc_id] += 1
        return counts

    def search(self, question: str, k: int = 5) -> SearchResult:
        """Up to ``k`` (clamped to 1..MAX_K) distinct passages answering ``question``."""
        text = validate_question(question)
        k = min(max(k, 1), MAX_K)
        terms = self.analyzer.terms(text)
        weights = {t: w for t in terms if (w := self.index.idf(t)) is not None}
        candidates = self.index.top(terms, max(_CANDIDATES, 3 * k)) if weights else []
        hits = self._distinct_hits(candidates, weights, k)
        confidence = self._confidence(terms, hits)
        answered = bool(hits) and confidence >= self.options.min_confidence
        return SearchResult(text, tuple(hits), answered, confidence, tuple(dict.fromkeys(terms)))

    def _excerpt(self, chunk: Chunk, weights: dict[str, float]) -> ScoredExcerpt:
        doc = self._by_id[chunk.doc_id]
        span = Span(chunk.start, chunk.end)
        return best_excerpt(doc.text, span, weights, self.analyzer, self.options.excerpt_chars)

    def _distinct_hits(
        self, candidates: list[tuple[int, float]], weights: dict[str, float], k: int
    ) -> list[Hit]:
        hits: list[Hit] = []
        for position, score in candidates:
            chunk = self.chunks[position]
            excerpt = self._excerpt(chunk, weights).excerpt
            shown = Span(excerpt.start, excerpt.end)
            if any(
                h.chunk.doc_id == chunk.doc_id
                and shown.overlap(Span(h.excerpt.start, h.excerpt.end)) > 0
                for h in hits
            ):
                continue
            hits.append(Hit(len(hits) + 1, score, chunk, excerpt, self._cite(chunk, shown)))
            if len(hits) == k:
                break
        return hits

    def _cite(self, chunk: Chunk, span: Span) -> Citation:
        doc = self._by_id[chunk.doc_id]
        return Citation(
            doc.doc_id, doc.title, doc.paragraph_of(span.start), span.start, span.end,
            doc.source, doc.date,
        )

    def _confidence(self, terms: list[str], hits: list[Hit]) -> float:
        """Share of the query's weight that the top excerpt matches (unknown terms weigh most)."""
        if not hits or not terms:
            return 0.0
        unique = set(terms)
        weights = {t: self.index.idf(t) or self.index.max_idf for t in unique}
        matched = {t for t in unique if t in set(self.analyzer.terms(hits[0].excerpt.text))}
        return sum(weights[t] for t in matched) / sum(weights.values())
