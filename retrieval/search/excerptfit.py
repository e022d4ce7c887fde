"""Finishing the few windows that do not fit as chosen: extended, cut, or trimmed.

A window is extended forward while it ends in a lead-in or the next unit continues it
(:data:`retrieval.documents.unitflags.LEADS`) and it fits the excerpt limit; once a lead-in has
brought in a list item, the list's next items complete it too. A lead-in and what it introduces that
run past the limit are cut at the last line break (else space) that fits; a single unit longer than
the limit is trimmed to the stretch of at most ``limit`` characters, starting at the window's
start or at a question term, that holds the most query weight (ties: the earliest).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from retrieval.documents.unitflags import JOINS, LEADS
from retrieval.documents.units import KINDS
from retrieval.documents.unittable import UnitTable
from retrieval.search.excerptquery import ExcerptQuery, Windows, weigh
from retrieval.types import Document

__all__ = ["TokenArrays", "cut", "finish_window", "trim", "weight_of"]

_CODE, _ITEM = KINDS.index("code"), KINDS.index("item")
Int32s = npt.NDArray[np.int32]
TokenArrays = tuple[Int32s, Int32s, Int32s]  # term ids, starts, ends


def weight_of(
    ids: Int32s, query: ExcerptQuery, quantity: npt.NDArray[np.bool_]
) -> tuple[float, npt.NDArray[np.bool_]]:
    """The score of a window holding tokens ``ids``, and which question terms it holds."""
    q, hit = query.positions(ids)
    q = q[hit]
    counts = np.bincount(q, minlength=len(query.ids))
    first = np.full(len(query.ids), len(q), dtype=np.int64)
    found, at = np.unique(q, return_index=True)
    first[found] = at
    score = float(weigh(counts[None, :], first[None, :], query)[0])
    if query.quantity_bonus and bool(quantity[ids].any()):
        score += query.quantity_bonus
    return score, counts > 0


def cut(text: str, start: int, end: int, limit: int) -> int:
    """``end``, or the last line break (else space) before ``start + limit`` when it is further."""
    if end - start <= limit:
        return end
    stop = start + limit
    for sep in ("\n", " "):
        at = text.rfind(sep, start, stop)
        if at > start + limit // 2:
            return at
    return stop


def trim(
    text: str,
    span: tuple[int, int],
    tokens: TokenArrays,
    query: ExcerptQuery,
    quantity: npt.NDArray[np.bool_],
    *,
    limit: int,
) -> tuple[int, int]:
    """The stretch of an over-long ``span`` that holds the most query weight (module docstring)."""
    ids, starts, ends = tokens
    _, hit = query.positions(ids)
    best: tuple[float, int] | None = None
    for start in [span[0], *starts[hit].tolist()]:
        end = min(span[1], start + limit)
        inside = (start <= starts) & (ends <= end)
        key = (weight_of(ids[inside], query, quantity)[0], -start)
        if best is None or key > best:
            best = key
    assert best is not None
    start = -best[1]
    return start, cut(text, start, span[1], limit)


def _extend(table: UnitTable, i: int, j: int, limit: int) -> tuple[int, int]:
    flags, kind, start, end = table.flags, table.kind, table.start, table.end
    while flags[j] & JOINS and flags[j] & LEADS:
        if end[j + 1] - start[i] > limit and kind[j + 1] != _CODE:
            break
        j += 1
        if end[j] - start[i] > limit:
            return i, j  # the start of a long code block: cut at the limit
    while (
        kind[j] == _ITEM
        and flags[j] & JOINS
        and kind[j + 1] == _ITEM
        and end[j + 1] - start[i] <= limit
        and j > i
        and flags[i] & LEADS
    ):
        j += 1
    return i, j


def finish_window(
    table: UnitTable, doc: Document, out: Windows, n: int, *, query: ExcerptQuery, limit: int
) -> None:
    """Extend, cut or trim candidate ``n``'s chosen window in ``out`` (see module docstring)."""
    i, chosen = int(out.first[n]), int(out.last[n])
    i, j = _extend(table, i, chosen, limit)
    start, end = int(table.start[i]), int(table.end[j])
    lo, hi = int(table.ptr[i]), int(table.ptr[j + 1])
    ids, starts, ends = table.ids[lo:hi], table.token_start[lo:hi], table.token_end[lo:hi]
    if end - start > limit and j > chosen:
        end = cut(doc.text, start, end, limit)
        ids = ids[ends <= end]
    elif end - start > limit:
        start, end = trim(
            doc.text, (start, end), (ids, starts, ends), query, table.quantity, limit=limit
        )
        ids = ids[(start <= starts) & (ends <= end)]
    out.first[n], out.last[n], out.start[n], out.end[n] = i, j, start, end
    out.score[n], out.matched[n] = weight_of(ids, query, table.quantity)
