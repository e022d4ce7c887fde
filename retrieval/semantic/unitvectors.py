"""Unit vectors: every unit of a corpus embedded once, at indexing, in unit-table order.

A unit's text is its span of the document's text, whitespace runs folded to one space (a
hard-wrapped sentence reads as one line). Vectors are stored as float16: rounding a unit-length
384-float vector to float16 changes its cosines with a question by less than 1e-3, and halves the
cache and memory they take (measured on the seed corpus: see the README).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from retrieval.types import Document

if TYPE_CHECKING:
    from retrieval.semantic.encoder import Encoder, Progress

__all__ = ["VECTOR_DTYPE", "embed_units", "unit_texts"]

VECTOR_DTYPE = np.float16
F16 = npt.NDArray[np.float16]
_SPACE = re.compile(r"\s+")


def unit_texts(documents: Sequence[Document]) -> list[str]:
    """The text of every unit of ``documents``, document by document, in unit order."""
    texts = []
    for doc in documents:
        units, text = doc.units, doc.text
        for start, end in zip(units.start.tolist(), units.end.tolist(), strict=True):
            texts.append(_SPACE.sub(" ", text[start:end]).strip())
    return texts


def embed_units(
    encoder: Encoder, documents: Sequence[Document], progress: Progress | None = None
) -> F16:
    """Vectors of every unit of ``documents``, shape (units, encoder.dim), float16."""
    texts = unit_texts(documents)
    if not texts:
        return np.zeros((0, encoder.dim), dtype=VECTOR_DTYPE)
    return encoder.encode(texts, progress=progress).astype(VECTOR_DTYPE)
