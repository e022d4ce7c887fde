"""The best window of units for many candidate passages at once, with array operations.

A window is up to three consecutive units starting inside the passage BM25 found (headings only
when the passage holds nothing else); it may run past the passage's end while each next unit
may join (:data:`retrieval.documents.unitflags.CONT`) and the window fits the excerpt limit. Its
score is the query weight it holds, BM25 saturation without length normalisation::

    score = sum over question terms q of  idf[q] * c[q] * (k1 + 1) / (c[q] + k1)

(``c[q]``: occurrences of q in the window), plus the quantity bonus when the question asks for
a number and the window states one, plus, with the semantic stage, ``query.semantic`` times the
highest cosine between the question's vector and a unit's of the window. The best window of a
passage has the highest score, then the shorter span, then the earlier start; its ``score`` in
:class:`~retrieval.search.excerptquery.Windows` is the words' part, its ``cosine`` the semantic
part. The rare window that is then extended, cut or trimmed (:mod:`retrieval.search.excerptfit`) is
finished one by one; everything else is vectorised over all
candidates: units from one ``searchsorted``, token counts from one ``bincount``.

Once an engine over a large corpus has loaded it (:mod:`retrieval.compiled`), one compiled loop
(:func:`retrieval.kernels.best_windows`) computes the same windows, bit for bit, about five
times faster, for questions ranked by words alone: it does not take the semantic term yet.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval import compiled
from retrieval.compiled import kernel_question, kernel_table
from retrieval.documents.unitflags import CONT, JOINS, LEADS, QUANTITY
from retrieval.documents.units import KINDS
from retrieval.documents.unittable import UnitTable
from retrieval.search.excerptfit import finish_window
from retrieval.search.excerptquery import ExcerptQuery, Windows, weigh
from retrieval.types import Document

__all__ = ["choose_windows", "flat_ranges", "heading_terms", "prepare", "term_counts"]

log = logging.getLogger(__name__)

Int64s = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
_HEADING, _ITEM = KINDS.index("heading"), KINDS.index("item")
_MAX_UNITS = 3
_ABSENT = np.iinfo(np.int64).max


def flat_ranges(first: Int64s, counts: Int64s) -> tuple[Int64s, Int64s]:
    """The ranges ``first[i]`` up to ``first[i] + counts[i]``, back to back, and for each value
    the ``i`` it comes from: (owners, values), each of length ``counts.sum()``."""
    owner = np.repeat(np.arange(len(counts)), counts)
    return owner, first[owner] + np.arange(len(owner)) - (np.cumsum(counts) - counts)[owner]


def term_counts(
    table: UnitTable, units: Int64s, query: ExcerptQuery
) -> tuple[npt.NDArray[np.int64], Int64s]:
    """Occurrences of each question term in each of ``units``, shape (units, terms), and the
    corpus-wide number of the token where each first occurs (``_ABSENT`` where it does not)."""
    rows, tokens = flat_ranges(table.ptr[units], table.ptr[units + 1] - table.ptr[units])
    q, hit = query.positions(table.ids[tokens])
    size = len(query.ids)
    keys = rows[hit] * size + q[hit]
    flat = np.bincount(keys, minlength=len(units) * size)
    first = np.full(len(units) * size, _ABSENT, dtype=np.int64)
    found, at = np.unique(keys, return_index=True)
    first[found] = tokens[hit][at]
    return flat.reshape(len(units), size), first.reshape(len(units), size)


def _starts(table: UnitTable, first: Int64s, last: Int64s) -> tuple[Int64s, Int64s]:
    """(candidate, unit) of every unit a window may start at."""
    cand, unit = flat_ranges(first, last - first)
    heading = table.kind[unit] == _HEADING
    others = np.bincount(cand, weights=~heading, minlength=len(first))
    keep = ~heading | (others[cand] == 0)
    return cand[keep], unit[keep]


@dataclass(frozen=True, slots=True)
class _Candidates:
    """The windows of every start unit (rows, grouped by candidate) of one, two and three units
    (columns): length in characters, score (``-inf`` where not allowed), the words' share of it
    (``lexical``) and term counts (shape (starts, 3, terms))."""

    length: Int64s
    score: Floats
    lexical: Floats
    counts: npt.NDArray[np.int64]


def _grown(per_unit: npt.NDArray[Any], rows: Int64s, op: np.ufunc) -> npt.NDArray[Any]:
    """``op`` accumulated over each start's one, two and three units, shape (starts, 3, terms)."""
    out = np.empty((rows.shape[0], _MAX_UNITS, per_unit.shape[1]), dtype=per_unit.dtype)
    out[:, 0] = per_unit[rows[:, 0]]
    for w in range(1, _MAX_UNITS):
        op(out[:, w - 1], per_unit[rows[:, w]], out=out[:, w])
    return out


def _all_windows(table: UnitTable, unit: Int64s, query: ExcerptQuery, limit: int) -> _Candidates:
    top = len(table.start) - 1
    following = np.minimum(unit[:, None] + np.arange(_MAX_UNITS), top)
    needed, inverse = np.unique(following, return_inverse=True)
    counts, firsts = term_counts(table, needed, query)
    rows = inverse.reshape(following.shape)
    length = table.end[following] - table.start[unit][:, None]
    cont = (table.flags[following] & CONT) != 0
    allowed = np.ones(following.shape, dtype=np.bool_)
    for w in range(1, _MAX_UNITS):
        allowed[:, w] = allowed[:, w - 1] & cont[:, w - 1] & (unit + w <= top)
        allowed[:, w] &= length[:, w] <= limit
    window, first = _grown(counts, rows, np.add), _grown(firsts, rows, np.minimum)
    number = np.logical_or.accumulate((table.flags[needed] & QUANTITY)[rows] != 0, axis=1)
    size = len(query.ids)
    scores = weigh(window.reshape(-1, size), first.reshape(-1, size), query).reshape(rows.shape)
    scores += np.where(number, query.quantity_bonus, 0.0)
    lexical = scores
    cosine = _cosines(table, needed, query)
    if cosine is not None:
        scores = lexical + query.semantic * np.maximum.accumulate(cosine[rows], axis=1)
    if query.context:
        scores = scores + query.context * _heading_weight(table, unit, window, query)
    scores[~allowed] = -np.inf
    return _Candidates(length, scores, lexical, window)


def heading_terms(table: UnitTable, units: Int64s, query: ExcerptQuery) -> npt.NDArray[np.bool_]:
    """Whether the heading of the section each of ``units`` starts (a heading before it, not
    the unit itself) holds question term ``q``, shape (units, terms); all False under no
    heading."""
    held = np.zeros((len(units), len(query.ids)), dtype=np.bool_)
    local = table.section[units].astype(np.int64)
    if not (local >= 0).any():
        return held
    doc = np.searchsorted(table.doc_first, units, side="right") - 1
    heading = table.doc_first[doc] + local
    below = np.flatnonzero((local >= 0) & (heading < units))
    if len(below):
        headings, which = np.unique(heading[below], return_inverse=True)
        held[below] = term_counts(table, headings, query)[0][which] > 0
    return held


def _heading_weight(
    table: UnitTable, unit: Int64s, window: npt.NDArray[np.int64], query: ExcerptQuery
) -> Floats:
    """Per window (shape (starts, 3)): the weight of the question terms that the heading above
    its start unit holds and it does not, added in question order."""
    out = np.zeros(window.shape[:2])
    held = heading_terms(table, unit, query)
    for q in np.flatnonzero(held.any(axis=0)).tolist():
        out += np.where(held[:, q, None] & (window[:, :, q] == 0), query.idf[q], 0.0)
    return out


def _cosines(table: UnitTable, units: Int64s, query: ExcerptQuery) -> Floats | None:
    """Cosine of each of ``units`` with the question, or None without the semantic stage."""
    if table.vectors is None or query.vector is None:
        return None
    return (table.vectors[units].astype(np.float32) @ query.vector).astype(np.float64)


def _window_cosines(table: UnitTable, first: Int64s, last: Int64s, query: ExcerptQuery) -> Floats:
    """The highest unit cosine of each window ``first[n]..last[n]`` (units, inclusive)."""
    n = last - first + 1
    _, units = flat_ranges(first, n)
    cosine = _cosines(table, units, query)
    assert cosine is not None
    return np.maximum.reduceat(cosine, np.cumsum(n) - n)


def _best(cand: Int64s, w: _Candidates) -> tuple[Int64s, Int64s, Int64s]:
    """Per candidate (in ``cand`` order): the row and column of its best window, and the
    segment starts: the highest score, then the shortest, then the earliest start."""
    seg = np.flatnonzero(np.diff(cand, prepend=-1))
    spans = np.diff(np.append(seg, len(cand)))
    top = np.repeat(np.maximum.reduceat(w.score.max(axis=1), seg), spans)
    at_top = w.score == top[:, None]
    length = np.where(at_top, w.length, np.iinfo(np.int64).max)
    shortest = np.repeat(np.minimum.reduceat(length.min(axis=1), seg), spans)
    final = at_top & (w.length == shortest[:, None])
    rows = np.flatnonzero(final.any(axis=1))
    rows = rows[np.searchsorted(rows, seg)]
    return rows, final[rows].argmax(axis=1), seg


def _numpy_windows(
    table: UnitTable,
    passages: tuple[npt.NDArray[np.int32], Int64s, Int64s],
    query: ExcerptQuery,
    limit: int,
) -> tuple[Windows, npt.NDArray[np.bool_]]:
    """The chosen windows, and whether each must be finished (see :func:`choose_windows`)."""
    _, first, last = passages
    has_units = last > first
    c = len(first)
    out = Windows(
        np.zeros(c, np.int64), np.zeros(c, np.int64), np.zeros(c, np.int64),
        np.zeros(c, np.int64), np.zeros(c), np.zeros((c, len(query.ids)), np.bool_), has_units,
        np.zeros(c),
    )  # fmt: skip
    if not has_units.any():
        return out, np.zeros(c, np.bool_)
    cand, unit = _starts(table, first, last)
    w = _all_windows(table, unit, query, limit)
    rows, cols, seg = _best(cand, w)
    who = cand[seg]
    i = unit[rows]
    j = i + cols
    out.first[who], out.last[who] = i, j
    out.start[who], out.end[who] = table.start[i], table.end[j]
    out.score[who], out.matched[who] = w.lexical[rows, cols], w.counts[rows, cols] > 0
    flags, kind = table.flags, table.kind
    nxt = np.minimum(j + 1, len(kind) - 1)
    leads = (flags[j] & (JOINS | LEADS)) == (JOINS | LEADS)
    items = (kind[j] == _ITEM) & ((flags[j] & JOINS) != 0) & (kind[nxt] == _ITEM)
    items &= (j > i) & ((flags[i] & LEADS) != 0)
    slow = np.zeros(c, np.bool_)
    slow[who] = leads | items | (table.end[j] - table.start[i] > limit)
    return out, slow


def _compiled_windows(
    kernels: ModuleType,
    table: UnitTable,
    passages: tuple[npt.NDArray[np.int32], Int64s, Int64s],
    query: ExcerptQuery,
    limit: int,
) -> tuple[Windows, npt.NDArray[np.bool_]]:
    first, last, start, end, score, matched, has_units, slow = kernels.best_windows(
        kernel_table(table), passages, kernel_question(query), limit
    )
    cosine = np.zeros(len(passages[0]))  # words only: see the module docstring
    return Windows(first, last, start, end, score, matched, has_units, cosine), slow


def choose_windows(
    table: UnitTable,
    documents: Sequence[Document],
    passages: tuple[npt.NDArray[np.int32], Int64s, Int64s],
    query: ExcerptQuery,
    limit: int,
) -> Windows:
    """The best window of each passage (``passages``: document numbers, and the first unit
    overlapping each and one past the last, as :meth:`UnitTable.locate` finds them), with the
    compiled kernel once loaded (:mod:`retrieval.compiled`), else with numpy."""
    # The compiled loop scores words only: a question with the semantic stage takes numpy's.
    kernels = compiled.active() if query.vector is None else None
    if kernels is None:
        out, slow = _numpy_windows(table, passages, query, limit)
    else:
        out, slow = _compiled_windows(kernels, table, passages, query, limit)
    docs = passages[0]
    for n in np.flatnonzero(slow).tolist():
        finish_window(table, documents[int(docs[n])], out, n, query=query, limit=limit)
    if table.vectors is not None and query.vector is not None and out.has_units.any():
        who = np.flatnonzero(out.has_units)
        out.cosine[who] = _window_cosines(table, out.first[who], out.last[who], query)
    return out


def prepare(table: UnitTable, passages: int) -> None:
    """Load the compiled kernel when an engine over ``passages`` passages needs it
    (:mod:`retrieval.compiled`), and compile it for ``table``'s arrays now (a few seconds the
    first time, then about 0.4 s from numba's cache) rather than on the first question."""
    kernels = compiled.enable_for(passages)
    if kernels is not None:
        began = time.perf_counter()
        empty = np.zeros(0, np.int64)
        query = ExcerptQuery((), np.zeros(0, np.int32), np.zeros(0), 1.0)
        _compiled_windows(kernels, table, (np.zeros(0, np.int32), empty, empty), query, 0)
        log.info("compiled excerpt kernel ready in %.2f s", time.perf_counter() - began)
