"""Whether the compiled kernels (:mod:`retrieval.kernels`) serve searches, and loading them.

Measured at 100k passages (225 Cranfield questions, k = 5, CPU time per question, two runs
each, back to back on this 2-core machine while shared with other work): choosing the windows of
the 40 candidates took 1.02 ms with about a hundred numpy calls and 0.21-0.23 ms compiled (whole
searches: 2.2 and 1.3 ms). Each numpy call costs microseconds whatever its size, so no
arrangement of them came near the whole search's 1 ms budget. BM25's top 40 is bound by memory,
not by calls (adding up a Cranfield question's ~200,000 postings per 100k passages): compiled,
it saves numpy's allocation and its extra passes over the sums, 5% at 100k passages and 7% at
1M (4.58 against 4.92 ms, CPU time, medians of four runs).

numba's import and loading its cached machine code (about 1.2 s together) would more than
double a one-off command-line search over a small folder, where numpy answers in 2 ms: so the
kernels are loaded only when an index over at least :data:`COMPILED_FROM` passages is made
(loading such an index takes a while anyway), and from then on serve every engine of the
process. Without numba, or below that size, numpy answers, with the same results.
"""

from __future__ import annotations

import importlib.util
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy.typing as npt

    from retrieval.documents.unittable import UnitTable
    from retrieval.search.excerptquery import ExcerptQuery

__all__ = [
    "COMPILED_FROM",
    "active",
    "disable",
    "enable",
    "enable_for",
    "kernel_question",
    "kernel_table",
]

COMPILED_FROM = 50_000  # passages
_lock = threading.Lock()
_kernels: ModuleType | None = None


def active() -> ModuleType | None:
    """The kernels module once enabled, else None."""
    return _kernels


def enable() -> ModuleType | None:
    """Import the kernels; None without numba. A kernel compiles on its first call for each
    combination of argument types, once per installation (numba caches the machine code)."""
    global _kernels  # noqa: PLW0603 (one switch for the process)
    with _lock:
        if _kernels is None and importlib.util.find_spec("numba") is not None:
            from retrieval import kernels  # noqa: PLC0415 (numba's import is slow)

            _kernels = kernels
    return _kernels


def enable_for(passages: int) -> ModuleType | None:
    """:func:`enable` for an engine over ``passages`` passages, if that is large enough."""
    return enable() if passages >= COMPILED_FROM else active()


def disable() -> None:
    """Back to the numpy versions (for tests and comparisons)."""
    global _kernels  # noqa: PLW0603
    with _lock:
        _kernels = None


def kernel_table(t: UnitTable) -> tuple[npt.NDArray[Any], ...]:
    """The unit table as the compiled kernels take it (:mod:`retrieval.kernels`)."""
    units = (t.doc_first, t.start, t.end, t.kind, t.flags, t.ptr, t.ids, t.section)
    return (*units, t.name_ptr, t.name_ids)


def kernel_question(query: ExcerptQuery) -> tuple[Any, ...]:
    """The question as the compiled kernels take it (:mod:`retrieval.kernels`)."""
    low, lookup = query.lookup
    return (lookup, low, query.idf, query.k1, query.quantity_bonus, query.context)
