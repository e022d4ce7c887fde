"""Fixtures for the moderator commands: a real temporary database (each test runs on SQLite
and on PostgreSQL: ``storage_backends``), library and engines."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sample_log import log_sample
from storage_backends import open_storage, storage

from bot.answering import AskService
from bot.engines import EngineRegistry
from bot.library.uploaded import Library
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.guild_settings import GuildConfigs
from retrieval import EngineOptions, SearchEngine

__all__ = ["open_storage", "storage"]  # the storage fixtures, shared with tests/bot

REPO = Path(__file__).resolve().parents[4]
SEEDS = REPO / "seeds"
OPTIONS = EngineOptions()


@pytest.fixture
def engines(
    corpus: Path, tmp_path: Path, library: Library, seed_engine: SearchEngine
) -> EngineRegistry:
    return EngineRegistry(corpus, OPTIONS, library, seed_engine, cache_dir=tmp_path / "cache")


@pytest.fixture
async def services(storage: Database, engines: EngineRegistry, corpus: Path) -> SimpleNamespace:
    """The bot as the moderation cogs see it."""
    settings = Settings(_env_file=None, corpus_dir=corpus, default_k=5, ask_cooldown=10)
    configs = GuildConfigs(storage)
    await configs.load()
    service = AskService(engines, storage, settings.default_k)
    return SimpleNamespace(
        settings=settings, storage=storage, service=service, engines=engines, guild_configs=configs
    )


@pytest.fixture
async def sample(storage: Database) -> Database:
    """The storage holding the hand-checkable log of ``sample_log``."""
    await log_sample(storage)
    return storage


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "docqa.db"
