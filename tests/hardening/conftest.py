"""The hardening tests run the real bot against the emulator on the end-to-end fixtures
(tests/e2e/fixtures.py): an emulator with two guilds, settings, a real database, the bot."""

from __future__ import annotations

from e2e.fixtures import clean_environment, emu, live, seed_engine, settings, storage

__all__ = ["clean_environment", "emu", "live", "seed_engine", "settings", "storage"]
