"""from-export: 👍/👎 in the bot's ``/docqa export`` JSONL (written by its own encoder) become
judgments; the bot's database is never opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from evalkit import write_corpus, write_export

from retrieval.errors import EvalError
from retrieval.eval.feedback import judgments_from_export

TEXT = "Nosotek was founded in 2007. It makes games. Prices are low."
#       0         1         2         3         4         5
#       0123456789012345678901234567890123456789012345678901234567890


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_export(
        tmp_path / "docqa-1-30d.jsonl",
        (1, "Who founded Nosotek?", [
            (1, "a.txt", 0, 28),  # "Nosotek was founded in 2007."
            (2, "a.txt", 29, 44),  # "It makes games."
            (3, "gone.txt", 0, 10),  # document no longer in the corpus: dropped
        ], [1, 1, -1]),  # net +1: 👍
        (2, "What do phones cost?", [(1, "a.txt", 29, 44)], [-1]),  # net -1: 👎
        (3, "A tie?", [(1, "a.txt", 0, 28)], [1, -1]),  # net 0: no judgment
        (4, "No votes?", [], []),  # never voted on: skipped
        (5, "Span past the end?", [(1, "a.txt", 50, 500)], [1]),  # 👍, its span no longer fits
    )  # fmt: skip


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus", {"a.txt": TEXT})


def test_votes_become_judgments(export: Path, corpus: Path) -> None:
    up, down, stale = judgments_from_export([export], corpus)
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


def test_overlapping_exports_judge_each_question_once(
    export: Path, corpus: Path, tmp_path: Path
) -> None:
    again = write_export(tmp_path / "docqa-1-7d.jsonl", (2, "What do phones cost?", [], [-1]))
    judged = judgments_from_export([export, again], corpus)
    assert [q.qid for q in judged] == ["log-1", "log-2", "log-5"]


def test_missing_or_foreign_files_are_errors_naming_the_line(tmp_path: Path, corpus: Path) -> None:
    with pytest.raises(EvalError, match="cannot read export"):
        judgments_from_export([tmp_path / "absent.jsonl"], corpus)
    questions = tmp_path / "questions.jsonl"  # a question set, not an export
    questions.write_text('{"id": "q1", "question": "Who?", "answerable": true}\n', "utf-8")
    with pytest.raises(EvalError, match=r"questions.jsonl:1: not a /docqa export record"):
        judgments_from_export([questions], corpus)
