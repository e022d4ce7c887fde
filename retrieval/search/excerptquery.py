"""A question as the excerpt stage weighs it, and the windows it chooses (see
:mod:`retrieval.search.windows` for the score)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = ["ExcerptQuery", "Windows", "weigh"]

Int64s = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ExcerptQuery:
    """The question's weighed terms in question order: ``ids`` are index columns, ``idf`` the
    weight of each (its IDF times its count in the question); ``quantity_bonus`` is 0 unless
    the question asks for a number. ``vector`` is the question's sentence embedding (None when
    the semantic stage is off) and ``semantic`` what a window gains per unit of cosine;
    ``context`` is what a window gains, in choosing it, per unit of weight of the terms it does
    not hold but its section's heading does."""

    terms: tuple[str, ...]
    ids: npt.NDArray[np.int32]
    idf: Floats
    k1: float
    quantity_bonus: float = 0.0
    vector: npt.NDArray[np.float32] | None = None
    semantic: float = 0.0
    context: float = 0.0
    _low: int = field(init=False, repr=False)
    _table: npt.NDArray[np.int16] = field(init=False, repr=False)
    id_set: frozenset[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Position of each term id from the smallest question term's to the largest (-1: none),
        # padded with -1 at both ends for ids outside that range.
        ids = self.ids.tolist()
        low, high = min(ids, default=0), max(ids, default=-1)
        table = np.full(high - low + 3, -1, dtype=np.int16)
        table[self.ids - low + 1] = np.arange(len(ids))
        object.__setattr__(self, "_low", low)
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "id_set", frozenset(ids))

    @property
    def lookup(self) -> tuple[int, npt.NDArray[np.int16]]:
        """(low, table): term id ``i``'s position among the question's terms is
        ``table[clip(i - low + 1, 0, len(table) - 1)]``, -1 for none."""
        return self._low, self._table

    def positions(self, term_ids: npt.NDArray[np.int32]) -> tuple[Int64s, npt.NDArray[np.bool_]]:
        """For each term id: its position among the question's terms, and whether it is one."""
        at = np.maximum(term_ids - (self._low - 1), 0)
        np.minimum(at, len(self._table) - 1, out=at)
        q = self._table[at].astype(np.int64)
        return q, q >= 0


def weigh(counts: Int64s, first: Int64s, query: ExcerptQuery) -> Floats:
    """Scores of windows from their term counts, shape (windows, terms) → (windows,).

    Each window's terms are added in the order they first occur in it (``first``: where each
    term first occurs, same shape), one after the other, so that windows holding the same terms
    get bit-identical scores whatever the question's word order, as a Python ``sum`` over a
    ``Counter`` of the window's tokens."""
    k1 = query.k1
    parts = query.idf * counts * (k1 + 1) / (counts + k1)
    ones = np.ones(parts.shape[1])
    scores = parts @ ones  # exact in any order while at most two terms are not 0
    mixed = np.flatnonzero((counts > 0).astype(np.float64) @ ones > 2)
    if len(mixed):
        order = np.argsort(first[mixed], axis=1, kind="stable")
        ordered = np.take_along_axis(parts[mixed], order, axis=1)
        scores[mixed] = np.cumsum(ordered, axis=1)[:, -1]
    return scores


@dataclass(frozen=True, slots=True)
class Windows:
    """The chosen window of each candidate passage (arrays aligned with the candidates).

    ``first``/``last`` are corpus-wide unit numbers, ``start``/``end`` the span in the
    document's text, ``matched[c, q]`` whether question term ``q`` occurs in it, ``cosine`` the
    highest cosine of its units with the question (0 without the semantic stage); candidates
    whose passage overlaps no unit have ``has_units`` False and nothing else set.
    """

    first: Int64s
    last: Int64s
    start: Int64s
    end: Int64s
    score: Floats
    matched: npt.NDArray[np.bool_]
    has_units: npt.NDArray[np.bool_]
    cosine: Floats
