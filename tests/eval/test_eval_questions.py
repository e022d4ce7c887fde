"""Question sets: the bundled dev set is valid, and broken files fail with a line number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from evalkit import DEV_SET, REPO

from retrieval import load_corpus
from retrieval.errors import EvalError
from retrieval.eval.questions import load_questions, parse_question, question_record


def test_dev_set_evidence_matches_the_seed_corpus() -> None:
    texts = {d.doc_id: d.text for d in load_corpus(REPO / "seeds")}
    questions = load_questions(DEV_SET)
    assert len(questions) >= 20
    for q in questions:
        assert q.answerable == bool(q.relevant), q.qid
        for e in q.relevant:
            assert texts[e.doc][e.span.start : e.span.end] == e.text, q.qid


def test_records_round_trip() -> None:
    line = json.loads(DEV_SET.read_text(encoding="utf-8").splitlines()[0])
    assert question_record(parse_question(line)) == line


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


OK = '{"id": "a", "question": "?", "answerable": false}'


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not a JSON object"),
        ('{"id": "b", "question": "?"}', "needs id, question and answerable"),
        ('{"id": "b", "question": "?", "answerable": "yes"}', "true or false"),
        (OK, "duplicate question id"),
        (
            '{"id": "b", "question": "?", "answerable": true, '
            '"relevant": [{"doc": "d", "start": 9, "end": 9}]}',
            "start < end",
        ),
        (
            '{"id": "b", "question": "?", "answerable": false, '
            '"relevant": [{"doc": "d", "start": 0, "end": 9}]}',
            "cannot have relevant evidence",
        ),
    ],
)
def test_broken_lines_name_the_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path, OK, "", line)
    with pytest.raises(EvalError, match=message) as info:
        load_questions(path)
    assert f"{path}:3" in str(info.value)


def test_missing_or_empty_files_are_errors(tmp_path: Path) -> None:
    with pytest.raises(EvalError, match="cannot read"):
        load_questions(tmp_path / "absent.jsonl")
    with pytest.raises(EvalError, match="no questions"):
        load_questions(_write(tmp_path, ""))
