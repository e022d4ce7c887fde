"""Fixtures for the bot's tests: one seed-corpus engine per session, real SQLite in tmp_path."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from bot_doubles import BotFactory

from bot.app import DocqaBot
from bot.library.uploaded import Library, LibraryLimits
from bot.settings import DEFAULT_CORPUS, Settings
from bot.storage.sqlite import Storage
from retrieval import EngineOptions, SearchEngine


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No DISCORD_*/DOCQA_* from the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith(("DISCORD_", "DOCQA_")):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def engine() -> SearchEngine:
    return SearchEngine.from_directory(DEFAULT_CORPUS, EngineOptions())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "docqa.db"


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return Settings(_env_file=None, db_path=db_path, ask_cooldown=0, retention_days=0)


@pytest.fixture
async def storage(db_path: Path) -> AsyncIterator[Storage]:
    async with await Storage.open(db_path) as opened:
        yield opened


@pytest.fixture
async def make_bot(settings: Settings, engine: SearchEngine) -> AsyncIterator[BotFactory]:
    """Build and set up bots (offline: nothing connects); all are closed after the test."""
    bots: list[DocqaBot] = []

    async def make(storage: Storage, **overrides: Any) -> DocqaBot:
        configured = settings.model_copy(update=overrides)
        bot = DocqaBot(configured, storage, engine=engine)
        await bot.setup_hook()
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.close()


@pytest.fixture(scope="session")
def seed_engine(engine: SearchEngine) -> SearchEngine:
    """The seeds' engine, as the moderation and library tests call it."""
    return engine


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private copy of the seeds, so a test may change the corpus on disk."""
    return Path(shutil.copytree(DEFAULT_CORPUS, tmp_path / "seeds"))


@pytest.fixture
def library(tmp_path: Path, seed_engine: SearchEngine) -> Library:
    return Library(tmp_path / "docqa-uploads", LibraryLimits(2000, 3), seed_engine.documents)
