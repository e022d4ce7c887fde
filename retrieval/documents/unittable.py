"""Every unit of a corpus and its analysed tokens as flat arrays, as the excerpt stage reads them.

Units of document ``d`` are ``doc_first[d]`` up to ``doc_first[d + 1]`` (see
:mod:`retrieval.documents.units` for the columns; ``section`` and ``header`` stay numbers local to
the document).
Unit ``u`` holds tokens ``ptr[u]`` up to ``ptr[u + 1]`` of ``ids``/``start``/``end`` (see
:mod:`retrieval.documents.unittokens`). ``key_start`` and ``key_end`` are ``d << 40 | offset``:
sorted corpus-wide, so one ``searchsorted`` finds the units of many passages of many documents.
Document ``d``'s name (its title and file name) has the terms ``name_ptr[d]`` up to
``name_ptr[d + 1]`` of ``name_ids``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.analysis import Analyzer, Token
from retrieval.documents.units import UNIT_FIELDS
from retrieval.documents.unittokens import UnitTokenArrays, UnitTokenBuilder, analyze_units
from retrieval.types import Document

__all__ = ["UnitTable", "unit_columns"]

Int64s = npt.NDArray[np.int64]
_DOC_SHIFT = 40


def unit_columns(
    documents: Sequence[Document],
) -> tuple[dict[str, npt.NDArray[np.generic]], Int64s]:
    """The documents' unit columns back to back, and each document's unit count."""
    columns = {
        name: np.concatenate([getattr(d.units, name) for d in documents] or [np.zeros(0, np.int64)])
        for name in UNIT_FIELDS
    }
    return columns, np.array([len(d.units) for d in documents], dtype=np.int64)


@dataclass(frozen=True, slots=True, eq=False)
class UnitTable:
    """See the module docstring; ``quantity[id]`` says whether a term states a number;
    ``vectors``, when the semantic stage is on, holds each unit's sentence embedding, shape
    (units, dim), float16 (:mod:`retrieval.semantic.unitvectors`)."""

    doc_first: Int64s
    key_start: Int64s
    key_end: Int64s
    start: Int64s
    end: Int64s
    kind: npt.NDArray[np.int8]
    section: npt.NDArray[np.int32]
    header: npt.NDArray[np.int32]
    flags: npt.NDArray[np.int8]
    ptr: Int64s
    ids: npt.NDArray[np.int32]
    token_start: npt.NDArray[np.int32]
    token_end: npt.NDArray[np.int32]
    quantity: npt.NDArray[np.bool_]
    name_ptr: Int64s
    name_ids: npt.NDArray[np.int32]
    vectors: npt.NDArray[np.float16] | None = None

    @classmethod
    def from_arrays(
        cls,
        columns: Mapping[str, npt.NDArray[np.generic]],
        counts: Int64s,
        tokens: UnitTokenArrays,
    ) -> UnitTable:
        """The table over unit ``columns`` (``counts[d]`` units of document ``d``, in order)."""
        doc_first = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=doc_first[1:])
        doc = np.repeat(np.arange(len(counts), dtype=np.int64), counts) << _DOC_SHIFT
        start = columns["start"].astype(np.int64, copy=False)
        end = columns["end"].astype(np.int64, copy=False)
        ptr = np.zeros(len(tokens.counts) + 1, dtype=np.int64)
        np.cumsum(tokens.counts, out=ptr[1:])
        name_ptr = np.zeros(len(tokens.name_counts) + 1, dtype=np.int64)
        np.cumsum(tokens.name_counts, out=name_ptr[1:])
        if (
            len(ptr) != len(start) + 1
            or ptr[-1] != len(tokens.ids)
            or len(tokens.flags) != len(start)
        ):
            raise ValueError("unit tokens do not fit the units")
        if len(name_ptr) != len(doc_first) or name_ptr[-1] != len(tokens.names):
            raise ValueError("name terms do not fit the documents")
        return cls(
            doc_first,
            doc | start,
            doc | end,
            start,
            end,
            np.asarray(columns["kind"], dtype=np.int8),
            np.asarray(columns["section"], dtype=np.int32),
            np.asarray(columns["header"], dtype=np.int32),
            tokens.flags,
            ptr,
            tokens.ids,
            tokens.start,
            tokens.end,
            tokens.quantity,
            name_ptr,
            tokens.names,
        )

    @classmethod
    def from_documents(
        cls,
        documents: Sequence[Document],
        analyzer: Analyzer,
        tokens: Sequence[list[list[Token]]],
        index_terms: Sequence[str],
    ) -> UnitTable:
        """The table of documents indexed in memory, from their units' ``tokens``
        (:func:`retrieval.documents.unittokens.document_tokens`)."""
        builder = UnitTokenBuilder(analyzer)
        builder.add(analyze_units(documents, analyzer, tokens))
        columns, counts = unit_columns(documents)
        return cls.from_arrays(columns, counts, builder.finish(index_terms))

    def locate(
        self, docs: npt.NDArray[np.integer[Any]], starts: Int64s, ends: Int64s
    ) -> tuple[Int64s, Int64s]:
        """For passages ``[starts, ends)`` of documents ``docs``: the first unit overlapping
        each, and one past the last (equal when none does), as ``Units.covering``."""
        base = docs.astype(np.int64) << _DOC_SHIFT
        first = np.searchsorted(self.key_end, base | starts, side="right")
        last = np.searchsorted(self.key_start, base | ends, side="left")
        return first, np.maximum(first, last)
