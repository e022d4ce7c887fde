"""The end-to-end tests' fixtures: an emulator with two guilds, the real bot on real SQLite."""

from __future__ import annotations

from e2e.fixtures import clean_environment, emu, live, seed_cache, seed_engine, settings, storage

__all__ = [
    "clean_environment", "emu", "live", "seed_cache", "seed_engine", "settings", "storage",
]  # fmt: skip
