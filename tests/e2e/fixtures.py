"""Fixtures for tests that run the real bot against the emulator: import them into a conftest.

``tests/e2e/conftest.py`` does; another suite may too, and override any one (e.g. ``emu``
with other guilds) by defining it again in its own conftest::

    from e2e.fixtures import clean_environment, live, seed_engine, settings, storage  # noqa: F401
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from discord_emulator import Emulator
from e2e.harness import TOKEN, bot_settings, live_bot, two_guilds

from bot.app import DocqaBot
from bot.settings import DEFAULT_CORPUS, Settings
from bot.storage.sqlite import Storage
from retrieval import EngineOptions, SearchEngine, load_or_build

__all__ = [
    "clean_environment", "emu", "live", "seed_cache", "seed_engine", "settings", "storage",
]  # fmt: skip


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No DISCORD_*/DOCQA_* from the developer's shell reaches the bot's settings."""
    for name in list(os.environ):
        if name.startswith(("DISCORD_", "DOCQA_")):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def seed_engine() -> SearchEngine:
    """The seed corpus's engine, built once: the in-process bots skip their own build."""
    return SearchEngine.from_directory(DEFAULT_CORPUS, EngineOptions())


@pytest.fixture(scope="session")
def seed_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus's index cache, built once: bot processes link it as their own."""
    folder = tmp_path_factory.mktemp("docqa-index")
    load_or_build(DEFAULT_CORPUS, EngineOptions(), folder)
    return folder


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """Two guilds (see :func:`~e2e.harness.two_guilds`); the bot's token is :data:`TOKEN`."""
    async with Emulator(two_guilds(), token=TOKEN) as emulator:
        yield emulator


@pytest.fixture
def settings(tmp_path: Path, emu: Emulator) -> Settings:
    return bot_settings(tmp_path / "docqa.db", emu)


@pytest.fixture
async def storage(settings: Settings) -> AsyncIterator[Storage]:
    """The bot's database, opened by the test too (WAL: both read and write safely)."""
    async with await Storage.open(settings.db_path) as opened:
        yield opened


@pytest.fixture
async def live(
    emu: Emulator, settings: Settings, storage: Storage, seed_engine: SearchEngine
) -> AsyncIterator[DocqaBot]:
    """The real bot in-process, connected and ready; closed (its log flushed) after the test."""
    async with live_bot(emu, settings, storage, seed_engine) as bot:
        yield bot
