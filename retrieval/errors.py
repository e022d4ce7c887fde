"""The retrieval engine's error hierarchy, the evaluation tools' and the semantic stage's
included; every message is one actionable line."""

from __future__ import annotations

__all__ = [
    "MAX_QUESTION_CHARS",
    "CacheError",
    "CorpusError",
    "EvalError",
    "ModelUnavailable",
    "QueryError",
    "RetrievalError",
]

MAX_QUESTION_CHARS = 2000


class RetrievalError(Exception):
    """Base class for errors a user or operator can act on."""


class QueryError(RetrievalError, ValueError):
    """The question itself is unusable (empty, too long)."""


class CorpusError(RetrievalError):
    """The corpus directory or manifest cannot be used."""


class CacheError(RetrievalError):
    """The index cache cannot be written where it was asked for."""


class EvalError(RetrievalError):
    """A question set, run file, thresholds file, collection or configuration cannot be used
    (the message says which file or value to fix)."""


class ModelUnavailable(RetrievalError):
    """The semantic model's files are absent, fail their sha256 check or cannot be read (one
    line); the engine then ranks by words alone."""
