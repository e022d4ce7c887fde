"""``python -m retrieval.eval`` end to end on the dev set and small files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from evalkit import DEV_SET, REPO, THRESHOLDS, write_beir, write_corpus, write_export

from retrieval.eval.evalcli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


FIGURES = ["hit@1", "hit@3", "hit@5", "mrr@10", "ndcg@10", "recall@10", "p50", "p95"]
FIGURES += ["unanswerable flagged", "answerable wrongly flagged", "excerpt chars"]


def test_run_prints_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "run", "--questions", str(DEV_SET), "--per-question")
    assert code == 0
    for figure in FIGURES:
        assert figure in out
    assert "q001" in out
    assert "first relevant rank" in out


def test_run_json_and_engine_flags(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "run", "--questions", str(DEV_SET), "--json", "--k1", "0.9", "--no-stopwords"
    )
    record = json.loads(out)
    assert code == 0
    assert record["options"]["k1"] == 0.9
    assert record["options"]["stopwords"] is False
    assert set(record["excerpt"]) >= {"n", "hit@1", "mrr@10", "recall@10"}
    assert record["timing"]["latency_p95_ms"] >= record["timing"]["latency_p50_ms"] > 0


def test_gate_passes_on_todays_engine_for_every_set(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "gate", "--thresholds", str(THRESHOLDS))
    assert code == 0, out + err
    for name in ("seed-dev", "readmes_a", "readmes_b", "squad-1k"):
        assert f"{name}: ok   excerpt hit@1" in out
        assert f"{name}: ok   excerpt mrr@10" in out


def test_gate_sets_name_the_set_that_dropped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_corpus(tmp_path / "sets" / "corpus", {"a.txt": "Radios are fixed to state stations."})
    (tmp_path / "sets" / "q.jsonl").write_text(
        '{"id": "r", "question": "What are radios fixed to?", "answerable": true, '
        '"relevant": [{"doc": "a.txt", "start": 0, "end": 6}]}\n',
        encoding="utf-8",
    )
    thresholds = tmp_path / "t.toml"
    thresholds.write_text(
        '[sets.small]\nquestions = "sets/q.jsonl"\ncorpus = "sets/corpus"\n'
        '[sets.small.excerpt]\n"hit@1" = 0.5\n"recall@10" = 1.0\n',
        encoding="utf-8",
    )
    code, out, err = _run(capsys, "gate", "--thresholds", str(thresholds))
    assert code == 0, out + err
    assert "small: ok   excerpt hit@1: 1.000 >= 0.500" in out
    thresholds.write_text(
        '[sets.small]\nquestions = "sets/missing.jsonl"\ncorpus = "sets/corpus"\n', encoding="utf-8"
    )
    assert _run(capsys, "gate", "--thresholds", str(thresholds))[0] != 0


def test_gate_fails_naming_the_metric_that_dropped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "Radios are fixed to state stations."})
    questions = tmp_path / "q.jsonl"
    # No corpus word is in the question, so nothing is retrieved: hit@1 is 0.
    questions.write_text(
        '{"id": "z", "question": "Zebras?", "answerable": true, '
        '"relevant": [{"doc": "a.txt", "start": 0, "end": 6}]}\n',
        encoding="utf-8",
    )
    thresholds = tmp_path / "t.toml"
    thresholds.write_text('[excerpt]\n"hit@1" = 0.5\n"recall@10" = 0.0\n', encoding="utf-8")
    code, out, err = _run(
        capsys, "gate", "--questions", str(questions), "--thresholds", str(thresholds),
        "--corpus", str(corpus),
    )  # fmt: skip
    assert code == 1
    assert "FAIL excerpt hit@1: 0.000 < 0.500" in out
    assert "ok   excerpt recall@10" in out
    assert "excerpt hit@1 dropped to 0.000, below 0.500" in err
    assert "recall@10" not in err


def test_compare_reports_wins_and_a_p_value(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "compare", "", "stem=false", "--questions", str(DEV_SET), "--json")
    record = json.loads(out)
    assert code == 0
    assert record["b"] == "stem=False"
    assert record["test"] == "randomization"
    assert record["wins"] + record["losses"] + record["ties"] == len(record["pairs"])
    assert 0 < record["p_value"] <= 1


def test_beir_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(capsys, "beir", str(write_beir(tmp_path / "beir")), "--json")
    assert code == 0
    assert json.loads(out)["ndcg@10"] == pytest.approx(2 / 3)


def test_sweep_command_writes_its_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(
        capsys, "sweep", "--questions", str(DEV_SET), "--k1", "1.2", "--b", "0.75",
        "--variant", "okapi", "--chunking", "64/32", "--stem", "on", "--stopwords", "on,off",
        "--csv", str(tmp_path / "s.csv"), "--plot", str(tmp_path / "s.png"), "--no-progress",
    )  # fmt: skip
    assert code == 0
    assert "2 configurations" in out
    assert (tmp_path / "s.csv").is_file()
    assert (tmp_path / "s.png").is_file()


def test_from_export_writes_a_question_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "Nosotek was founded in 2007."})
    export = write_export(
        tmp_path / "export.jsonl", (7, "Who founded it?", [(1, "a.txt", 0, 7)], [1])
    )
    out_file = tmp_path / "judged.jsonl"
    code, _, err = _run(
        capsys, "from-export", str(export), "--corpus", str(corpus), "--out", str(out_file)
    )
    assert code == 0
    assert "1 net 👍" in err
    record = json.loads(out_file.read_text(encoding="utf-8"))
    assert record["relevant"] == [{"doc": "a.txt", "evidence": "Nosotek", "start": 0, "end": 7}]
    code, out, _ = _run(capsys, "run", "--questions", str(out_file), "--corpus", str(corpus))
    assert code == 0
    assert "1 judged" in out


def test_errors_are_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "run", "--questions", str(REPO / "absent.jsonl"))
    assert code == 2
    assert err.startswith("error: cannot read question set")
