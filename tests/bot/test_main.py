"""``python -m bot`` as a user runs it: no token, bad settings, and the console."""

from __future__ import annotations

import os
import pty
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answering import NUL_REFUSAL
from bot.settings import DEFAULT_CORPUS, TOKEN_CHARACTERS

QUESTION = "How many North Koreans have mobile phones?"


def bot_env(**env: str) -> dict[str, str]:
    """The environment without DISCORD_*/DOCQA_*, then the seed corpus and ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DOCQA_"))}
    return clean | {"DOCQA_CORPUS_DIR": str(DEFAULT_CORPUS), "DOCQA_LOG_LEVEL": "WARNING", **env}


def run_bot(
    tmp_path: Path, *args: str, stdin: str | int = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """The bot as a subprocess in ``tmp_path`` (so no .env is found); ``stdin`` text or a fd."""
    feed = {"input": stdin} if isinstance(stdin, str) else {"stdin": stdin}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=tmp_path,
        env=bot_env(**env), timeout=60, check=False, **feed,  # type: ignore[call-overload]
    )  # fmt: skip


def test_no_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_bot(tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "DISCORD_TOKEN" in lines[0]
    assert ".env.example" in lines[0]


def test_invalid_setting_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_bot(tmp_path, DOCQA_DEFAULT_K="0", DISCORD_TOKEN="MTIz.not-printed")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: invalid settings: DOCQA_DEFAULT_K: Input should be greater than or equal to 1"
    ]
    assert "not-printed" not in done.stderr


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"DOCQA_ASK_COOLDOWN": "inf"}, "DOCQA_ASK_COOLDOWN: Input should be a finite number"),
        ({"DOCQA_RETENTION_DAYS": "800000"},
         "DOCQA_RETENTION_DAYS: Input should be less than or equal to 36500"),
        ({"DISCORD_TOKEN": "MTIz.not-\nprinted"},
         f"DISCORD_TOKEN: {TOKEN_CHARACTERS}"),
    ],
)  # fmt: skip
def test_a_setting_the_bot_cannot_honour_is_one_line_and_exit_2(
    tmp_path: Path, env: dict[str, str], complaint: str
) -> None:
    done = run_bot(tmp_path, **({"DISCORD_TOKEN": "MTIz.not-printed"} | env))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: invalid settings: {complaint}"]
    assert "not-" not in done.stderr
    assert "printed" not in done.stderr
    assert not (tmp_path / "docqa.db").exists()  # nothing started


def test_unreachable_discord_is_one_line_and_exit_1(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = run_bot(
        tmp_path, DISCORD_TOKEN="MTIz.not-printed", DOCQA_DB_PATH=str(tmp_path / "q.db"),
        DISCORD_API_BASE=f"http://127.0.0.1:{port}/api/v10",
    )  # fmt: skip
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"error: cannot reach Discord at http://127.0.0.1:{port}/api/v10: ")
    assert "not-printed" not in done.stderr


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose index cache (docqa-index/ beside the databases) the console runs share."""
    return tmp_path_factory.mktemp("console")


def test_console_answers_piped_questions_and_logs_them(tmp_path: Path, shared: Path) -> None:
    db = shared / "piped.db"
    piped = f"{QUESTION}\n\n   \n{'x' * 2001}\nWho founded Nosotek?\n"
    done = run_bot(tmp_path, "--console", stdin=piped, DOCQA_DB_PATH=str(db))
    assert done.returncode == 0, done.stderr
    assert "> " not in done.stdout  # no prompt when stdin is a pipe
    first, error_and_second = done.stdout.split("\nerror: ")
    assert first.startswith("[1] ")
    assert "— ¶" in first
    assert "\nDocuments: " in first
    assert error_and_second.startswith("the question is 2001 characters long")
    assert "Nosotek" in error_and_second
    with sqlite3.connect(db) as conn:
        queries = conn.execute("SELECT id, source, user_id, question, hit_count FROM queries")
        [(query_id, source, user_id, question, hit_count), second] = queries.fetchall()
        hits = conn.execute("SELECT count(*) FROM hits WHERE query_id = ?", (query_id,))
        (stored_hits,) = hits.fetchone()
    assert (source, user_id, question) == ("console", 0, QUESTION)
    assert hit_count == stored_hits > 0
    assert second[3] == "Who founded Nosotek?"


def test_console_prompts_at_a_terminal(tmp_path: Path, shared: Path) -> None:
    controller, terminal = pty.openpty()
    try:
        os.write(
            controller, b"When was Nosotek established?\n\x04"
        )  # a line, then end of input (Ctrl-D)
        done = run_bot(tmp_path, "--console", stdin=terminal, DOCQA_DB_PATH=str(shared / "tty.db"))
    finally:
        os.close(controller)
        os.close(terminal)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("> [1] ")
    assert done.stdout.endswith("> \n")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_the_console_cleanly_with_the_answer_logged(
    tmp_path: Path, shared: Path, sig: signal.Signals
) -> None:
    db = shared / f"signal-{sig.name}.db"
    console = subprocess.Popen(
        [sys.executable, "-m", "bot", "--console"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=bot_env(DOCQA_DB_PATH=str(db)),
    )  # fmt: skip
    assert console.stdin is not None
    assert console.stdout is not None
    try:
        console.stdin.write(f"{QUESTION}\n")  # and the pipe stays open: no end of input
        console.stdin.flush()
        while not console.stdout.readline().startswith("Documents: "):
            pass
        console.send_signal(sig)
        _, stderr = console.communicate(timeout=60)
    finally:
        if console.returncode is None:
            console.kill()
            console.wait()
    assert console.returncode == 0, stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT question FROM queries").fetchall() == [(QUESTION,)]


REPO = Path(__file__).resolve().parents[2]


def make_run(tmp_path: Path, dotenv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``make run`` in ``tmp_path`` with this ``.env``, on this interpreter, stdin empty."""
    (tmp_path / ".env").write_text(dotenv)
    (tmp_path / "pyproject.toml").touch()
    stamp = tmp_path / "installed"
    stamp.touch()
    return subprocess.run(
        ["make", "--no-print-directory", "-f", str(REPO / "Makefile"), "run",
         f"PY={sys.executable}", f"STAMP={stamp}"],
        capture_output=True, text=True, cwd=tmp_path, env=bot_env(**env), input="", timeout=120,
        check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    "dotenv", ['DISCORD_TOKEN=""\n', "DISCORD_TOKEN= # paste here\n", "DISCORD_TOKEN=  \n"]
)
def test_make_run_starts_the_console_when_the_token_is_blank(
    tmp_path: Path, shared: Path, dotenv: str
) -> None:
    done = make_run(tmp_path, dotenv, DOCQA_DB_PATH=str(shared / "make.db"))
    assert done.returncode == 0, done.stderr
    assert "DISCORD_TOKEN" not in done.stderr


def test_has_token_answers_by_exit_status_and_prints_nothing(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN= # paste here\n")
    assert run_bot(tmp_path, "--has-token").returncode == 1
    (tmp_path / ".env").write_text("DISCORD_TOKEN='MTIz.not-printed'\n")
    done = run_bot(tmp_path, "--has-token")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    (tmp_path / ".env").write_text("DISCORD_TOKEN='MTIz.not printed'\n")
    done = run_bot(tmp_path, "--has-token")
    assert done.returncode == 2
    assert "printed" not in done.stderr


def test_log_lines_to_a_pipe_have_no_colour_codes(tmp_path: Path, shared: Path) -> None:
    db = shared / "broken.db"
    db.write_text("not a database")  # moved aside, with one warning
    done = run_bot(tmp_path, "--console", DOCQA_DB_PATH=str(db))
    assert done.returncode == 0, done.stderr
    [warning] = [line for line in done.stderr.splitlines() if "WARNING" in line]
    assert "is corrupt" in warning
    assert "\x1b" not in done.stderr


def test_a_nul_in_a_console_question_is_refused_in_one_line(tmp_path: Path, shared: Path) -> None:
    db = shared / "nul.db"
    stdin = "ctrl \x00 red? Koryolink\nWhen was Nosotek established?\n"
    done = run_bot(tmp_path, "--console", stdin=stdin, DOCQA_DB_PATH=str(db))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"error: {NUL_REFUSAL}\n[1] ")
    with sqlite3.connect(db) as conn:
        logged = conn.execute("SELECT question FROM queries").fetchall()
    assert logged == [("When was Nosotek established?",)]


def test_unknown_settings_get_one_warning_with_the_closest_name(
    tmp_path: Path, shared: Path
) -> None:
    (tmp_path / ".env").write_text("DOCQA_DEFALT_K=3\nDOCQA_DEFAULT_k=3\n")
    done = run_bot(tmp_path, "--console", stdin=f"{QUESTION}\n", DOCQA_UNKNOWN_SETTING="1",
                   DOCQA_DB_PATH=str(shared / "unknown.db"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    [warning] = done.stderr.splitlines()
    assert warning.endswith(
        "Ignored unknown settings: DOCQA_DEFALT_K (did you mean DOCQA_DEFAULT_K?), "
        "DOCQA_UNKNOWN_SETTING"
    )  # DOCQA_DEFAULT_k is DOCQA_DEFAULT_K: names are not case-sensitive
    assert done.stdout.count("\n[") == 2  # k = 3 (from DOCQA_DEFAULT_k): three passages
