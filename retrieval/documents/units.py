"""A document's units: the pieces an excerpt is made of, as flat per-unit arrays.

A unit is a heading, a sentence of a paragraph, a list item (or one sentence of a long one), a
code block, a table row or a sentence of a quotation, with its exact character span in the
document's text. Everything here is decided at indexing and never depends on a question, so the
arrays can be stored in the index cache as they are. Unit ``i`` of a document is::

    kind[i]       one of KINDS (an index into it)
    start[i], end[i]  its span, half-open, in characters of the document's text
    section[i]    the unit number of the heading above it, or -1
    block[i]      the number of the block it comes from (a paragraph, item, code block or row);
                  sentences of one paragraph share it
    header[i]     for a table row, the unit number of its table's header row, else -1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = ["KINDS", "UNIT_FIELDS", "Kind", "UnitRow", "Units"]

Kind = Literal["heading", "sentence", "item", "code", "row", "quote"]
KINDS: tuple[Kind, ...] = ("heading", "sentence", "item", "code", "row", "quote")
UNIT_FIELDS = ("kind", "start", "end", "section", "block", "header")
_DTYPES = {"kind": np.int8, "start": np.int64, "end": np.int64}


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit while a document is being parsed (see the module docstring for the fields)."""

    kind: Kind
    start: int
    end: int
    section: int = -1
    block: int = 0
    header: int = -1


@dataclass(frozen=True, slots=True, eq=False)
class Units:
    """The units of one document as aligned arrays (see the module docstring)."""

    kind: npt.NDArray[np.int8]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    section: npt.NDArray[np.int32]
    block: npt.NDArray[np.int32]
    header: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.kind)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Units):
            return NotImplemented
        return all(np.array_equal(getattr(self, f), getattr(other, f)) for f in UNIT_FIELDS)

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def from_rows(cls, rows: Sequence[UnitRow]) -> Units:
        columns: dict[str, Any] = {
            name: np.array([getattr(r, name) for r in rows], dtype=_DTYPES.get(name, np.int32))
            for name in UNIT_FIELDS
            if name != "kind"
        }
        kinds = np.array([KINDS.index(r.kind) for r in rows], dtype=np.int8)
        return cls(kind=kinds, **columns)

    @classmethod
    def empty(cls) -> Units:
        return cls.from_rows(())

    def kind_of(self, i: int) -> Kind:
        return KINDS[int(self.kind[i])]

    def covering(self, start: int, end: int) -> range:
        """Numbers of the units that overlap ``[start, end)`` (units are in text order)."""
        first = int(np.searchsorted(self.end, start, side="right"))
        last = int(np.searchsorted(self.start, end, side="left"))
        return range(first, max(first, last))
