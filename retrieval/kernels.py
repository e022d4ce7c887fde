"""The window choice of :mod:`retrieval.search.windows` as one compiled loop over the candidates,
and the context words of :mod:`retrieval.search.context`; BM25's top k comes from
:mod:`retrieval.bm25kernels`.

Imported only through :mod:`retrieval.compiled` (numba's import takes about 0.3 s). It computes
exactly what the numpy version computes, with the same floating-point operations in the same
order (a window's terms are added in the order they first occur in it), so answers are bit for
bit the same; the tests hold it to that.

Arguments are grouped in tuples: ``table`` is the units' (doc_first, start, end, kind, flags,
ptr, ids, section, name_ptr, name_ids) (see :class:`retrieval.documents.unittable.UnitTable`),
``question`` is (lookup, low, idf, k1, bonus, context) where ``lookup[id - low + 1]`` is a term
id's position among the question's terms (-1: none; ids outside the table are none too), ``idf``
the question terms' weights, ``bonus`` the quantity bonus and ``context`` the weight of a term
the window's heading holds (see :class:`retrieval.search.excerptquery.ExcerptQuery`).
"""

from __future__ import annotations

from typing import Any

import numba  # type: ignore[import-untyped]
import numpy as np

from retrieval.bm25kernels import top_k, top_k_float32
from retrieval.documents.unitflags import CONT, JOINS, LEADS, QUANTITY
from retrieval.documents.units import KINDS

__all__ = ["best_windows", "context_terms", "top_k", "top_k_float32"]

_HEADING, _ITEM = KINDS.index("heading"), KINDS.index("item")
_MAX_UNITS = 3
_jit = numba.njit(cache=True, nogil=True)


@_jit  # type: ignore[misc]
def _unit_terms(table: Any, question: Any, first: int, stop: int) -> Any:
    """For units ``first`` up to ``stop``: each question term's count in each (shape (units,
    terms)), and the terms each holds in the order they first occur (row ``u`` has
    ``held[u]`` of them)."""
    ptr, ids = table[5], table[6]
    lookup, low, size = question[0], question[1], len(question[2])
    counts = np.zeros((stop - first, size), np.int64)
    order = np.zeros((stop - first, size), np.int64)
    held = np.zeros(stop - first, np.int64)
    for row in range(stop - first):
        for t in range(ptr[first + row], ptr[first + row + 1]):
            q = lookup[min(max(ids[t] - low + 1, 0), len(lookup) - 1)]
            if q >= 0:
                if counts[row, q] == 0:
                    order[row, held[row]] = q
                    held[row] += 1
                counts[row, q] += 1
    return counts, order, held


@_jit  # type: ignore[misc]
def _mark(question: Any, ids: Any, first: int, stop: int, row: Any) -> None:
    """Set ``row[q]`` for each question term ``q`` among ``ids[first:stop]``."""
    lookup, low = question[0], question[1]
    for t in range(first, stop):
        q = lookup[min(max(ids[t] - low + 1, 0), len(lookup) - 1)]
        if q >= 0:
            row[q] = True


@_jit  # type: ignore[misc]
def _heading_terms(table: Any, question: Any, doc: int, span: Any) -> Any:
    """Whether the heading above start unit ``s`` of ``span`` (a, b) of document ``doc`` holds
    question term ``q`` (shape (b - a, terms)); no rows when no unit of the span is under a
    heading (most passages of most corpora: nothing to allocate)."""
    doc_first, ptr, ids, section = table[0], table[5], table[6], table[7]
    size = len(question[2])
    a, b = span
    headed = False
    for s in range(a, b):
        headed = headed or section[s] >= 0
    held = np.zeros((b - a if headed else 0, size), np.bool_)
    for s in range(a, b if headed else a):
        h = doc_first[doc] + section[s]
        if section[s] >= 0 and h < s:
            _mark(question, ids, ptr[h], ptr[h + 1], held[s - a])
    return held


@_jit  # type: ignore[misc]
def _best(table: Any, question: Any, terms: Any, span: Any, limit: int) -> Any:
    """The best window starting in units ``span`` (a, b): score, first and last unit.

    A window grows one unit at a time (the loop over ``w``): anything else a window is scored
    by, such as the maximum over its units of a per-unit value, is added there. It is chosen
    by its score plus ``context`` times the weight of the terms its heading holds and it does
    not (``terms[3]``); the score returned is the words' own."""
    start, end, kind, flags = table[1], table[2], table[3], table[4]
    _, _, idf, k1, bonus, context = question
    unit_counts, unit_order, held, heading = terms
    a, b = span
    top = len(start) - 1
    others = 0
    for u in range(a, b):
        others += kind[u] != _HEADING
    counts = np.zeros(len(idf), np.int64)
    order = np.zeros(len(idf), np.int64)
    best, best_length, chosen, width, words = -np.inf, 0, a, 0, 0.0
    for s in range(a, b):
        if kind[s] == _HEADING and others > 0:
            continue
        counts[:] = 0
        found, number = 0, False
        for w in range(_MAX_UNITS):
            u = s + w
            if w > 0 and (u > top or not flags[u - 1] & CONT or end[u] - start[s] > limit):
                break
            for o in range(held[u - a]):
                q = unit_order[u - a, o]
                if counts[q] == 0:
                    order[found] = q
                    found += 1
                counts[q] += unit_counts[u - a, q]
            number = number or (flags[u] & QUANTITY) != 0
            score = 0.0
            for o in range(found):
                n = counts[order[o]]
                score += idf[order[o]] * n * (k1 + 1) / (n + k1)
            score += bonus if number else 0.0
            extra = 0.0
            for q in range(len(idf) if len(heading) else 0):
                if heading[s - a, q] and counts[q] == 0:
                    extra += idf[q]
            choice = score + context * extra
            length = end[u] - start[s]
            if choice > best or (choice == best and length < best_length):
                best, best_length, chosen, width, words = choice, length, s, w, score
    return words, chosen, chosen + width


@_jit  # type: ignore[misc]
def _slow(table: Any, i: int, j: int, limit: int) -> bool:
    """Whether window ``i..j`` must be extended, cut or trimmed
    (:mod:`retrieval.search.excerptfit`)."""
    start, end, kind, flags = table[1], table[2], table[3], table[4]
    if (flags[j] & (JOINS | LEADS)) == (JOINS | LEADS) or end[j] - start[i] > limit:
        return True
    following = kind[min(j + 1, len(kind) - 1)]
    items = kind[j] == _ITEM and flags[j] & JOINS and following == _ITEM
    return bool(items and j > i and flags[i] & LEADS)


@_jit  # type: ignore[misc]
def _touch(table: Any, passages: Any) -> int:
    """Read the first and last words of every candidate's units and tokens before any is
    scored, so that their cache misses overlap instead of coming one candidate after another
    (measured at 100k passages: 37 us less per question). Returns a sum of offsets, never
    negative: testing its sign keeps the compiler from dropping the reads."""
    start, end, kind, flags, ptr, ids, section = table[1:8]
    _, firsts, stops = passages
    top = len(start) - 1
    total = 0
    for c in range(len(firsts)):
        a, b = firsts[c], min(stops[c] + 1, top)
        total += start[a] + start[b] + end[a] + end[b] + ptr[a] + ptr[b + 1]
        total += kind[a] + (flags[a] & 127) + section[a] + 1  # each 0 or more
    for c in range(len(firsts)):
        a, b = firsts[c], min(stops[c] + 1, top)
        total += ids[ptr[a]] + ids[(ptr[a] + ptr[b + 1]) // 2] + 4  # ids are -2 or more
    return total


@_jit  # type: ignore[misc]
def best_windows(table: Any, passages: Any, question: Any, limit: int) -> Any:
    """The best window of each passage (``passages``: document numbers, and the first unit
    overlapping each and one past the last) as
    :mod:`retrieval.search.windows` defines it: first and last unit, span, score, matched terms
    (shape (passages, terms)), whether the passage has units (all else zero when not), and whether
    the window must be finished (:func:`retrieval.search.excerptfit.finish_window`)."""
    docs, firsts, stops = passages
    start, end = table[1], table[2]
    count, top = len(docs), len(start) - 1
    first, last = np.zeros(count, np.int64), np.zeros(count, np.int64)
    span_start, span_end = np.zeros(count, np.int64), np.zeros(count, np.int64)
    score = np.zeros(count)
    matched = np.zeros((count, len(question[2])), np.bool_)
    has_units, slow = np.zeros(count, np.bool_), np.zeros(count, np.bool_)
    if _touch(table, passages) < 0:  # never: see _touch
        slow[:] = True
    for c in range(count):
        a, b = firsts[c], stops[c]
        if b == a:
            continue
        terms = _unit_terms(table, question, a, min(b + 2, top + 1))
        heading = _heading_terms(table, question, docs[c], (a, b))
        score[c], i, j = _best(table, question, (*terms, heading), (a, b), limit)
        first[c], last[c], span_start[c], span_end[c] = i, j, start[i], end[j]
        for u in range(i, j + 1):
            for o in range(terms[2][u - a]):
                matched[c, terms[1][u - a, o]] = True
        has_units[c], slow[c] = True, _slow(table, i, j, limit)
    return first, last, span_start, span_end, score, matched, has_units, slow


@_jit  # type: ignore[misc]
def context_terms(table: Any, docs: Any, windows: Any, question: Any) -> Any:
    """:func:`retrieval.search.context.context_terms`: whether question term ``q`` names
    candidate ``c``'s document ``docs[c]`` or is in the heading above its window's first unit,
    and is not in its window; ``windows`` is (first, has_units, matched) of the chosen windows."""
    doc_first, ptr, ids, section, name_ptr, name_ids = (
        table[0], table[5], table[6], table[7], table[8], table[9]
    )  # fmt: skip
    first, has_units, matched = windows
    out = np.zeros(matched.shape, np.bool_)
    for c in range(len(docs)):
        d = docs[c]
        _mark(question, name_ids, name_ptr[d], name_ptr[d + 1], out[c])
        u = first[c]
        if has_units[c] and section[u] >= 0 and doc_first[d] + section[u] < u:
            h = doc_first[d] + section[u]
            _mark(question, ids, ptr[h], ptr[h + 1], out[c])
        for q in range(out.shape[1]):
            out[c, q] = out[c, q] and not matched[c, q]
    return out
