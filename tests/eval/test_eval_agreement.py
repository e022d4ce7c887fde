"""Our figures agree with the independent scorer (../shared/eval/score_run.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from evalkit import DEV_SET, REPO, SCORE_RUN

from retrieval.eval.questions import load_questions
from retrieval.eval.runner import Evaluation, evaluate, evaluate_engine
from retrieval.eval.runs import load_run
from retrieval.types import EngineOptions

needs_scorer = pytest.mark.skipif(not SCORE_RUN.is_file(), reason=f"{SCORE_RUN} is absent")


def _score_run(questions: Path, run: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(SCORE_RUN), str(questions), str(run)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout))


def _ours(ev: Evaluation) -> dict[str, Any]:
    """Our evaluation in score_run.py's shape and rounding."""
    out: dict[str, Any] = {}
    for level, scores in ev.levels.items():
        names = ("hit@1", "hit@3", "hit@5", "mrr@10")
        out[level] = {"n": len(scores.per_question)} | {n: round(scores.means[n], 3) for n in names}
    a = ev.abstention
    out["abstain"] = {
        "unanswerable_flagged": a.unanswerable_flagged,
        "unanswerable": a.unanswerable,
        "answerable_wrongly_flagged": a.answerable_flagged,
        "answerable": a.answerable,
    }
    out["excerpt_chars_median"] = ev.timing.excerpt_chars_median
    return out


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dev set answered by `python -m retrieval search --batch --k 10`."""
    path = tmp_path_factory.mktemp("agreement") / "run.jsonl"
    with path.open("w", encoding="utf-8") as out:
        cmd = [sys.executable, "-m", "retrieval", "search", "--batch", str(DEV_SET), "--k", "10"]
        subprocess.run(cmd, stdout=out, cwd=REPO, check=True)
    return path


@needs_scorer
def test_dev_set_figures_agree_with_score_run(batch_run: Path) -> None:
    theirs = _score_run(DEV_SET, batch_run)
    ours = _ours(evaluate(load_questions(DEV_SET), load_run(batch_run)))
    assert theirs["missing"] == []
    assert {k: theirs[k] for k in ours} == ours


def test_live_run_equals_the_batch_file(batch_run: Path) -> None:
    """`run` (engine in-process) scores exactly what `search --batch` wrote."""
    questions = load_questions(DEV_SET)
    live = evaluate_engine(questions, EngineOptions(), k=10)
    from_file = evaluate(questions, load_run(batch_run))
    assert live.levels == from_file.levels
    assert live.rows == from_file.rows
    assert live.timing.latency_p50_ms is not None
    assert from_file.timing.latency_p50_ms is None


# A hand-made question set and run in the batch format. Evidence lengths are 20 characters, so a
# unit must overlap 10 of them.
HAND_QUESTIONS = [
    {"id": "h1", "question": "?", "answerable": True,
     "relevant": [{"doc": "a.txt", "evidence": "", "start": 100, "end": 120}]},
    {"id": "h2", "question": "?", "answerable": True,
     "relevant": [{"doc": "b.txt", "evidence": "", "start": 0, "end": 20}]},
    {"id": "h3", "question": "?", "answerable": True,
     "relevant": [{"doc": "a.txt", "evidence": "", "start": 300, "end": 320}]},
    {"id": "h4", "question": "?", "answerable": False, "relevant": []},
]  # fmt: skip


def _hit(doc: str, chunk: tuple[int, int], excerpt: tuple[int, int]) -> dict[str, Any]:
    return {"doc": doc, "chunk_start": chunk[0], "chunk_end": chunk[1],
            "excerpt_start": excerpt[0], "excerpt_end": excerpt[1]}  # fmt: skip


HAND_RUN = [
    # h1: rank 1 is another document; rank 2's excerpt [105, 200) covers 15/20 → relevant at 2.
    {"id": "h1", "answered": True,
     "hits": [_hit("b.txt", (100, 120), (100, 120)), _hit("a.txt", (0, 400), (105, 200))]},
    # h2: rank 1's excerpt [11, 60) covers 9/20 (not relevant) but its chunk [0, 60) covers 20/20
    # → excerpt level: relevant at rank 3 ([0, 20)); chunk level: relevant at rank 1.
    {"id": "h2", "answered": False,
     "hits": [_hit("b.txt", (0, 60), (11, 60)), _hit("a.txt", (0, 10), (0, 10)),
              _hit("b.txt", (0, 20), (0, 20))]},
    # h3: the only hit ends where the evidence starts: overlap 0 → never relevant.
    {"id": "h3", "answered": True, "hits": [_hit("a.txt", (200, 300), (250, 300))]},
    # h4: unanswerable and flagged: counts for abstention only.
    {"id": "h4", "answered": False, "hits": [_hit("a.txt", (0, 30), (0, 30))]},
]  # fmt: skip

# Three answerable questions. Excerpt ranks: 2, 3, none; chunk ranks: 2, 1, none.
HAND_EXPECTED = {
    "excerpt": {"n": 3, "hit@1": 0.0, "hit@3": round(2 / 3, 3), "hit@5": round(2 / 3, 3),
                "mrr@10": round((1 / 2 + 1 / 3) / 3, 3)},
    "chunk": {"n": 3, "hit@1": round(1 / 3, 3), "hit@3": round(2 / 3, 3),
              "hit@5": round(2 / 3, 3), "mrr@10": round((1 / 2 + 1) / 3, 3)},
    # h4 flagged (1 of 1 unanswerable); h2 answerable but flagged (1 of 3).
    "abstain": {"unanswerable_flagged": 1, "unanswerable": 1,
                "answerable_wrongly_flagged": 1, "answerable": 3},
    # Top-3 excerpt lengths: 20, 95, 49, 10, 20, 50, 30 → sorted 10 20 20 30 49 50 95 → 30.
    "excerpt_chars_median": 30,
}  # fmt: skip


@pytest.fixture
def hand_files(tmp_path: Path) -> tuple[Path, Path]:
    questions, run = tmp_path / "questions.jsonl", tmp_path / "run.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in HAND_QUESTIONS), encoding="utf-8")
    run.write_text("".join(json.dumps(r) + "\n" for r in HAND_RUN), encoding="utf-8")
    return questions, run


def test_hand_made_run_scores_as_worked_out(hand_files: tuple[Path, Path]) -> None:
    questions, run = hand_files
    assert _ours(evaluate(load_questions(questions), load_run(run))) == HAND_EXPECTED


@needs_scorer
def test_hand_made_run_agrees_with_score_run(hand_files: tuple[Path, Path]) -> None:
    theirs = _score_run(*hand_files)
    assert {k: theirs[k] for k in HAND_EXPECTED} == HAND_EXPECTED
