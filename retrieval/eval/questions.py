"""Question sets in JSONL: ``{id, question, answerable, relevant: [{doc, evidence, start, end}]}``.

Relevance is given by evidence spans (character offsets into a corpus file), never by chunk ids,
so chunking can change without relabelling. An optional ``irrelevant`` list in the same shape
holds spans users rejected (see :mod:`retrieval.eval.feedback`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from retrieval.errors import EvalError
from retrieval.eval.jsonl import read_jsonl
from retrieval.eval.values import Evidence, Question
from retrieval.types import Span

__all__ = ["load_questions", "parse_question", "question_record"]

log = logging.getLogger(__name__)


def _evidence(item: Any, where: str) -> Evidence:
    try:
        doc, start, end = item["doc"], item["start"], item["end"]
        text = item.get("evidence", "")
    except (KeyError, TypeError, AttributeError) as exc:
        raise EvalError(f"{where}: evidence needs doc, start and end") from exc
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
        raise EvalError(
            f"{where}: evidence span [{start}, {end}) must be integers with start < end"
        )
    return Evidence(str(doc), Span(start, end), str(text))


def _spans(raw: Any, where: str) -> tuple[Evidence, ...]:
    if not isinstance(raw, list):
        raise EvalError(f"{where}: expected a list of evidence objects")
    return tuple(_evidence(item, where) for item in raw)


def parse_question(item: Mapping[str, Any], where: str = "question") -> Question:
    """One validated question from its JSON object; ``where`` prefixes error messages."""
    try:
        qid, text, answerable = item["id"], item["question"], item["answerable"]
    except (KeyError, TypeError) as exc:
        raise EvalError(f"{where}: a question needs id, question and answerable") from exc
    if not isinstance(answerable, bool):
        raise EvalError(f"{where}: answerable must be true or false")
    relevant = _spans(item.get("relevant", []), where)
    if relevant and not answerable:
        raise EvalError(f"{where}: an unanswerable question cannot have relevant evidence")
    irrelevant = _spans(item.get("irrelevant", []), where)
    return Question(str(qid), str(text), answerable, relevant, irrelevant)


def load_questions(path: Path | str) -> tuple[Question, ...]:
    """Every question of a JSONL file, with unique ids; blank lines are skipped."""
    path = Path(path)
    questions: dict[str, Question] = {}
    for where, item in read_jsonl(path, "question set"):
        question = parse_question(item, where)
        if question.qid in questions:
            raise EvalError(f"{where}: duplicate question id {question.qid!r}")
        questions[question.qid] = question
    if not questions:
        raise EvalError(f"question set {path} holds no questions")
    log.debug("loaded %d questions from %s", len(questions), path)
    return tuple(questions.values())


def _evidence_records(spans: Iterable[Evidence]) -> list[dict[str, Any]]:
    return [
        {"doc": e.doc, "evidence": e.text, "start": e.span.start, "end": e.span.end} for e in spans
    ]


def question_record(question: Question) -> dict[str, Any]:
    """The JSONL object of a question (``irrelevant`` only when there is any)."""
    record: dict[str, Any] = {
        "id": question.qid,
        "question": question.question,
        "answerable": question.answerable,
        "relevant": _evidence_records(question.relevant),
    }
    if question.irrelevant:
        record["irrelevant"] = _evidence_records(question.irrelevant)
    return record
