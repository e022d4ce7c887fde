"""DOCQA_SHARD_COUNT / DOCQA_SHARD_IDS: validated, and they pick the bot class and its shards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from discord.ext import commands
from pydantic import ValidationError

from bot.app import DocqaBot, ShardedDocqaBot, make_bot
from bot.settings import Settings, describe_error
from bot.sharding import AUTO, ShardPlan
from bot.storage.sqlite import Storage


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)


@pytest.mark.parametrize(
    ("env", "plan"),
    [
        ({}, ShardPlan(None, None)),
        ({"DOCQA_SHARD_COUNT": "4", "DOCQA_SHARD_IDS": "0,1"}, ShardPlan(4, (0, 1))),
        ({"DOCQA_SHARD_COUNT": "4", "DOCQA_SHARD_IDS": " 3 , 2"}, ShardPlan(4, (3, 2))),
        ({"DOCQA_SHARD_COUNT": "2"}, ShardPlan(2, None)),
        ({"DOCQA_SHARD_COUNT": "Auto"}, ShardPlan(AUTO, None)),
        ({"DOCQA_SHARD_COUNT": "", "DOCQA_SHARD_IDS": ""}, ShardPlan(None, None)),
    ],
)
def test_shard_settings(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], plan: ShardPlan
) -> None:
    assert load(monkeypatch, **env).shards == plan


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"DOCQA_SHARD_COUNT": "0"}, "DOCQA_SHARD_COUNT: expected a number of shards"),
        ({"DOCQA_SHARD_COUNT": "-2"}, "DOCQA_SHARD_COUNT: expected a number of shards"),
        ({"DOCQA_SHARD_COUNT": "many"}, "DOCQA_SHARD_COUNT: expected a number of shards"),
        ({"DOCQA_SHARD_IDS": "0"}, "DOCQA_SHARD_IDS needs DOCQA_SHARD_COUNT"),
        (
            {"DOCQA_SHARD_COUNT": "auto", "DOCQA_SHARD_IDS": "0"},
            "DOCQA_SHARD_IDS needs DOCQA_SHARD_COUNT",
        ),
        (
            {"DOCQA_SHARD_COUNT": "4", "DOCQA_SHARD_IDS": "2,4"},
            "DOCQA_SHARD_IDS: shard 4 is outside 0..3",
        ),
        ({"DOCQA_SHARD_COUNT": "4", "DOCQA_SHARD_IDS": "1,1"}, "lists a shard more than once"),
        ({"DOCQA_SHARD_COUNT": "4", "DOCQA_SHARD_IDS": "0,,1"}, "DOCQA_SHARD_IDS: expected"),
        ({"DOCQA_SHARD_COUNT": "4", "DOCQA_SHARD_IDS": "-1"}, "DOCQA_SHARD_IDS: expected"),
        ({"DOCQA_SHARD_COUNT": "4", "DOCQA_SHARD_IDS": "[0]"}, "DOCQA_SHARD_IDS: expected"),
    ],
)
def test_invalid_shard_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], complaint: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        load(monkeypatch, **env)
    line = describe_error(caught.value)
    assert complaint in line
    assert "\n" not in line


def test_bad_shard_ids_exit_2_with_one_line(tmp_path: Path) -> None:
    env = {"DISCORD_TOKEN": "x", "DOCQA_SHARD_COUNT": "4", "DOCQA_SHARD_IDS": "0,9"}
    done = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: invalid settings: DOCQA_SHARD_IDS: shard 9 is outside 0..3 (DOCQA_SHARD_COUNT is 4)"
    ]


async def test_unsharded_settings_make_a_plain_bot(settings: Settings, storage: Storage) -> None:
    async with make_bot(settings, storage) as bot:
        assert type(bot) is DocqaBot
        assert not isinstance(bot, commands.AutoShardedBot)
        assert bot.shard_count is None


async def test_shard_settings_make_an_auto_sharded_bot(
    settings: Settings, storage: Storage
) -> None:
    sharded = settings.model_copy(update={"shard_count": 4, "shard_ids": (2, 3)})
    async with make_bot(sharded, storage) as bot:
        assert isinstance(bot, ShardedDocqaBot)
        assert isinstance(bot, commands.AutoShardedBot)
        assert (bot.shard_count, bot.shard_ids) == (4, [2, 3])


async def test_automatic_shard_count_asks_discord(settings: Settings, storage: Storage) -> None:
    automatic = settings.model_copy(update={"shard_count": AUTO})
    async with make_bot(automatic, storage) as bot:
        assert isinstance(bot, ShardedDocqaBot)
        assert (bot.shard_count, bot.shard_ids) == (None, None)  # GET /gateway/bot decides


@pytest.mark.parametrize(
    ("plan", "line", "options"),
    [
        (ShardPlan(None), "unsharded", {}),
        (ShardPlan(4, (0, 1)), "shards 0, 1 of 4", {"shard_count": 4, "shard_ids": [0, 1]}),
        (ShardPlan(2), "all shards (2)", {"shard_count": 2}),
        (ShardPlan(AUTO), "all shards (Discord's count)", {}),
    ],
)
def test_a_plan_names_its_shards_and_options(
    plan: ShardPlan, line: str, options: dict[str, object]
) -> None:
    assert plan.describe() == line
    assert plan.client_options() == options
