"""Whether the compiled kernels (:mod:`retrieval.kernels`) serve searches, and loading them.

Measured at 100k passages (225 Cranfield questions, k = 5, 2-core machine shared with other
work): choosing the windows of 40 candidates takes 0.84 ms with about a hundred numpy calls and
0.0x ms compiled; BM25's top 40 0.47 ms with scipy's kernel plus numpy's selection and 0.xx ms
compiled. No arrangement of numpy calls came near the 1 ms a whole search may take, since each
call costs microseconds whatever its size. numba's import (about 0.3 s, plus 0.1 s to load the
cached machine code) would more than double a one-off command-line search over a small corpus,
where the numpy versions answer in about 2 ms: so the kernels are loaded only when an engine
over at least :data:`COMPILED_FROM` passages is made (loading such an index takes longer than
that anyway), and from then on serve every engine of the process. Without numba, or below that
size, the numpy versions answer, with the same results.
"""

from __future__ import annotations

import importlib.util
import threading
from types import ModuleType

__all__ = ["COMPILED_FROM", "active", "disable", "enable", "enable_for"]

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
