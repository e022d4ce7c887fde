"""Span relevance → qrels: the adapter between evidence spans and ir-measures.

A retrieved unit (an excerpt, or the chunk it came from) is relevant to a question when it lies
in the evidence's document and covers at least half of the evidence span. Each evidence span is
one relevant "document" in the qrels; scanning hits in rank order, a hit is credited with the
first evidence span it covers that no earlier hit was credited with, and is otherwise a
non-relevant unit. So hit@k and MRR look at the first relevant hit, and recall@10 counts evidence
spans found, with no extra credit for showing the same evidence twice.

Run scores are derived from ranks, not BM25 scores: pytrec_eval re-sorts a run by score and breaks
ties by document id, which would reorder tied hits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ir_measures import Qrel, ScoredDoc

from retrieval.eval.values import Evidence, Level, Question, QuestionRun, RunHit
from retrieval.types import Span

__all__ = ["Judged", "covers", "credits", "first_relevant_rank", "judge", "rejected_at_top"]


@dataclass(frozen=True, slots=True)
class Judged:
    """One question's qrels and run in ir-measures form."""

    qrels: tuple[Qrel, ...]
    run: tuple[ScoredDoc, ...]


def covers(doc: str, unit: Span, evidence: Evidence) -> bool:
    """True when ``unit`` of ``doc`` covers at least half of ``evidence`` (integer-exact)."""
    return doc == evidence.doc and 2 * unit.overlap(evidence.span) >= len(evidence.span)


def credits(question: Question, hits: tuple[RunHit, ...], level: Level) -> Iterator[int | None]:
    """Per hit in rank order: the index of the evidence span it is credited with, or None."""
    credited: set[int] = set()
    for hit in hits:
        unit = hit.unit(level)
        match = next(
            (
                i
                for i, evidence in enumerate(question.relevant)
                if i not in credited and covers(hit.doc, unit, evidence)
            ),
            None,
        )
        if match is not None:
            credited.add(match)
        yield match


def judge(question: Question, run: QuestionRun | None, level: Level) -> Judged:
    """Qrels (one per evidence span) and the run with each hit named by its credit."""
    qrels = tuple(Qrel(question.qid, f"evidence-{i}", 1) for i in range(len(question.relevant)))
    hits = run.hits if run else ()
    scored = tuple(
        ScoredDoc(
            question.qid,
            f"hit-{position}" if match is None else f"evidence-{match}",
            float(len(hits) - position),
        )
        for position, match in enumerate(credits(question, hits, level))
    )
    return Judged(qrels, scored)


def first_relevant_rank(question: Question, run: QuestionRun | None, level: Level) -> int | None:
    """1-based rank of the first relevant hit, or None when none is relevant."""
    hits = run.hits if run else ()
    matches = credits(question, hits, level)
    return next((rank for rank, match in enumerate(matches, start=1) if match is not None), None)


def rejected_at_top(question: Question, run: QuestionRun | None) -> bool:
    """True when the top excerpt covers a span users rejected (a 👎 judgment)."""
    if not run or not run.hits:
        return False
    top = run.hits[0]
    return any(covers(top.doc, top.excerpt, e) for e in question.irrelevant)
