"""Errors of the evaluation tools; each message says which file or value to fix."""

from __future__ import annotations

from retrieval.errors import RetrievalError

__all__ = ["EvalError"]


class EvalError(RetrievalError):
    """A question set, run file, thresholds file, collection or configuration cannot be used."""
