"""Each unit's analysed terms with their character offsets, computed once at indexing.

A batch of documents is analysed unit by unit (:func:`analyze_units`, safe in a worker process);
the same tokens give the passages' BM25 terms (:func:`passage_terms`), so nothing is analysed
twice. Each document's name (its title and file name) is analysed with them, for the passages'
context (:mod:`retrieval.search.context`). :class:`UnitTokenBuilder` merges batches and, once
the index's vocabulary is known, maps every term to its index column. A term the index does not
hold (a word cut by a passage boundary) can never match a question: it becomes ``-1``, or ``-2``
when it states a number, so that ``quantity[id]`` answers for every id (see
:class:`UnitTokenArrays`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.analysis import Analyzer, Token
from retrieval.documents.unitflags import QUANTITY, unit_flags
from retrieval.index.postings import merge_ids
from retrieval.types import Document

__all__ = [
    "UnitTokenArrays",
    "UnitTokenBatch",
    "UnitTokenBuilder",
    "analyze_units",
    "document_name",
    "passage_terms",
]

Ints = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class UnitTokenBatch:
    """Tokens of consecutive units; ``ids`` index ``terms`` (batch-local ids).

    Unit ``u`` holds tokens ``sum(counts[:u])`` up to ``sum(counts[:u + 1])``; ``start`` and
    ``end`` are offsets into its document's text; ``flags`` are :mod:`retrieval.documents.unitflags`
    bits. Document ``d``'s name (:func:`document_name`) has terms ``sum(name_counts[:d])`` up
    to ``sum(name_counts[:d + 1])`` of ``names``.
    """

    terms: tuple[str, ...]
    ids: Ints
    start: Ints
    end: Ints
    counts: Ints
    flags: npt.NDArray[np.int8]
    names: Ints
    name_counts: Ints


@dataclass(frozen=True, slots=True)
class UnitTokenArrays:
    """Every unit's tokens, corpus-wide, with term ids into the index's columns.

    ``quantity`` has one entry per index column plus two, ``[..., True, False]``, so that it
    answers for the ids ``-2`` and ``-1`` too (numpy counts negative indices from the end).
    ``names`` and ``name_counts`` are the documents' name terms, as in :class:`UnitTokenBatch`.
    """

    ids: Ints
    start: Ints
    end: Ints
    counts: Ints
    flags: npt.NDArray[np.int8]
    quantity: npt.NDArray[np.bool_]
    names: Ints
    name_counts: Ints


def document_name(doc: Document) -> str:
    """What names a document: its title and its file name (without folders and suffix)."""
    return f"{doc.title} {PurePosixPath(doc.doc_id).stem}"


def document_tokens(doc: Document, analyzer: Analyzer) -> list[list[Token]]:
    """The analysed tokens of each of ``doc``'s units."""
    text, units = doc.text, doc.units
    return [
        list(analyzer.tokens(text, s, e))
        for s, e in zip(units.start.tolist(), units.end.tolist(), strict=True)
    ]


def passage_terms(
    doc: Document, tokens: Sequence[Sequence[Token]], analyzer: Analyzer, start: int, end: int
) -> list[str]:
    """The BM25 terms of ``doc.text[start:end]``: those of its units (a unit cut by the
    passage's edge is analysed as cut), as ``Analyzer.span_terms`` over ``indexed_spans``."""
    units = doc.units
    terms: list[str] = []
    for i in units.covering(start, end):
        a, b = int(units.start[i]), int(units.end[i])
        if start <= a and b <= end:
            terms += [t.term for t in tokens[i]]
        elif max(start, a) < min(end, b):
            terms += [t.term for t in analyzer.tokens(doc.text, max(start, a), min(end, b))]
    return terms


def analyze_units(
    documents: Sequence[Document], analyzer: Analyzer, tokens: Sequence[list[list[Token]]]
) -> UnitTokenBatch:
    """The batch of ``documents``' units, from their tokens (:func:`document_tokens`)."""
    vocab: dict[str, int] = {}
    ids: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    counts: list[int] = []
    flags = []
    names: list[int] = []
    name_counts: list[int] = []
    for doc, units in zip(documents, tokens, strict=True):
        named = analyzer.terms(document_name(doc))
        names += [vocab.setdefault(term, len(vocab)) for term in named]
        name_counts.append(len(named))
        bits = unit_flags(doc)
        for u, unit in enumerate(units):
            ids += [vocab.setdefault(t.term, len(vocab)) for t in unit]
            starts += [t.start for t in unit]
            ends += [t.end for t in unit]
            counts.append(len(unit))
            if any(analyzer.is_quantity(t.term) for t in unit):
                bits[u] |= QUANTITY
        flags.append(bits)
    return UnitTokenBatch(
        tuple(vocab),
        np.array(ids, dtype=np.int32),
        np.array(starts, dtype=np.int32),
        np.array(ends, dtype=np.int32),
        np.array(counts, dtype=np.int32),
        np.concatenate(flags) if flags else np.zeros(0, np.int8),
        np.array(names, dtype=np.int32),
        np.array(name_counts, dtype=np.int32),
    )


class UnitTokenBuilder:
    """Merges batches in document order; :meth:`finish` maps terms to index columns."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._vocab: dict[str, int] = {}
        self._batches: list[UnitTokenBatch] = []

    def add(self, batch: UnitTokenBatch) -> None:
        both = merge_ids(self._vocab, batch.terms, np.concatenate([batch.ids, batch.names]))
        ids, names = both[: len(batch.ids)], both[len(batch.ids) :]
        self._batches.append(replace(batch, terms=(), ids=ids, names=names))

    def finish(self, index_terms: Sequence[str]) -> UnitTokenArrays:
        """All batches, term ids into ``index_terms``; the builder is emptied."""
        batches, self._batches = self._batches, []
        columns = {t: j for j, t in enumerate(index_terms)}
        quantity = self.analyzer.is_quantity
        lookup = np.fromiter(
            (columns.get(t, -2 if quantity(t) else -1) for t in self._vocab),
            dtype=np.int32,
            count=len(self._vocab),
        )

        def joined(name: str, dtype: type[np.generic]) -> npt.NDArray[Any]:
            return np.concatenate([getattr(b, name) for b in batches] or [np.zeros(0, dtype)])

        ids, names = joined("ids", np.int32), joined("names", np.int32)
        quantities = np.zeros(len(index_terms) + 2, dtype=np.bool_)
        quantities[:-2] = np.fromiter(
            map(quantity, index_terms), dtype=np.bool_, count=len(index_terms)
        )
        quantities[-2] = True
        return UnitTokenArrays(
            lookup[ids] if ids.size else ids,
            joined("start", np.int32),
            joined("end", np.int32),
            joined("counts", np.int32),
            joined("flags", np.int8),
            quantities,
            lookup[names] if names.size else names,
            joined("name_counts", np.int32),
        )
