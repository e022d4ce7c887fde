"""The retrieval engine's error hierarchy; every message is one actionable line."""

from __future__ import annotations

__all__ = ["CorpusError", "QueryError", "RetrievalError"]

MAX_QUESTION_CHARS = 2000


class RetrievalError(Exception):
    """Base class for errors a user or operator can act on."""


class QueryError(RetrievalError, ValueError):
    """The question itself is unusable (empty, too long)."""


class CorpusError(RetrievalError):
    """The corpus directory or manifest cannot be used."""
