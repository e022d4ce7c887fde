"""Evaluate a run against a question set: ranking metrics, abstention, excerpt length, latency."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.documents.corpus import DEFAULT_CORPUS
from retrieval.eval.metrics import LevelScores, score_level
from retrieval.eval.relevance import first_relevant_rank, rejected_at_top
from retrieval.eval.runs import run_questions
from retrieval.eval.values import LEVELS, Level, Question, QuestionRun
from retrieval.search.engine import SearchEngine
from retrieval.types import EngineOptions

__all__ = [
    "Abstention",
    "Evaluation",
    "QuestionRow",
    "Timing",
    "evaluate",
    "evaluate_engine",
]

# Excerpt length is measured over the hits a reader looks at first.
READ_DEPTH = 3


@dataclass(frozen=True, slots=True)
class Abstention:
    unanswerable_flagged: int
    unanswerable: int
    answerable_flagged: int
    answerable: int


@dataclass(frozen=True, slots=True)
class Timing:
    """Excerpt characters over the top hits, and query latency (None for runs from a file)."""

    excerpt_chars_mean: float | None
    excerpt_chars_median: int | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One question's outcome, for the per-question table."""

    qid: str
    question: str
    answerable: bool
    answered: bool | None
    excerpt_rank: int | None
    chunk_rank: int | None
    expected_docs: tuple[str, ...]
    top_doc: str | None


@dataclass(frozen=True, slots=True)
class Evaluation:
    questions: int
    unjudged: int
    rejected_at_top: int
    levels: Mapping[Level, LevelScores]
    abstention: Abstention
    timing: Timing
    rows: tuple[QuestionRow, ...]


def _abstention(questions: Sequence[Question], runs: Mapping[str, QuestionRun]) -> Abstention:
    def flagged(group: list[Question]) -> int:
        return sum(1 for q in group if q.qid in runs and not runs[q.qid].answered)

    answerable = [q for q in questions if q.answerable]
    unanswerable = [q for q in questions if not q.answerable]
    return Abstention(
        flagged(unanswerable), len(unanswerable), flagged(answerable), len(answerable)
    )


def _timing(runs: Mapping[str, QuestionRun]) -> Timing:
    lengths = [len(h.excerpt) for r in runs.values() for h in r.hits[:READ_DEPTH]]
    latency = [r.latency_ms for r in runs.values() if r.latency_ms is not None]
    p50, p95 = np.percentile(latency, [50, 95]) if latency else (None, None)
    return Timing(
        statistics.fmean(lengths) if lengths else None,
        statistics.median_high(lengths) if lengths else None,
        None if p50 is None else float(p50),
        None if p95 is None else float(p95),
    )


def _row(question: Question, run: QuestionRun | None) -> QuestionRow:
    return QuestionRow(
        qid=question.qid,
        question=question.question,
        answerable=question.answerable,
        answered=run.answered if run else None,
        excerpt_rank=first_relevant_rank(question, run, "excerpt"),
        chunk_rank=first_relevant_rank(question, run, "chunk"),
        expected_docs=tuple(dict.fromkeys(e.doc for e in question.relevant)),
        top_doc=run.hits[0].doc if run and run.hits else None,
    )


def evaluate(questions: Sequence[Question], runs: Mapping[str, QuestionRun]) -> Evaluation:
    """Every figure of ``run`` for a question set and the runs of its questions."""
    return Evaluation(
        questions=len(questions),
        unjudged=sum(1 for q in questions if q.answerable and not q.relevant),
        rejected_at_top=sum(1 for q in questions if rejected_at_top(q, runs.get(q.qid))),
        levels={level: score_level(questions, runs, level) for level in LEVELS},
        abstention=_abstention(questions, runs),
        timing=_timing(runs),
        rows=tuple(_row(q, runs.get(q.qid)) for q in questions),
    )


def evaluate_engine(
    questions: Sequence[Question],
    options: EngineOptions,
    corpus: Path | str = DEFAULT_CORPUS,
    k: int = 10,
) -> Evaluation:
    """Build the engine on ``corpus`` with ``options`` and evaluate it on ``questions``."""
    engine = SearchEngine.from_directory(corpus, options)
    return evaluate(questions, run_questions(engine, questions, k))
