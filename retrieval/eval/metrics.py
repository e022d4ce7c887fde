"""Ranking metrics from ir-measures, per question and averaged, at excerpt or chunk level."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ir_measures
from ir_measures import Measure

from retrieval.eval.relevance import judge
from retrieval.eval.values import Level, Question, QuestionRun

__all__ = ["MEASURES", "LevelScores", "mean", "score_level"]

# Report name → ir-measures measure. hit@k is ir-measures' Success@k; MRR@10 is RR@10.
MEASURES: dict[str, Measure] = {
    "hit@1": ir_measures.Success @ 1,
    "hit@3": ir_measures.Success @ 3,
    "hit@5": ir_measures.Success @ 5,
    "mrr@10": ir_measures.RR @ 10,
    "ndcg@10": ir_measures.nDCG @ 10,
    "recall@10": ir_measures.R @ 10,
}


@dataclass(frozen=True, slots=True)
class LevelScores:
    """Means over the judged questions, and every judged question's scores."""

    level: Level
    means: Mapping[str, float]
    per_question: Mapping[str, Mapping[str, float]]


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _calc(
    questions: Sequence[Question], runs: Mapping[str, QuestionRun], level: Level
) -> dict[str, dict[str, float]]:
    judged = [judge(q, runs.get(q.qid), level) for q in questions]
    qrels = [qrel for j in judged for qrel in j.qrels]
    run = [doc for j in judged for doc in j.run]
    names = {measure: name for name, measure in MEASURES.items()}
    # A question with no hits is absent from the run: it scores zero on every measure.
    scores = {q.qid: dict.fromkeys(MEASURES, 0.0) for q in questions}
    for metric in ir_measures.iter_calc(list(MEASURES.values()), qrels, run) if run else ():
        scores[metric.query_id][names[metric.measure]] = float(metric.value)
    return scores


def score_level(
    questions: Sequence[Question], runs: Mapping[str, QuestionRun], level: Level
) -> LevelScores:
    """Metrics over the judged questions (answerable, with evidence) at one level."""
    judged = [q for q in questions if q.judged]
    per_question = _calc(judged, runs, level) if judged else {}
    means = {name: mean([s[name] for s in per_question.values()]) for name in MEASURES}
    return LevelScores(level, means, per_question)
