"""What a passage is about beyond its excerpt: its document's name and its section's heading.

A question's word that names the document (its title or file name), or that the heading of the
section the excerpt starts in holds, says the passage is about what is asked even where the
excerpt does not repeat it: "Which Python version did python-dotenv 1.2.2 stop supporting?" is
answered by "Dropped support for Python 3.9." under the heading "1.2.2". The engine adds
``EngineOptions.title_weight`` times such a word's weight to the passage's score, once, for the
words its window does not hold (:meth:`retrieval.search.engine.SearchEngine.search`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from retrieval import compiled
from retrieval.compiled import kernel_question, kernel_table
from retrieval.documents.unittable import UnitTable
from retrieval.search.excerptquery import ExcerptQuery, Windows
from retrieval.search.windows import flat_ranges, heading_terms

__all__ = ["context_terms", "named_terms"]

Bools = npt.NDArray[np.bool_]


def named_terms(table: UnitTable, docs: npt.NDArray[np.int32], query: ExcerptQuery) -> Bools:
    """Whether question term ``q`` names document ``docs[c]`` (is among its title's and file
    name's terms, analysed at indexing), shape (len(docs), question terms)."""
    named = np.zeros((len(docs), len(query.ids)), dtype=np.bool_)
    first = table.name_ptr[docs]
    row, at = flat_ranges(first, table.name_ptr[docs + 1] - first)
    q, asked = query.positions(table.name_ids[at])
    named[row[asked], q[asked]] = True
    return named


def context_terms(
    table: UnitTable, docs: npt.NDArray[np.int32], windows: Windows, *, query: ExcerptQuery
) -> Bools:
    """Whether question term ``q`` names candidate ``c``'s document (:func:`named_terms`) or is
    in the heading of the section its window starts in, and is not in the window itself; shape
    (candidates, question terms). ``docs[c]`` is the candidate's document number, ``windows``
    its chosen windows. The compiled kernel answers once loaded (:mod:`retrieval.compiled`)."""
    kernels = compiled.active()
    if kernels is not None:
        found: Bools = kernels.context_terms(
            kernel_table(table),
            docs,
            (windows.first, windows.has_units, windows.matched),
            kernel_question(query),
        )
        return found
    named = named_terms(table, docs, query)
    has = np.flatnonzero(windows.has_units)
    named[has] |= heading_terms(table, windows.first[has], query)
    return named & ~windows.matched
