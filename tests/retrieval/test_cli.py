from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SEEDS, write_corpus

from retrieval.cli import main, semantic_setting
from retrieval.indexcmd import _one_line

FIELDS = {
    "rank",
    "doc",
    "title",
    "score",
    "paragraph",
    "page",
    "chunk_start",
    "chunk_end",
    "excerpt_start",
    "excerpt_end",
    "excerpt",
}


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch) -> None:
    # The CLI caches its index beside DOCQA_DB_PATH; keep test runs out of the work tree.
    monkeypatch.setenv("DOCQA_DB_PATH", str(tmp_path / "docqa.db"))


def test_search_prints_numbered_cited_excerpts(capsys) -> None:
    assert main(["search", "Who is the president of Nosotek?", "--k", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[1] ")
    assert "¶" in out
    assert "Nosotek" in out
    assert "**" not in out  # plain text; bold (ANSI) only on a terminal


def test_search_json_is_one_object(capsys) -> None:
    assert main(["search", "How much is a prepaid plan?", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["answered"] is True
    assert set(record["hits"][0]) == FIELDS


def test_batch_writes_one_line_per_question(tmp_path, capsys) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "a", "question": "How much is a prepaid plan?", "extra": 1}\n\n'
        '{"id": "b", "question": "   "}\n',
        encoding="utf-8",
    )
    assert main(["search", "--batch", str(questions), "--k", "10"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["id"] for x in lines] == ["a", "b"]
    assert lines[0]["hits"]
    assert all(set(h) == FIELDS for h in lines[0]["hits"])
    assert lines[1] == {"id": "b", "answered": False, "hits": [], "error": "the question is empty"}


def test_docs_lists_titles_chunks_and_tokens(capsys) -> None:
    assert main(["docs"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 5
    assert all("chunks" in r and "tokens" in r for r in rows)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", ""], "empty"),
        (["search", "x" * 2001], "limit is 2000"),
        (["--corpus", "/nonexistent/dir", "search", "hi"], "does not exist"),
        (["search"], "give a question"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(argv, message, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", "x", "--k", "abc"], "argument --k: invalid int value: 'abc'"),
        (["search", "x", "--k", "1.5"], "argument --k: invalid int value: '1.5'"),
        (["index", "--workers", "0"], "argument --workers: must be between 1 and 64 (got 0)"),
        (["index", "--workers", "99"], "argument --workers: must be between 1 and 64 (got 99)"),
        (["bogus"], "argument command: invalid choice: 'bogus'"),
    ],
)
def test_usage_mistakes_are_one_line_too(argv, message, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {message}")
    assert err.count("\n") == 1


def test_a_bad_batch_line_stops_the_run_before_any_output(tmp_path, capsys) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "a", "question": "Who founded Nosotek?"}\nnot json\n', "utf-8")
    assert main(["search", "--batch", str(batch)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"error: {batch}:2: expected a JSON object with id and question\n"


def test_a_question_and_a_batch_together_are_refused(tmp_path, capsys) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "a", "question": "Who founded Nosotek?"}\n', "utf-8")
    assert main(["search", "x", "--batch", str(batch)]) == 2
    assert capsys.readouterr().err == "error: give a question or --batch FILE.jsonl, not both\n"


def test_empty_corpus_and_unreadable_files(tmp_path, caplog) -> None:
    empty = write_corpus(tmp_path / "empty", {})
    assert main(["--corpus", str(empty), "docs"]) == 2
    mixed = write_corpus(tmp_path / "mixed", {"ok.txt": "Rivers flood.", "bad.txt": b"\xff\xfe"})
    assert main(["--corpus", str(mixed), "search", "rivers"]) == 0
    assert "bad.txt" in caplog.text


def test_module_entry_point_runs_offline() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "retrieval",
            "--corpus",
            str(SEEDS),
            "search",
            "Who founded Nosotek?",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert "[1]" in done.stdout


def test_docqa_semantic_is_read_as_the_bot_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("docqa_semantic=off\n")
    monkeypatch.delenv("DOCQA_SEMANTIC", raising=False)
    assert semantic_setting(env_file) == "off"  # .env, whatever the case
    monkeypatch.setenv("DOCQA_SEMANTIC", "on")
    assert semantic_setting(env_file) == "on"  # the environment wins


def test_docs_prints_names_and_titles_as_one_printable_field_each(tmp_path, capsys) -> None:
    corpus = write_corpus(tmp_path / "c", {"tab\there.md": "# Evil \x1b[2J\x07 title\n\nText.\n"})
    assert main(["docs", "--corpus", str(corpus), "--no-cache", "--no-semantic"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows == ["tab\ufffdhere.md\tEvil \ufffd[2J\ufffd title\t1 chunks\t11 tokens"]


def test_an_index_cache_path_that_is_a_file_is_one_line(tmp_path, capsys) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a folder\n", encoding="utf-8")
    argv = ["index", "--corpus", str(SEEDS), "--cache", str(taken), "--no-semantic"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == f"error: cannot write the index cache in {taken}: File exists\n"
    assert taken.read_text(encoding="utf-8") == "not a folder\n"  # nothing lost


def test_a_failed_index_build_names_what_failed(tmp_path) -> None:
    cache = tmp_path / "cache"
    unreadable = PermissionError(13, "Permission denied", str(tmp_path / "corpus" / "b.txt"))
    assert (
        str(_one_line(unreadable, cache))
        == f"cannot read {tmp_path}/corpus/b.txt: Permission denied"
    )
    taken = FileExistsError(17, "File exists", str(cache))
    assert str(_one_line(taken, cache)) == f"cannot write the index cache in {cache}: File exists"
    inside = PermissionError(13, "Permission denied", str(cache / ".index.tmp"))
    assert "cannot write the index cache" in str(_one_line(inside, cache))


def test_warnings_show_a_file_names_control_characters_as_replacement(tmp_path) -> None:
    corpus = write_corpus(tmp_path / "c", {"ok.txt": "Some words.\n", "a\x1b[2Jb.xyz": "x"})
    argv = [sys.executable, "-m", "retrieval", "docs", "--corpus", str(corpus), "--no-cache"]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, check=True, timeout=120)
    assert "skipping files of unknown type: a\ufffd[2Jb.xyz" in done.stderr
    assert "\x1b" not in done.stderr


def test_the_module_exits_with_main_s_status() -> None:
    argv = [sys.executable, "-m", "retrieval", "search", "--k", "0", "a question"]
    done = subprocess.run(argv, check=False, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "error: --k must be between 1 and 50 (got 0)\n"


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    """``search --batch … | head -1``: 2,000 hits of output, far more than a pipe holds."""
    batch = tmp_path / "q.jsonl"
    batch.write_text("".join(f'{{"id": "{n}", "question": "Nosotek games"}}\n' for n in range(40)))
    argv = [sys.executable, "-m", "retrieval", "--corpus", str(SEEDS), "--cache", str(tmp_path)]
    argv += ["search", "--no-semantic", "--batch", str(batch), "--k", "50"]
    with subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        assert child.stdout.read(100)
        child.stdout.close()
        errors = child.stderr.read().decode()
        assert child.wait(timeout=120) == 1
    assert "Traceback" not in errors
    assert "BrokenPipe" not in errors


def test_ctrl_c_is_status_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("retrieval.cli.run", interrupted)
    assert main(["search", "a question"]) == 130
    assert capsys.readouterr().err == ""
