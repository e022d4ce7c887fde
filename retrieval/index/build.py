"""Streaming index builds: documents → chunks → analyzer terms → term counts, batch by batch.

Chunking (tiktoken) and analysis are the expensive part and run per batch of documents, in
worker processes when asked; the parent only merges counts, so memory holds the counts and
never every passage's text. Chunks and terms are made exactly as :class:`SearchEngine` makes
them, so a restored engine answers as a freshly built one.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
import numpy.typing as npt

from retrieval.analysis import Analyzer
from retrieval.documents.chunking import chunk_document
from retrieval.documents.chunktable import ChunkArrays
from retrieval.documents.unittokens import (
    UnitTokenArrays,
    UnitTokenBatch,
    UnitTokenBuilder,
    analyze_units,
    document_tokens,
    passage_terms,
)
from retrieval.index.postings import IndexData, PostingsBatch, PostingsBuilder, count_terms
from retrieval.semantic.shared import corpus_vectors, shared_encoder
from retrieval.types import Document, EngineOptions

__all__ = ["AnalyzedBatch", "BuiltIndex", "analyze", "build_index"]

log = logging.getLogger(__name__)

# A batch is cut after this many characters of text: large enough to amortise a round trip to a
# worker, small enough that a few batches in flight stay a few megabytes.
BATCH_CHARS = 1 << 20
LOG_EVERY = 10.0


@dataclass(frozen=True, slots=True)
class AnalyzedBatch:
    """Chunks (document numbers local to the batch), their term counts and unit tokens."""

    chunks: ChunkArrays
    postings: PostingsBatch
    units: UnitTokenBatch


@dataclass(frozen=True, slots=True)
class BuiltIndex:
    """What a build made; ``vectors`` (every unit's, float16) and ``model`` (the encoder's
    fingerprint) are None when the semantic stage is off or its model unavailable."""

    chunks: ChunkArrays
    index: IndexData
    documents: int
    units: UnitTokenArrays
    vectors: npt.NDArray[np.float16] | None = None
    model: str | None = None


@cache
def _analyzer(stem: bool, stopwords: bool) -> Analyzer:
    return Analyzer(stem=stem, stopwords=stopwords)


def analyze(documents: Sequence[Document], options: EngineOptions) -> AnalyzedBatch:
    """Chunk and analyze ``documents`` as the engine does; safe to run in a worker process."""
    analyzer = _analyzer(options.stem, options.stopwords)
    rows: list[tuple[int, int, int, int]] = []
    passages: list[list[str]] = []
    tokens = [document_tokens(doc, analyzer) for doc in documents]
    for number, doc in enumerate(documents):
        for chunk in chunk_document(doc, options.chunk_tokens, options.overlap_tokens):
            rows.append((number, chunk.start, chunk.end, chunk.n_tokens))
            passages.append(passage_terms(doc, tokens[number], analyzer, chunk.start, chunk.end))
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    chunks = ChunkArrays(
        table[:, 0].astype(np.int32), table[:, 1], table[:, 2], table[:, 3].astype(np.int32)
    )
    units = analyze_units(documents, analyzer, tokens)
    return AnalyzedBatch(chunks, count_terms(passages), units)


def _batches(
    documents: Iterable[Document], on_document: Callable[[Document], None] | None
) -> Iterator[list[Document]]:
    batch: list[Document] = []
    size = 0
    for doc in documents:
        if on_document is not None:
            on_document(doc)
        batch.append(doc)
        size += len(doc.text)
        if size >= BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _analyzed(
    batches: Iterable[list[Document]], options: EngineOptions, workers: int
) -> Iterator[tuple[list[Document], AnalyzedBatch]]:
    """Each batch with its analysis, in order; at most ``2 * workers`` batches in flight."""
    if workers <= 1:
        yield from ((batch, analyze(batch, options)) for batch in batches)
        return
    # spawn, not fork: builds may start from a thread of a running bot.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=ignore_interrupts)
    try:
        pending: deque[tuple[list[Document], Future[AnalyzedBatch]]] = deque()
        for batch in batches:
            pending.append((batch, pool.submit(analyze, batch, options)))
            if len(pending) > 2 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:  # on Ctrl-C or an error, batches not started are dropped, not analysed first
        pool.shutdown(cancel_futures=True)


def ignore_interrupts() -> None:
    """A worker's start: Ctrl-C reaches every process of the terminal's group, and only the
    parent should act on it (the workers would each print a traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Embedded:
    """The encoder's progress within one batch, passed on as units embedded since the last
    call, and logged every :data:`LOG_EVERY` seconds; ``clock`` is shared by the batches."""

    def __init__(self, report: Callable[[int], None] | None, clock: list[float]) -> None:
        self.report, self.clock, self.done = report, clock, 0

    def __call__(self, done: int, _total: int) -> None:
        if self.report is not None:
            self.report(done - self.done)
        self.clock[2] += done - self.done
        self.done = done
        now = time.perf_counter()
        if now - self.clock[1] >= LOG_EVERY:
            self.clock[1] = now
            log.info("embedding: %d units in %.0f s", self.clock[2], now - self.clock[0])


def build_index(
    documents: Iterable[Document],
    options: EngineOptions,
    workers: int = 1,
    on_document: Callable[[Document], None] | None = None,
    on_embedded: Callable[[int], None] | None = None,
) -> BuiltIndex:
    """Chunk, analyze, weigh and (semantic stage) embed ``documents``; ``on_document`` sees
    each one once, in order, and ``on_embedded`` each number of units embedded, as they are
    (the embedding is most of a build's time: a progress line every :data:`LOG_EVERY` s)."""
    builder = PostingsBuilder(options)
    unit_tokens = UnitTokenBuilder(_analyzer(options.stem, options.stopwords))
    encoder = shared_encoder() if options.semantic else None
    clock = [time.perf_counter(), time.perf_counter(), 0]  # started, last logged, units
    parts: list[ChunkArrays] = []
    vectors: list[npt.NDArray[np.float16]] = []
    first = 0
    for batch, analyzed in _analyzed(_batches(documents, on_document), options, workers):
        parts.append(replace(analyzed.chunks, doc=analyzed.chunks.doc + np.int32(first)))
        builder.add(analyzed.postings)
        unit_tokens.add(analyzed.units)
        if encoder is not None:  # in this process: the encoder's own threads use every core
            vectors.append(corpus_vectors(encoder, batch, _Embedded(on_embedded, clock)))
        first += len(batch)
    log.info("analyzed %d documents into %d passages", first, builder.passages)
    index = builder.finish()
    units = unit_tokens.finish(index.terms)
    if encoder is None:
        return BuiltIndex(ChunkArrays.concatenate(parts), index, first, units)
    total = sum(len(v) for v in vectors)
    log.info("unit vectors: %d embedded, %d kept from before", clock[2], total - clock[2])
    stacked = np.concatenate(vectors) if vectors else np.zeros((0, encoder.dim), np.float16)
    return BuiltIndex(
        ChunkArrays.concatenate(parts), index, first, units, stacked, encoder.model_fingerprint()
    )
