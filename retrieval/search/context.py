"""What a passage is about beyond its excerpt: its document's name and its section's heading.

A question's word that names the document (its title or file name), or that the heading of the
section the excerpt starts in holds, says the passage is about what is asked even where the
excerpt does not repeat it: "Which Python version did python-dotenv 1.2.2 stop supporting?" is
answered by "Dropped support for Python 3.9." under the heading "1.2.2". The engine adds
``EngineOptions.title_weight`` times such a word's weight to the passage's score, once, for the
words its window does not hold (:meth:`retrieval.search.engine.SearchEngine.search`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath

import numpy as np
import numpy.typing as npt

from retrieval.analysis import Analyzer
from retrieval.documents.unittable import UnitTable
from retrieval.search.excerptquery import ExcerptQuery, Windows
from retrieval.search.windows import heading_terms
from retrieval.types import Document

__all__ = ["context_terms", "name_terms"]

Bools = npt.NDArray[np.bool_]


def name_terms(
    analyzer: Analyzer, documents: Mapping[str, Document], doc_id: str
) -> frozenset[str]:
    """Terms of a document's title and file name (without folders and suffix)."""
    stem = PurePosixPath(doc_id).stem
    return frozenset(analyzer.terms(f"{documents[doc_id].title} {stem}"))


def _named(
    names: Callable[[str], frozenset[str]],
    documents: Sequence[Document],
    docs: Sequence[int],
    terms: tuple[str, ...],
) -> Bools:
    named = np.zeros((len(docs), len(terms)), dtype=np.bool_)
    asked = frozenset(terms)
    for c, d in enumerate(docs):
        found = names(documents[d].doc_id)
        if not found.isdisjoint(asked):
            named[c] = [t in found for t in terms]
    return named


def context_terms(
    table: UnitTable,
    documents: Sequence[Document],
    names: Callable[[str], frozenset[str]],
    docs: npt.NDArray[np.int32],
    windows: Windows,
    *,
    query: ExcerptQuery,
) -> Bools:
    """Whether question term ``q`` names candidate ``c``'s document (``names``: its title's and
    file name's terms, see :func:`name_terms`) or is in the heading of the section its window
    starts in, and is not in the window itself; shape (candidates, question terms).
    ``docs[c]`` is the candidate's document number, ``windows`` its chosen windows."""
    named = _named(names, documents, docs.tolist(), query.terms)
    has = np.flatnonzero(windows.has_units)
    named[has] |= heading_terms(table, windows.first[has], query)
    return named & ~windows.matched
