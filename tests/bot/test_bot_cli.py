"""``python -m bot`` as a user runs it: no token, bad settings, and the console."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_CORPUS

QUESTION = "How many North Koreans have mobile phones?"


def run_bot(
    tmp_path: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """The bot as a subprocess in ``tmp_path`` (so no .env is found), without DISCORD_*."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DOCQA_"))}
    clean |= {"DOCQA_CORPUS_DIR": str(DEFAULT_CORPUS), "DOCQA_LOG_LEVEL": "WARNING", **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        cwd=tmp_path, env=clean, timeout=60, check=False,
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


@pytest.mark.slow
def test_console_answers_piped_questions_and_logs_them(tmp_path: Path) -> None:
    db = tmp_path / "log" / "docqa.db"
    done = run_bot(tmp_path, "--console", stdin=f"{QUESTION}\n\n   \n", DOCQA_DB_PATH=str(db))
    assert done.returncode == 0, done.stderr
    assert "> " not in done.stdout  # no prompt when stdin is a pipe
    assert done.stdout.startswith("[1] ")
    assert "— ¶" in done.stdout
    assert "Documents: " in done.stdout
    with sqlite3.connect(db) as conn:
        queries = conn.execute("SELECT id, source, user_id, question, hit_count FROM queries")
        [(query_id, source, user_id, question, hit_count)] = queries.fetchall()
        hits = conn.execute("SELECT count(*) FROM hits WHERE query_id = ?", (query_id,))
        (stored_hits,) = hits.fetchone()
    assert (source, user_id, question) == ("console", 0, QUESTION)
    assert hit_count == stored_hits > 0


def test_console_reports_a_bad_question_and_goes_on(tmp_path: Path) -> None:
    done = run_bot(
        tmp_path, "--console", stdin="x" * 2001 + "\nWho founded Nosotek?\n",
        DOCQA_DB_PATH=str(tmp_path / "q.db"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("error: the question is 2001 characters long")
    assert "Nosotek" in done.stdout
