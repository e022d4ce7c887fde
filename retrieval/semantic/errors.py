"""Why the semantic model cannot be used; the engine then ranks by words alone."""

from __future__ import annotations

from retrieval.errors import RetrievalError

__all__ = ["ModelUnavailable"]


class ModelUnavailable(RetrievalError):
    """The model's files are absent, fail their sha256 check or cannot be read (one line)."""
