"""How a document's units may join into an excerpt, decided once per unit at indexing.

None of it depends on a question, so it is stored in the index cache as one byte per unit and
the excerpt stage (:mod:`retrieval.search.excerpts`) only tests bits::

    CONT      unit j may be followed by unit j + 1 in a chosen window: j + 1 is joinable (below)
              and does not start another paragraph, or another item of a list whose items
              have several sentences (short items may be read together)
    JOINS     unit j + 1 may follow unit j in one excerpt at all: it exists, is no heading, and
              no boilerplate lies between them
    LEADS     unit j introduces unit j + 1 ("run the following command:"), or unit j + 1 (a
              sentence or a quotation starting with "(", "[" or a lower-case letter) continues it
    QUANTITY  unit j states a number (set from its analysed terms, see
              :mod:`retrieval.documents.unittokens`)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from retrieval.documents.units import KINDS, Kind
from retrieval.types import Document, Span

__all__ = ["CONT", "JOINS", "LEADS", "QUANTITY", "unit_flags"]

CONT, JOINS, LEADS, QUANTITY = 1, 2, 4, 8
_LEAD_IN = re.compile(r"(?::|\b(?:the following|as follows)\b[^.!?]*)[\s*_`)\]]*$", re.IGNORECASE)
_CONTINUES = re.compile(r"[(\[a-z]")


@dataclass(frozen=True, slots=True)
class _Units:
    """A document's unit arrays as Python lists, for the per-unit rules below."""

    start: list[int]
    end: list[int]
    kind: list[Kind]
    block: list[int]


def _lists(doc: Document) -> _Units:
    u = doc.units
    kinds = [KINDS[k] for k in u.kind.tolist()]
    return _Units(u.start.tolist(), u.end.tolist(), kinds, u.block.tolist())


def _joinable(doc: Document, units: _Units, j: int) -> bool:
    """Whether unit ``j`` may follow unit ``j - 1`` in one excerpt."""
    if j >= len(units.start) or units.kind[j] == "heading":
        return False
    gap = Span(units.end[j - 1], units.start[j])
    return not any(b.overlap(gap) or b.start == gap.start for b in doc.boilerplate)


def _leaves_paragraph(units: _Units, j: int) -> bool:
    """Unit ``j + 1`` starts another paragraph than sentence ``j``, or another list item when
    either item has several sentences."""
    block, kind = units.block, units.kind
    if block[j] == block[j + 1] or kind[j] != kind[j + 1]:
        return False
    if kind[j] == "sentence":
        return True
    long_items = (j > 0 and block[j - 1] == block[j]) or (
        j + 2 < len(block) and block[j + 2] == block[j + 1]
    )
    return kind[j] == "item" and long_items


def _leads_on(text: str, units: _Units, j: int) -> bool:
    if _LEAD_IN.search(text, units.start[j], units.end[j]):
        return True
    after = text[units.start[j + 1] : units.start[j + 1] + 1]
    return units.kind[j + 1] in ("sentence", "quote") and bool(_CONTINUES.match(after))


def unit_flags(doc: Document) -> npt.NDArray[np.int8]:
    """CONT, JOINS and LEADS of each of ``doc``'s units (QUANTITY is left to the analyser)."""
    units = _lists(doc)
    count = len(units.start)
    flags = np.zeros(count, dtype=np.int8)
    for j in range(count - 1):
        bits = 0
        if _joinable(doc, units, j + 1):
            bits |= JOINS
            if not _leaves_paragraph(units, j):
                bits |= CONT
        if _leads_on(doc.text, units, j):
            bits |= LEADS
        flags[j] = bits
    return flags
