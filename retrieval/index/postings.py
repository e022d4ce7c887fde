"""Term counts of analyzed passages, gathered batch by batch into BM25 contributions per term.

Batches can be counted in worker processes (``count_terms`` sees only its own passages, with
batch-local term ids); ``PostingsBuilder`` merges them in order into one vocabulary whose order
is the corpus's first-occurrence order, as rank-bm25's, and weighs a term-major (CSC) matrix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from retrieval.index import bm25
from retrieval.types import EngineOptions

__all__ = ["IndexData", "PostingsBatch", "PostingsBuilder", "count_terms", "merge_ids"]

# Contributions are computed this many (passage, term) pairs at a time to bound temporaries.
_BLOCK = 1 << 22


@dataclass(frozen=True, slots=True)
class PostingsBatch:
    """Term counts of consecutive passages; ``ids`` index ``terms`` (batch-local ids)."""

    terms: tuple[str, ...]
    ids: npt.NDArray[np.int32]
    tf: npt.NDArray[np.int32]
    pairs: npt.NDArray[np.int64]
    doc_len: npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class IndexData:
    """The whole index as plain arrays: column ``j`` of the matrix is term ``terms[j]``.

    ``weights[indptr[j]:indptr[j+1]]`` are the contributions of term ``j`` to the passages
    ``rows[indptr[j]:indptr[j+1]]`` (ascending) that contain it; ``idf`` is already guarded.
    ``positive`` says every contribution exceeds the term's tf=0 constant.
    """

    terms: tuple[str, ...]
    idf: npt.NDArray[np.float64]
    indptr: npt.NDArray[np.int64]
    rows: npt.NDArray[np.int32]
    weights: npt.NDArray[np.float64]
    size: int
    positive: bool = True


def count_terms(passages: Iterable[Sequence[str]]) -> PostingsBatch:
    """Count the terms of each passage, ids in first-occurrence order."""
    vocab: dict[str, int] = {}
    ids: list[int] = []
    tf: list[int] = []
    pairs: list[int] = []
    doc_len: list[int] = []
    for terms in passages:
        counts = Counter(terms)
        ids += [vocab.setdefault(t, len(vocab)) for t in counts]
        tf += counts.values()
        pairs.append(len(counts))
        doc_len.append(len(terms))
    return PostingsBatch(
        tuple(vocab),
        np.array(ids, dtype=np.int32),
        np.array(tf, dtype=np.int32),
        np.array(pairs, dtype=np.int64),
        np.array(doc_len, dtype=np.int64),
    )


def merge_ids(
    vocab: dict[str, int], terms: Sequence[str], ids: npt.NDArray[np.int32]
) -> npt.NDArray[np.int32]:
    """``ids`` into batch-local ``terms`` as ids into ``vocab``, which learns new terms."""
    known = np.fromiter(
        (vocab.setdefault(t, len(vocab)) for t in terms), dtype=np.int32, count=len(terms)
    )
    return known[ids] if ids.size else ids


class PostingsBuilder:
    """Merges batches in passage order, then weighs them with rank-bm25's formulas."""

    def __init__(self, options: EngineOptions) -> None:
        self.options = options
        self._vocab: dict[str, int] = {}
        self._batches: list[PostingsBatch] = []
        self.passages = 0

    def add(self, batch: PostingsBatch) -> None:
        ids = merge_ids(self._vocab, batch.terms, batch.ids)
        self._batches.append(PostingsBatch((), ids, batch.tf, batch.pairs, batch.doc_len))
        self.passages += len(batch.pairs)

    def finish(self) -> IndexData:
        """The weighed index; the builder is emptied."""
        batches, self._batches = self._batches, []
        doc_len = np.concatenate([b.doc_len for b in batches] or [np.zeros(0, np.int64)])
        columns = self._to_columns(batches)
        del batches
        size, terms = len(doc_len), tuple(self._vocab)
        if not terms:
            return IndexData((), np.zeros(0), columns.indptr, columns.rows, np.zeros(0), size)
        df = np.diff(columns.indptr)
        idf = bm25.guarded_idf(bm25.idf(df, size, self.options))
        weights = _weigh(columns, doc_len, idf, self.options)
        zero = bm25.tf_zero_constants(idf, self.options)
        positive = bool(np.all(weights > (0 if zero is None else np.repeat(zero, df))))
        return IndexData(terms, idf, columns.indptr, columns.rows, weights, size, positive)

    def _to_columns(self, batches: list[PostingsBatch]) -> _Columns:
        from scipy import sparse  # noqa: PLC0415 (only index builds pay for importing scipy)

        ids = np.concatenate([b.ids for b in batches] or [np.zeros(0, np.int32)])
        tf = np.concatenate([b.tf for b in batches] or [np.zeros(0, np.int32)])
        pairs = np.concatenate([b.pairs for b in batches] or [np.zeros(0, np.int64)])
        indptr = np.zeros(len(pairs) + 1, dtype=np.int64)
        np.cumsum(pairs, out=indptr[1:])
        shape = (len(pairs), len(self._vocab))
        csc = sparse.csr_array((tf, ids, indptr), shape=shape).tocsc()
        return _Columns(csc.indptr.astype(np.int64), csc.indices.astype(np.int32), csc.data)


@dataclass(frozen=True, slots=True)
class _Columns:
    """Term frequencies, term-major: term j occurs in ``rows[indptr[j]:indptr[j+1]]``."""

    indptr: npt.NDArray[np.int64]
    rows: npt.NDArray[np.int32]
    tf: npt.NDArray[np.int32]


def _weigh(
    columns: _Columns,
    doc_len: npt.NDArray[np.int64],
    idf: npt.NDArray[np.float64],
    options: EngineOptions,
) -> npt.NDArray[np.float64]:
    avgdl = int(doc_len.sum()) / len(doc_len)
    rows, tf = columns.rows, columns.tf
    term_of = np.repeat(np.arange(len(idf), dtype=np.int32), np.diff(columns.indptr))
    weights = np.empty(len(rows), dtype=np.float64)
    for start in range(0, len(rows), _BLOCK):
        part = slice(start, start + _BLOCK)
        weights[part] = bm25.contributions(
            tf[part], doc_len[rows[part]], idf[term_of[part]], avgdl, options
        )
    return weights
