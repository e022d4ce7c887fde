"""Shared builders for the evaluation tests: questions, hits and runs written out by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.storage.export import to_jsonl
from bot.storage.records import ExportRecord, HitRow, QueryRow, VoteRow
from retrieval.eval.values import Evidence, Question, QuestionRun, RunHit
from retrieval.types import Span

REPO = Path(__file__).resolve().parents[2]
DEV_SET = REPO / "eval" / "questions_dev.jsonl"
THRESHOLDS = REPO / "eval" / "thresholds.toml"
SCORE_RUN = REPO.parent / "shared" / "eval" / "score_run.py"
CRANFIELD = REPO.parent / "shared" / "benchmarks" / "cranfield"
HitSpan = tuple[int, str, int, int]  # rank, doc, excerpt start, excerpt end


def ev(doc: str, start: int, end: int, text: str = "") -> Evidence:
    return Evidence(doc, Span(start, end), text)


def question(qid: str, *relevant: Evidence, answerable: bool = True) -> Question:
    return Question(qid, f"question {qid}?", answerable, relevant)


def hit(
    rank: int, doc: str, excerpt: tuple[int, int], chunk: tuple[int, int] | None = None
) -> RunHit:
    """A hit whose chunk defaults to its excerpt."""
    return RunHit(rank, doc, Span(*(chunk or excerpt)), Span(*excerpt), 10.0 - rank)


def run(qid: str, *hits: RunHit, answered: bool = True) -> QuestionRun:
    return QuestionRun(qid, answered, hits)


def write_corpus(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def write_export(path: Path, *questions: tuple[int, str, list[HitSpan], list[int]]) -> Path:
    """A ``/docqa export`` JSONL file, written by the bot's own encoder: each question is
    ``(id, text, [(rank, doc, start, end)], [votes])``."""
    when = datetime(2026, 1, 1, tzinfo=UTC)
    records = [
        ExportRecord(
            QueryRow(qid, when, 1, 2, 3, "slash", text, 5, True, 4.0, len(hits), 9.0),
            tuple(HitRow(rank, doc, 0, 60, start, end, 1.0) for rank, doc, start, end in hits),
            tuple(VoteRow(user, vote, when) for user, vote in enumerate(votes, start=10)),
        )
        for qid, text, hits, votes in questions
    ]
    path.write_bytes(to_jsonl(records))
    return path


BEIR_CORPUS = [
    {"_id": "d1", "title": "Apples", "text": "Apple trees grow in orchards."},
    {"_id": "d2", "title": "Oceans", "text": "The ocean holds salty water."},
    {"_id": "d3", "title": "Rockets", "text": "Rockets fly to the moon."},
]
BEIR_QUERIES = [
    {"_id": "1", "text": "apple orchards"},  # only d1 has these words
    {"_id": "2", "text": "salty ocean water"},  # only d2
    {"_id": "3", "text": "zebra"},  # no document: absent from the run
    {"_id": "4", "text": "moon"},  # has no qrels: not evaluated
]
# Query 2 also lists d3 with score 0, which is not relevant.
BEIR_QRELS = "query-id\tcorpus-id\tscore\n1\td1\t2\n2\td2\t1\n2\td3\t0\n3\td3\t1\n"


def write_beir(root: Path) -> Path:
    """A three-document BEIR collection; see the comments above for what each query finds."""
    (root / "qrels").mkdir(parents=True)
    for name, rows in (("corpus.jsonl", BEIR_CORPUS), ("queries.jsonl", BEIR_QUERIES)):
        (root / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (root / "qrels" / "test.tsv").write_text(BEIR_QRELS, encoding="utf-8")
    return root
