"""One-line refusals shared by the readers."""

from __future__ import annotations

from retrieval.documents.formats import ExtractionError

__all__ = ["damaged", "too_big"]

MAX_REASON = 120


def damaged(kind: str, exc: BaseException) -> ExtractionError:
    """``the PDF is damaged (<first line of the library's message>)``, at most one line."""
    reason = " ".join(str(exc).split())[:MAX_REASON] or type(exc).__name__
    return ExtractionError(f"the {kind} is damaged or not a {kind} ({reason})")


def too_big(what: str, size: int, limit: int) -> ExtractionError:
    """``the DOCX unpacks to 80.0 MB; the limit is 50.0 MB``."""
    return ExtractionError(f"{what} {_mb(size)}; the limit is {_mb(limit)}")


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"
