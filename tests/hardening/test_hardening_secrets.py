"""The bot token never shows: not in logs (even at DEBUG), exceptions, reprs, the query log or
any file the bot writes; and .env, where it lives, is never committed."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import traceback
from pathlib import Path

import discord
import pytest
from discord_emulator import Emulator, running_client
from e2e.harness import QUESTION, START, TIMEOUT, bot_settings, field_names
from e2e.process import bot_process
from pydantic import ValidationError

from bot.app import DocqaBot
from bot.settings import Settings, describe_error
from bot.storage.sqlite import Storage
from retrieval import SearchEngine

# Shaped like a real token (user id . timestamp . HMAC), and unique enough to grep for.
TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0Mw.GhArDn.s3cr3t-h4rd3n1ng-T0k3n_9f8e7d6c5b4a3z2y1x0w"
SECRET = TOKEN.rsplit(".", 1)[-1]  # the part that must never leak (the first is an id)
REPO = Path(__file__).resolve().parents[2]


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def assert_nowhere(**places: str | bytes) -> None:
    for name, text in places.items():
        data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
        assert SECRET.encode() not in data, f"the token's secret part is in {name}"


@pytest.mark.slow
async def test_a_debug_run_of_the_bot_process_never_shows_the_token(tmp_path: Path) -> None:
    async with Emulator(token=TOKEN) as emu:
        emu.inject_server_error("POST", "/webhooks/*/*", count=2)  # an error path, logged
        async with bot_process(emu, tmp_path, TOKEN, DOCQA_LOG_LEVEL="DEBUG") as bot:
            async with asyncio.timeout(START + TIMEOUT):
                await emu.wait_for_bot_ready(START)
                handle = await emu.send_slash("ask", {"question": QUESTION})
                answer = await handle.wait_response()
                vote = await emu.click_button(answer, f"docqa:vote:{handle.id}:up")
                await vote.wait_response()
                asked = await emu.send_message(f"{QUESTION} {TOKEN[:8]}", mentions=[emu.bot_user])
                await emu.wait_for_message(after=asked)
                assert await bot.terminate() == 0, bot.stderr
            assert field_names(answer)
    assert "DEBUG" in bot.stderr  # it really logged at DEBUG: gateway, HTTP, SQL...
    assert "Discord failed the follow-up" in bot.stderr
    assert_nowhere(stdout=bot.stdout, stderr=bot.stderr, **files_under(tmp_path))


async def test_an_in_process_run_never_logs_or_shows_the_token(
    tmp_path: Path, seed_engine: SearchEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with Emulator(token=TOKEN) as emu:
        settings = bot_settings(tmp_path / "docqa.db", emu, discord_token=TOKEN)
        async with await Storage.open(settings.db_path) as storage:
            bot = DocqaBot(settings, storage, engine=seed_engine, guild_ready_timeout=0.05)
            async with running_client(emu, bot, token=TOKEN):
                handle = await emu.send_slash("ask", {"question": QUESTION})
                await handle.wait_response()
                reprs = {
                    "bot": repr(bot), "http": repr(bot.http), "settings": repr(settings),
                    "str(settings)": str(settings), "dump": repr(settings.model_dump()),
                    "json": settings.model_dump_json(), "token field": repr(settings.discord_token),
                    "storage": repr(storage), "ws": repr(bot.ws),
                }  # fmt: skip
    ours = [r for r in caplog.records if not r.name.startswith("discord_emulator")]
    assert len(ours) > 20  # DEBUG lines from discord.py, aiosqlite and docqa
    assert_nowhere(log="\n".join(f"{r.name} {r.getMessage()}" for r in ours), **reprs)
    assert_nowhere(**files_under(tmp_path))


async def test_a_rejected_token_shows_nowhere_in_the_exception(tmp_path: Path) -> None:
    async with Emulator(token="some-other-token") as emu:
        bot = discord.Client(intents=discord.Intents.default())
        with pytest.raises(discord.LoginFailure) as caught:
            async with running_client(emu, bot, token=TOKEN):
                pass
    text = "".join(traceback.format_exception(caught.value))
    assert_nowhere(exception=text, repr=repr(caught.value), args=repr(caught.value.args))


def test_a_bad_setting_is_reported_without_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("DOCQA_DEFAULT_K", "99")
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)
    assert_nowhere(described=describe_error(caught.value))
    assert SECRET not in repr(Settings(_env_file=None, default_k=3))


def test_dotenv_is_ignored_by_git_and_the_example_holds_no_token() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=REPO, check=False)
    assert ignored.returncode == 0
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert ".env" not in tracked.stdout.split()
    example = (REPO / ".env.example").read_text()
    assert "DISCORD_TOKEN=\n" in example  # a blank to fill in, not a token
