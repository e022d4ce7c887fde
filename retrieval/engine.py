"""The search engine: corpus → chunks → analyzer → BM25 → deduplicated, cited excerpts."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path, PurePosixPath

from retrieval.analysis import Analyzer
from retrieval.chunking import chunk_document, indexed_spans
from retrieval.corpus import CorpusReader
from retrieval.errors import MAX_QUESTION_CHARS, CorpusError, QueryError
from retrieval.excerpts import QueryWeights, ScoredExcerpt, UnitTokens, best_excerpt
from retrieval.index import BM25Index
from retrieval.types import Chunk, Citation, Document, EngineOptions, Hit, SearchResult, Span

__all__ = ["MAX_K", "SearchEngine", "analyzer_for", "question_terms", "validate_question"]

log = logging.getLogger(__name__)

MAX_K = 50
_CANDIDATES = 40


def analyzer_for(options: EngineOptions) -> Analyzer:
    return Analyzer(stem=options.stem, stopwords=options.stopwords)


def question_terms(analyzer: Analyzer, options: EngineOptions, question: str) -> list[str]:
    """The analysed terms searched for ``question`` under ``options``' query rules."""
    return analyzer.query_terms(question, drop_frame=options.drop_frame)


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
        self,
        documents: Sequence[Document],
        chunks: Sequence[Chunk],
        options: EngineOptions,
        index: BM25Index | None = None,
        duplicates: Sequence[tuple[str, str]] = (),
    ) -> None:
        """``index``, when given, was built from ``chunks`` with ``options`` (the index cache
        restores engines so, with a read-only chunk table, without re-analysing anything).
        ``duplicates`` lists the ``(copy, original)`` files not indexed because identical."""
        self.options = options
        self.documents = tuple(documents)
        self.duplicates = tuple(duplicates)
        self.chunks: Sequence[Chunk] = chunks if index is not None else tuple(chunks)
        self.analyzer = analyzer_for(options)
        self._by_id = {d.doc_id: d for d in self.documents}
        self.index = index or BM25Index([self._terms(c) for c in self.chunks], options)
        self._unit_tokens = UnitTokens(self.analyzer, self._by_id)
        self._names = lru_cache(maxsize=4096)(self._name_terms)

    def _terms(self, chunk: Chunk) -> list[str]:
        doc = self._by_id[chunk.doc_id]
        spans = indexed_spans(doc, chunk.start, chunk.end)
        return self.analyzer.span_terms(doc.text, spans)

    @classmethod
    def build(
        cls,
        documents: Iterable[Document],
        options: EngineOptions | None = None,
        duplicates: Sequence[tuple[str, str]] = (),
    ) -> SearchEngine:
        options = options or EngineOptions()
        docs = tuple(documents)
        chunks: list[Chunk] = []
        for doc in docs:
            chunks += chunk_document(doc, options.chunk_tokens, options.overlap_tokens, len(chunks))
        return cls(docs, chunks, options, duplicates=duplicates)

    @classmethod
    def from_directory(
        cls, directory: Path | str, options: EngineOptions | None = None
    ) -> SearchEngine:
        reader = CorpusReader(directory)
        documents = tuple(reader)
        if not documents:
            raise CorpusError(f"corpus directory {str(directory)!r} holds no readable documents")
        return cls.build(documents, options, reader.duplicates)

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
        terms = self._query_terms(text)
        counts = Counter(terms)
        weights = {t: w * n for t, n in counts.items() if (w := self.index.idf(t)) is not None}
        candidates = self.index.top(terms, max(_CANDIDATES, 3 * k)) if weights else []
        hits = self._distinct_hits(candidates, self._weights(text, weights), k)
        confidence = self._confidence(terms, hits)
        answered = bool(hits) and confidence >= self.options.min_confidence
        return SearchResult(text, tuple(hits), answered, confidence, tuple(dict.fromkeys(terms)))

    def rank_documents(self, question: str, n: int) -> list[tuple[str, float]]:
        """Up to ``n`` (doc_id, score) pairs, best first, each document scored by its best
        passage's BM25 score; for document-level evaluation, with no excerpt stage."""
        terms = self._query_terms(validate_question(question))
        best: dict[str, float] = {}
        for position, score in self.index.top(terms, len(self.chunks)):
            best.setdefault(self.chunks[position].doc_id, score)
            if len(best) == n:
                break
        return list(best.items())

    def _name_terms(self, doc_id: str) -> frozenset[str]:
        """Terms of a document's title and file name (without folders and suffix)."""
        stem = PurePosixPath(doc_id).stem
        return frozenset(self.analyzer.terms(f"{self._by_id[doc_id].title} {stem}"))

    def _query_terms(self, question: str) -> list[str]:
        return question_terms(self.analyzer, self.options, question)

    def _excerpt(self, chunk: Chunk, weights: QueryWeights, tokens: UnitTokens) -> ScoredExcerpt:
        doc = self._by_id[chunk.doc_id]
        span = Span(chunk.start, chunk.end)
        return best_excerpt(doc, span, weights, tokens, self.options.excerpt_chars)

    def _weights(self, question: str, idf: dict[str, float]) -> QueryWeights:
        o = self.options
        if not (idf and o.quantity_bonus and self.analyzer.expects_quantity(question)):
            return QueryWeights(idf, o.excerpt_k1)
        bonus = o.quantity_bonus * sum(idf.values()) / len(idf)
        return QueryWeights(idf, o.excerpt_k1, bonus, self.analyzer.is_quantity)

    def _rerank(
        self, candidates: list[tuple[int, float]], weights: QueryWeights
    ) -> list[tuple[float, Chunk, ScoredExcerpt]]:
        """Order passages by their best window of units, with the passage's BM25 score and the
        question's words that name its document (title or file name) but are not in the window
        as context: a passage of the document named after what is asked is about it."""
        o = self.options
        scored = []
        tokens = self._unit_tokens
        for position, score in candidates:
            chunk = self.chunks[position]
            best = self._excerpt(chunk, weights, tokens)
            named = self._names(chunk.doc_id) - best.matched
            about = o.title_weight * sum(w for t, w in weights.idf.items() if t in named)
            scored.append((best.score + o.context_weight * score + about, chunk, best))
        scored.sort(key=lambda item: (-item[0], item[1].chunk_id))
        return scored

    def _distinct_hits(
        self, candidates: list[tuple[int, float]], weights: QueryWeights, k: int
    ) -> list[Hit]:
        hits: list[Hit] = []
        for score, chunk, best in self._rerank(candidates, weights):
            excerpt = best.excerpt
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
            doc.doc_id,
            doc.title,
            doc.paragraph_of(span.start),
            span.start,
            span.end,
            doc.source,
            doc.date,
            doc.page_of(span.start),
        )

    def _confidence(self, terms: list[str], hits: list[Hit]) -> float:
        """How well the top excerpt answers: the share of the question's weight it matches
        (unknown terms weigh as much as the rarest known one), damped when what it matches
        weighs less than one rare term, as when only a single common word is shared."""
        if not hits or not terms:
            return 0.0
        rarest = self.index.max_idf
        weights = {t: (self.index.idf(t) or rarest) * n for t, n in Counter(terms).items()}
        top = hits[0].excerpt
        shown = set(
            self.analyzer.terms(self._by_id[hits[0].chunk.doc_id].text[top.start : top.end])
        )
        matched = sum(w for t, w in weights.items() if t in shown)
        return matched / sum(weights.values()) * min(1.0, matched / rarest)
