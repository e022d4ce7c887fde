"""Runs: the engine's ranked hits per question, live or read from ``search --batch`` output.

Live runs go through :func:`retrieval.serialize.result_record`, the very format the batch CLI
writes, so scoring a live run and scoring a batch file cannot disagree.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from retrieval.errors import EvalError, RetrievalError
from retrieval.eval.jsonl import read_jsonl
from retrieval.eval.values import Question, QuestionRun, RunHit
from retrieval.search.engine import SearchEngine
from retrieval.serialize import result_record
from retrieval.types import Span

__all__ = ["load_run", "parse_run_record", "run_questions", "search_run"]

log = logging.getLogger(__name__)


def _hit(record: Mapping[str, Any], rank: int) -> RunHit:
    return RunHit(
        rank=int(record.get("rank", rank)),
        doc=str(record["doc"]),
        chunk=Span(int(record["chunk_start"]), int(record["chunk_end"])),
        excerpt=Span(int(record["excerpt_start"]), int(record["excerpt_end"])),
        score=float(record.get("score", 0.0)),
    )


def parse_run_record(record: Mapping[str, Any], latency_ms: float | None = None) -> QuestionRun:
    """A :class:`QuestionRun` from one ``search --batch`` JSON object."""
    hits = tuple(_hit(h, rank) for rank, h in enumerate(record.get("hits", []), start=1))
    return QuestionRun(str(record["id"]), bool(record.get("answered", False)), hits, latency_ms)


def load_run(path: Path | str) -> dict[str, QuestionRun]:
    """A run file written by ``python -m retrieval search --batch``, keyed by question id."""
    runs: dict[str, QuestionRun] = {}
    for where, record in read_jsonl(Path(path), "run file"):
        try:
            run = parse_run_record(record)
        except (KeyError, TypeError, ValueError) as exc:
            raise EvalError(f"{where}: not a search --batch record ({exc!r})") from exc
        runs[run.qid] = run
    return runs


def search_run(engine: SearchEngine, question: Question, k: int) -> QuestionRun:
    """Ask the engine one question, timing the search; errors become an empty abstention."""
    started = time.perf_counter()
    try:
        record = result_record(engine.search(question.question, k), question.qid)
    except RetrievalError as exc:
        log.warning("question %s: %s", question.qid, exc)
        record = {"id": question.qid, "answered": False, "hits": []}
    return parse_run_record(record, (time.perf_counter() - started) * 1000.0)


def run_questions(
    engine: SearchEngine, questions: Iterable[Question], k: int = 10
) -> dict[str, QuestionRun]:
    return {q.qid: search_run(engine, q, k) for q in questions}
