"""Frozen value objects shared by the evaluation modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from retrieval.types import Span

__all__ = ["LEVELS", "Evidence", "Level", "Question", "QuestionRun", "RunHit"]

# What a retrieved unit is: the excerpt a user reads, or the whole chunk BM25 scored.
Level = Literal["excerpt", "chunk"]
LEVELS: tuple[Level, ...] = ("excerpt", "chunk")


@dataclass(frozen=True, slots=True)
class Evidence:
    """A character span of one document that answers (or, for feedback, fails) a question."""

    doc: str
    span: Span
    text: str = ""


@dataclass(frozen=True, slots=True)
class Question:
    """One line of a question set.

    ``relevant`` is empty for unanswerable questions; an answerable question without evidence is
    *unjudged* (e.g. a 👎 from the query log) and is left out of the ranking metrics.
    ``irrelevant`` holds spans users rejected.
    """

    qid: str
    question: str
    answerable: bool
    relevant: tuple[Evidence, ...] = ()
    irrelevant: tuple[Evidence, ...] = ()

    @property
    def judged(self) -> bool:
        return self.answerable and bool(self.relevant)


@dataclass(frozen=True, slots=True)
class RunHit:
    """One ranked hit of a run, as ``search --batch`` writes it."""

    rank: int
    doc: str
    chunk: Span
    excerpt: Span
    score: float

    def unit(self, level: Level) -> Span:
        return self.excerpt if level == "excerpt" else self.chunk


@dataclass(frozen=True, slots=True)
class QuestionRun:
    """The engine's answer to one question; ``latency_ms`` is None for runs read from a file."""

    qid: str
    answered: bool
    hits: tuple[RunHit, ...]
    latency_ms: float | None = None
