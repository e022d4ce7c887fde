"""A read-only sequence of chunks stored as arrays, made into :class:`Chunk` objects on access.

A million passages as Python objects (with their text sliced out) would take seconds to load
and gigabytes to hold; the engine only ever looks at the few it returns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt

from retrieval.types import Chunk, Document

__all__ = ["ChunkArrays", "ChunkTable"]


@dataclass(frozen=True, slots=True)
class ChunkArrays:
    """Chunk ``i`` is ``documents[doc[i]].text[start[i]:end[i]]`` with ``n_tokens[i]`` tokens."""

    doc: npt.NDArray[np.int32]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    n_tokens: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.doc)

    @classmethod
    def concatenate(cls, parts: Sequence[ChunkArrays]) -> ChunkArrays:
        if not parts:
            empty32, empty64 = np.zeros(0, np.int32), np.zeros(0, np.int64)
            return cls(empty32, empty64, empty64, empty32)
        return cls(
            np.concatenate([p.doc for p in parts]),
            np.concatenate([p.start for p in parts]),
            np.concatenate([p.end for p in parts]),
            np.concatenate([p.n_tokens for p in parts]),
        )


class ChunkTable(Sequence[Chunk]):
    """The chunks of ``documents``, numbered by position like the engine's own."""

    def __init__(self, documents: Sequence[Document], arrays: ChunkArrays) -> None:
        self._documents = tuple(documents)
        self.arrays = arrays

    def __len__(self) -> int:
        return len(self.arrays)

    @overload
    def __getitem__(self, index: int) -> Chunk: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Chunk]: ...

    def __getitem__(self, index: int | slice) -> Chunk | Sequence[Chunk]:
        if isinstance(index, slice):
            return [self._chunk(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("chunk position out of range")
        return self._chunk(index)

    def __iter__(self) -> Iterator[Chunk]:
        return (self._chunk(i) for i in range(len(self)))

    def _chunk(self, i: int) -> Chunk:
        a = self.arrays
        doc = self._documents[int(a.doc[i])]
        start, end = int(a.start[i]), int(a.end[i])
        return Chunk(i, doc.doc_id, start, end, int(a.n_tokens[i]), doc.text[start:end])
