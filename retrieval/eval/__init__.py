"""Offline evaluation of docqa's retrieval (``python -m retrieval.eval``).

Question sets label evidence spans; :mod:`.relevance` turns them into qrels for ir-measures at
excerpt and chunk level. Also BEIR collections, option sweeps, paired comparisons, a regression
gate, and judgments mined from the bot's query log.
"""

from __future__ import annotations

from retrieval.errors import EvalError
from retrieval.eval.metrics import MEASURES, LevelScores, score_level
from retrieval.eval.questions import load_questions, parse_question, question_record
from retrieval.eval.relevance import covers, first_relevant_rank, judge
from retrieval.eval.runner import Evaluation, evaluate, evaluate_engine
from retrieval.eval.runs import load_run, run_questions
from retrieval.eval.values import LEVELS, Evidence, Level, Question, QuestionRun, RunHit

__all__ = [
    "LEVELS",
    "MEASURES",
    "EvalError",
    "Evaluation",
    "Evidence",
    "Level",
    "LevelScores",
    "Question",
    "QuestionRun",
    "RunHit",
    "covers",
    "evaluate",
    "evaluate_engine",
    "first_relevant_rank",
    "judge",
    "load_questions",
    "load_run",
    "parse_question",
    "question_record",
    "run_questions",
    "score_level",
]
