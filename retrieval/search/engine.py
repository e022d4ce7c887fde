"""The search engine: corpus → chunks → analyzer → BM25 → deduplicated, cited excerpts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from retrieval.analysis import Analyzer, Token
from retrieval.documents.chunktable import ChunkArrays, ChunkTable
from retrieval.documents.unittable import UnitTable
from retrieval.documents.unittokens import document_tokens, passage_terms
from retrieval.errors import MAX_QUESTION_CHARS, CorpusError, QueryError
from retrieval.index.bm25index import BM25Index, Floats, Positions
from retrieval.search.abstention import answers, confidence
from retrieval.search.context import context_terms
from retrieval.search.excerptquery import ExcerptQuery, Windows
from retrieval.search.excerpts import bare_window, excerpt
from retrieval.search.windows import choose_windows, prepare
from retrieval.semantic.shared import corpus_vectors, shared_encoder
from retrieval.types import (
    Chunk,
    Document,
    EngineOptions,
    Excerpt,
    Hit,
    SearchResult,
    Span,
)

if TYPE_CHECKING:
    from retrieval.semantic.encoder import Encoder

__all__ = ["MAX_K", "SearchEngine", "analyzer_for", "question_terms", "validate_question"]

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
        *,
        units: UnitTable | None = None,
        encoder: Encoder | None = None,
    ) -> None:
        """``index`` and ``units``, when given, were built from ``chunks`` and ``documents``
        with ``options`` (the index cache restores engines so, with a read-only chunk table,
        without re-analysing anything), and ``encoder`` made ``units.vectors``. Otherwise the
        engine indexes here, embedding every unit with ``encoder`` (default: the installed
        model) when ``options.semantic``. ``duplicates`` lists the ``(copy, original)`` files
        not indexed because identical."""
        self.options = options
        self.documents = tuple(documents)
        self.duplicates = tuple(duplicates)
        self.chunks: Sequence[Chunk] = chunks if index is not None else tuple(chunks)
        self.analyzer = analyzer_for(options)
        self._by_id = {d.doc_id: d for d in self.documents}
        self._number = {d.doc_id: n for n, d in enumerate(self.documents)}
        self._passages = self._chunk_arrays()
        if index is None or units is None:
            tokens = [document_tokens(d, self.analyzer) for d in self.documents]
            index = index or BM25Index(self._terms(tokens), options)
            units = UnitTable.from_documents(self.documents, self.analyzer, tokens, index.terms)
            encoder = encoder or (shared_encoder() if options.semantic else None)
            if encoder is not None and options.semantic:
                units = replace(units, vectors=corpus_vectors(encoder, self.documents))
        self.index, self.units = index, units
        self.encoder = encoder if units.vectors is not None and options.semantic else None
        p = self._passages
        # Each passage's units, found once: a question's candidates are then two reads each.
        self._units_of = units.locate(p.doc, p.start, p.end)
        prepare(units, len(self.chunks))

    def _terms(self, tokens: list[list[list[Token]]]) -> list[list[str]]:
        found = []
        for chunk in self.chunks:
            n = self._number[chunk.doc_id]
            doc = self.documents[n]
            found.append(passage_terms(doc, tokens[n], self.analyzer, chunk.start, chunk.end))
        return found

    def _chunk_arrays(self) -> ChunkArrays:
        if isinstance(self.chunks, ChunkTable):
            return self.chunks.arrays
        c = self.chunks
        return ChunkArrays(
            np.array([self._number[x.doc_id] for x in c], dtype=np.int32),
            np.array([x.start for x in c], dtype=np.int64),
            np.array([x.end for x in c], dtype=np.int64),
            np.array([x.n_tokens for x in c], dtype=np.int32),
        )

    @classmethod
    def build(
        cls,
        documents: Iterable[Document],
        options: EngineOptions | None = None,
        duplicates: Sequence[tuple[str, str]] = (),
        *,
        encoder: Encoder | None = None,
    ) -> SearchEngine:
        """An engine indexing ``documents`` in memory (``encoder``: see ``__init__``)."""
        from retrieval.documents.chunking import chunk_document  # noqa: PLC0415 (builds only: tiktoken)

        options = options or EngineOptions()
        docs = tuple(documents)
        chunks: list[Chunk] = []
        for doc in docs:
            chunks += chunk_document(doc, options.chunk_tokens, options.overlap_tokens, len(chunks))
        return cls(docs, chunks, options, duplicates=duplicates, encoder=encoder)

    @classmethod
    def from_directory(
        cls, directory: Path | str, options: EngineOptions | None = None
    ) -> SearchEngine:
        from retrieval.documents.corpus import CorpusReader  # noqa: PLC0415 (builds only: the parsers)

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
        depth = max(_CANDIDATES, 3 * k) if weights else 0
        candidates = self.index.top_arrays(terms, depth)
        query = self._excerpt_query(text, weights)
        hits, shown, cosine = self._distinct_hits(candidates, query, k)
        sure = confidence(self.index, terms, shown if hits else None)
        semantic = cosine if query.vector is not None else None
        answered = bool(hits) and answers(self.options, sure, semantic)
        return SearchResult(text, tuple(hits), answered, sure, tuple(dict.fromkeys(terms)))

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

    def _query_terms(self, question: str) -> list[str]:
        return question_terms(self.analyzer, self.options, question)

    def _excerpt_query(self, question: str, idf: dict[str, float]) -> ExcerptQuery:
        o = self.options
        ids = np.array([self.index.column(t) for t in idf], dtype=np.int32)
        weights = np.array(list(idf.values()), dtype=np.float64)
        bonus = 0.0
        if idf and o.quantity_bonus and self.analyzer.expects_quantity(question):
            bonus = o.quantity_bonus * sum(idf.values()) / len(idf)
        words = (tuple(idf), ids, weights, o.excerpt_k1, bonus)
        if self.encoder is None or not idf:
            return ExcerptQuery(*words, context=o.heading_weight)
        vector = self.encoder.encode_question(question)
        semantic = o.semantic_weight * float(weights.sum())
        return ExcerptQuery(*words, vector, semantic, o.heading_weight)

    def _windows(
        self, positions: np.ndarray, query: ExcerptQuery
    ) -> tuple[Windows, dict[int, Excerpt]]:  # type: ignore[type-arg]
        """The chosen window of each candidate, and the excerpts of passages without units."""
        a, o = self._passages, self.options
        passages = self.passage_units(positions)
        windows = choose_windows(self.units, self.documents, passages, query, o.excerpt_chars)
        docs = passages[0]
        bare = {}
        for n in np.flatnonzero(~windows.has_units).tolist():
            doc = self.documents[int(docs[n])]
            passage = Span(int(a.start[positions[n]]), int(a.end[positions[n]]))
            score, matched, shown = bare_window(
                doc,
                passage,
                query,
                analyzer=self.analyzer,
                term_id=self._term_id,
                quantity=self.units.quantity,
                limit=o.excerpt_chars,
            )
            windows.score[n], windows.matched[n] = score, matched
            windows.start[n], windows.end[n] = shown.start, shown.end
            bare[n] = shown
        return windows, bare

    def passage_units(
        self, positions: Positions
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """For passages ``positions``: their document numbers, and the first unit overlapping
        each and one past the last (equal when none does)."""
        first, stop = self._units_of
        return self._passages.doc[positions], first[positions], stop[positions]

    def _term_id(self, term: str) -> int:
        column = self.index.column(term)
        if column is not None:
            return column
        return -2 if self.analyzer.is_quantity(term) else -1

    def _distinct_hits(
        self, candidates: tuple[Positions, Floats], query: ExcerptQuery, k: int
    ) -> tuple[list[Hit], frozenset[str], float]:
        """Passages ordered by their best window of units, with the passage's BM25 score and
        the question's words that name its document or its section but are not in the window
        as context (:mod:`retrieval.search.context`); a passage whose excerpt overlaps one
        already taken is skipped. ``candidates`` are BM25's positions and scores. Also the
        question's terms that the top excerpt holds or has as context, and its window's cosine
        with the question (0 without the semantic stage)."""
        positions, bm25 = candidates
        if not len(positions):
            return [], frozenset(), 0.0
        o = self.options
        windows, bare = self._windows(positions, query)
        numbers = self._passages.doc[positions]
        docs = numbers.tolist()
        chosen = context_terms(self.units, numbers, windows, query=query)
        about = np.zeros(len(docs))
        for q in np.flatnonzero(chosen.any(axis=0)).tolist():  # in question order, as a sum
            about += np.where(chosen[:, q], query.idf[q], 0.0)
        scores = windows.score + o.context_weight * bm25 + o.title_weight * about
        scores += query.semantic * windows.cosine
        hits: list[Hit] = []
        taken: list[tuple[int, int, int]] = []
        order = np.lexsort((positions, -scores)).tolist()
        top = windows.matched[order[0]] | chosen[order[0]]
        top_terms = frozenset(query.terms[q] for q in np.flatnonzero(top))
        for n in order:
            d, start, end = docs[n], int(windows.start[n]), int(windows.end[n])
            if any(d == e and min(end, b) - max(start, a) > 0 for e, a, b in taken):
                continue
            taken.append((d, start, end))
            doc = self.documents[d]
            shown = bare.get(n) or excerpt(self.units, doc, d, windows, n, query=query)
            chunk = self.chunks[int(positions[n])]
            cited = doc.cite(Span(start, end))
            hits.append(Hit(len(hits) + 1, float(scores[n]), chunk, shown, cited))
            if len(hits) == k:
                break
        return hits, top_terms, float(windows.cosine[order[0]])
