"""from-log: 👍/👎 in a real SQLite query log (the bot's schema) become judgments."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from evalkit import LOG_SCHEMA, write_corpus

from retrieval.eval.errors import EvalError
from retrieval.eval.feedback import judgments_from_log

TEXT = "Nosotek was founded in 2007. It makes games. Prices are low."
#       0         1         2         3         4         5
#       0123456789012345678901234567890123456789012345678901234567890


def _query(db: sqlite3.Connection, qid: int, question: str, votes: list[int]) -> None:
    db.execute(
        "INSERT INTO queries VALUES (?, '2026-01-01', 1, 2, 3, 'slash', ?, 5, 1, 4.0, 2, 9.0)",
        (qid, question),
    )
    for user, vote in enumerate(votes, start=10):
        db.execute("INSERT INTO feedback VALUES (?, ?, ?, '2026-01-01')", (qid, user, vote))


def _hit(db: sqlite3.Connection, qid: int, rank: int, doc: str, span: tuple[int, int]) -> None:
    db.execute("INSERT INTO hits VALUES (?, ?, ?, 0, 60, ?, ?, 1.0)", (qid, rank, doc, *span))


@pytest.fixture
def log_db(tmp_path: Path) -> Path:
    path = tmp_path / "docqa.db"
    with sqlite3.connect(path) as db:
        db.executescript(LOG_SCHEMA)
        _query(db, 1, "Who founded Nosotek?", [1, 1, -1])  # net +1: 👍
        _hit(db, 1, 1, "a.txt", (0, 28))  # "Nosotek was founded in 2007."
        _hit(db, 1, 2, "a.txt", (29, 44))  # "It makes games."
        _hit(db, 1, 3, "gone.txt", (0, 10))  # document no longer in the corpus: dropped
        _query(db, 2, "What do phones cost?", [-1])  # net -1: 👎
        _hit(db, 2, 1, "a.txt", (29, 44))
        _query(db, 3, "A tie?", [1, -1])  # net 0: no judgment
        _hit(db, 3, 1, "a.txt", (0, 28))
        _query(db, 4, "No votes?", [])  # never voted on: skipped
        _query(db, 5, "Span past the end?", [1])  # 👍 but its only span no longer fits
        _hit(db, 5, 1, "a.txt", (50, 500))
    db.close()
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus", {"a.txt": TEXT})


def test_votes_become_judgments(log_db: Path, corpus: Path) -> None:
    up, down, stale = judgments_from_log(log_db, corpus)
    # 👍: the shown excerpts are the evidence, text read from the corpus file.
    assert (up.qid, up.question, up.answerable) == ("log-1", "Who founded Nosotek?", True)
    assert [(e.doc, e.span.start, e.span.end, e.text) for e in up.relevant] == [
        ("a.txt", 0, 28, "Nosotek was founded in 2007."),
        ("a.txt", 29, 44, "It makes games."),
    ]
    assert up.judged
    assert not up.irrelevant
    # 👎: still answerable, no evidence (unjudged), the shown excerpt recorded as irrelevant.
    assert (down.qid, down.answerable, down.relevant) == ("log-2", True, ())
    assert [e.text for e in down.irrelevant] == ["It makes games."]
    assert not down.judged
    # 👍 whose span no longer fits the file: kept, but with nothing to judge by.
    assert (stale.qid, stale.relevant, stale.judged) == ("log-5", (), False)


def test_the_log_is_opened_read_only(log_db: Path, corpus: Path) -> None:
    before = log_db.read_bytes()
    judgments_from_log(log_db, corpus)
    assert log_db.read_bytes() == before
    assert not Path(f"{log_db}-wal").exists()


def test_missing_or_foreign_databases_are_errors(tmp_path: Path, corpus: Path) -> None:
    with pytest.raises(EvalError, match="does not exist"):
        judgments_from_log(tmp_path / "absent.db", corpus)
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()  # a database without the log's tables
    with pytest.raises(EvalError, match="not a docqa query log"):
        judgments_from_log(other, corpus)
