"""Frozen value objects that cross module boundaries in the retrieval engine."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Literal

from retrieval.documents.units import Units

__all__ = [
    "Chunk",
    "Citation",
    "Document",
    "EngineOptions",
    "Excerpt",
    "Hit",
    "SearchResult",
    "Span",
    "Variant",
    "page_at",
]

Variant = Literal["okapi", "l", "plus", "lucene"]
_START = attrgetter("start")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open character range ``[start, end)`` into a document's decoded text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def overlap(self, other: Span) -> int:
        return max(0, min(self.end, other.end) - max(self.start, other.start))


def page_at(page_starts: Sequence[int], offset: int) -> int | None:
    """1-based page holding ``offset``, where page ``i + 1`` starts at ``page_starts[i]``
    (ascending, the first 0); None when ``page_starts`` is empty (an unpaged document)."""
    if not page_starts:
        return None
    return max(1, bisect_right(page_starts, offset))


@dataclass(frozen=True, slots=True)
class Document:
    """One corpus file: its text exactly as decoded from UTF-8, plus metadata.

    ``doc_id`` is the file name relative to the corpus directory (POSIX separators).
    ``boilerplate`` spans are excluded from indexing; the text itself is never rewritten.
    ``units`` are its headings, sentences, items, code blocks and table rows (see
    :mod:`retrieval.documents.units`); ``page_starts[i]`` is where page ``i + 1`` begins (empty:
    unpaged).
    """

    doc_id: str
    title: str
    text: str
    paragraphs: tuple[Span, ...]
    boilerplate: tuple[Span, ...] = ()
    source: str | None = None
    date: str | None = None
    author: str | None = None
    sha256: str = ""
    units: Units = field(default_factory=Units.empty)
    page_starts: tuple[int, ...] = ()

    def page_of(self, offset: int) -> int | None:
        """1-based page holding ``offset``, or None for an unpaged document."""
        return page_at(self.page_starts, offset)

    def paragraph_of(self, offset: int) -> int:
        """1-based number of the paragraph containing ``offset`` (or the nearest before it;
        ``paragraphs`` are in text order)."""
        return max(1, bisect_right(self.paragraphs, offset, key=_START))

    def cite(self, span: Span) -> Citation:
        """Where ``span`` of this document is: its paragraph and page, with the document's
        title, source and date."""
        paragraph, page = self.paragraph_of(span.start), self.page_of(span.start)
        return Citation(
            self.doc_id, self.title, paragraph, span.start, span.end, self.source, self.date, page
        )


@dataclass(frozen=True, slots=True)
class Chunk:
    """A token window of one document; ``text == document.text[start:end]``."""

    chunk_id: int
    doc_id: str
    start: int
    end: int
    n_tokens: int
    text: str


@dataclass(frozen=True, slots=True)
class Excerpt:
    """The units of a hit a user reads: ``text == document.text[start:end]``.

    ``marks`` are the spans (document offsets, inside the excerpt, in order, disjoint) of the
    question's words to emphasise; never inside a URL. A table row's excerpt carries its table's
    header row as ``header`` (its span) and ``header_text``, to be shown above it.
    """

    start: int
    end: int
    text: str
    marks: tuple[Span, ...] = ()
    header: Span | None = None
    header_text: str = ""


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a passage comes from: enough for a reader to find it in the source."""

    doc_id: str
    title: str
    paragraph: int
    start: int
    end: int
    source: str | None = None
    date: str | None = None
    page: int | None = None

    def place(self) -> str:
        """``p. 2, ¶3`` for a paged document, ``¶3`` otherwise."""
        return (
            f"p. {self.page}, ¶{self.paragraph}" if self.page is not None else f"¶{self.paragraph}"
        )

    def label(self) -> str:
        return f"{self.title} — {self.place()}"


@dataclass(frozen=True, slots=True)
class Hit:
    rank: int
    score: float
    chunk: Chunk
    excerpt: Excerpt
    citation: Citation


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Ranked hits for one question; ``answered`` is False when the engine abstains."""

    query: str
    hits: tuple[Hit, ...]
    answered: bool
    confidence: float = 0.0
    terms: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Every knob that changes what the index holds or how it ranks."""

    chunk_tokens: int = 64
    overlap_tokens: int = 32
    variant: Variant = "lucene"
    k1: float = 1.2
    b: float = 0.75
    delta: float = 1.0
    epsilon: float = 0.25
    stem: bool = True
    stopwords: bool = True
    min_confidence: float = 0.35
    excerpt_chars: int = 400
    context_weight: float = 0.3
    title_weight: float = 1.0
    heading_weight: float = 0.3
    excerpt_k1: float = 0.3
    quantity_bonus: float = 0.5
    drop_frame: bool = True
    semantic: bool = True
    semantic_weight: float = 1.25
    semantic_confidence: float = 0.3
    semantic_answer: float = 0.6
    semantic_floor: float = 0.2

    def __post_init__(self) -> None:
        if self.chunk_tokens < 16:
            raise ValueError("chunk_tokens must be at least 16")
        if not 0 <= self.overlap_tokens < self.chunk_tokens:
            raise ValueError("overlap_tokens must be >= 0 and smaller than chunk_tokens")
        if self.variant not in ("okapi", "l", "plus", "lucene"):
            raise ValueError(f"unknown BM25 variant {self.variant!r}; use okapi, l, plus or lucene")
        if self.k1 < 0 or not 0 <= self.b <= 1:
            raise ValueError("k1 must be >= 0 and b within [0, 1]")
        if self.semantic_weight < 0:
            raise ValueError("semantic_weight must be >= 0")
        if self.heading_weight < 0:
            raise ValueError("heading_weight must be >= 0")
        if not -1 <= self.semantic_floor <= self.semantic_answer:
            raise ValueError("semantic_floor must be within [-1, semantic_answer]")
