"""Shared builders for the evaluation tests: questions, hits and runs written out by hand."""

from __future__ import annotations

import json
from pathlib import Path

from retrieval.eval.types import Evidence, Question, QuestionRun, RunHit
from retrieval.types import Span

REPO = Path(__file__).resolve().parents[2]
DEV_SET = REPO / "eval" / "questions_dev.jsonl"
THRESHOLDS = REPO / "eval" / "thresholds.toml"
SCORE_RUN = REPO.parent / "shared" / "eval" / "score_run.py"
CRANFIELD = REPO.parent / "shared" / "benchmarks" / "cranfield"


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


# The bot's query-log schema (bot/storage.py owns the real one).
LOG_SCHEMA = """
CREATE TABLE queries (id INTEGER PRIMARY KEY, created_at TEXT, guild_id INTEGER NULL,
    channel_id INTEGER NULL, user_id INTEGER, source TEXT, question TEXT, k INTEGER,
    answered INTEGER, latency_ms REAL, hit_count INTEGER, top_score REAL);
CREATE TABLE hits (query_id INTEGER, rank INTEGER, doc TEXT, chunk_start INTEGER,
    chunk_end INTEGER, excerpt_start INTEGER, excerpt_end INTEGER, score REAL,
    PRIMARY KEY (query_id, rank));
CREATE TABLE feedback (query_id INTEGER, user_id INTEGER, vote INTEGER, created_at TEXT,
    PRIMARY KEY (query_id, user_id));
"""


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
