"""The one place that picks a server's engine and swaps it: the seed engine everywhere, plus
one per guild with uploads; and the one loader of the seed engine (through the index cache).

Engines are immutable. A rebuild happens in a worker thread and ends with one assignment of
a new :class:`EngineSet`, so a question asked meanwhile is answered by the complete old
engine, and one asked afterwards by the complete new one; none sees a half-built index.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from bot.library.uploaded import Library, LibraryLimits, uploads_root
from bot.settings import Settings
from retrieval import EngineOptions, SearchEngine, load_or_build

__all__ = [
    "BuildReport",
    "EngineRegistry",
    "EngineSet",
    "Engines",
    "load_seed_engine",
    "open_engines",
    "seed_engine",
]

log = logging.getLogger(__name__)

_NO_GUILDS: Mapping[int, SearchEngine] = MappingProxyType({})


class Engines(Protocol):
    """Where the answering service gets a server's engine: the bot's :class:`EngineRegistry`,
    or one :class:`EngineSet` that never changes (the console, which has no servers)."""

    def for_guild(self, guild_id: int | None) -> SearchEngine: ...


@dataclass(frozen=True, slots=True)
class EngineSet:
    """One consistent generation of engines."""

    seed: SearchEngine
    guilds: Mapping[int, SearchEngine] = field(default_factory=lambda: _NO_GUILDS)

    def for_guild(self, guild_id: int | None) -> SearchEngine:
        return self.seed if guild_id is None else self.guilds.get(guild_id, self.seed)


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a (re)build produced for one guild's view, and how long the whole build took."""

    documents: int
    uploaded: int
    passages: int
    seconds: float


def load_seed_engine(
    corpus_dir: Path, options: EngineOptions, cache_dir: Path | None = None
) -> SearchEngine:
    """The engine over the seeds, from the index cache in ``cache_dir`` when it is fresh
    (chunked and indexed again if the files changed). Blocking: call it in a worker thread."""
    started = time.perf_counter()
    engine = load_or_build(corpus_dir, options, cache_dir)
    log.info(
        "Loaded the index of %d documents (%d passages) from %s in %.2f s",
        len(engine.documents), len(engine.chunks), corpus_dir, time.perf_counter() - started,
    )  # fmt: skip
    return engine


class EngineRegistry:
    """Holds the current :class:`EngineSet`; rebuilds are serialised and run off the loop."""

    def __init__(
        self,
        corpus_dir: Path,
        options: EngineOptions,
        library: Library,
        seed: SearchEngine,
        *,
        cache_dir: Path | None = None,
    ) -> None:
        self.corpus_dir = corpus_dir
        self.options = options
        self.cache_dir = cache_dir
        self.library = library
        library.set_seeds(seed.documents)
        self._current = EngineSet(seed)
        self._building = asyncio.Lock()
        # Told each server whose uploads this process rebuilt (bot/library/watch.py).
        self.announce: Callable[[int], Awaitable[None]] | None = None

    @property
    def current(self) -> EngineSet:
        return self._current

    def for_guild(self, guild_id: int | None) -> SearchEngine:
        """The engine that answers in ``guild_id`` (None: DMs and the console)."""
        return self._current.for_guild(guild_id)

    async def load(self) -> BuildReport:
        """Build the engines of every guild with uploads (at start-up)."""
        return await self._rebuild(None, reload_seeds=False)

    async def rebuild_guild(self, guild_id: int, *, announce: bool = True) -> BuildReport:
        """Re-read one guild's uploads, e.g. after a document was added or removed; then,
        unless following another process, announce it."""
        report = await self._rebuild(guild_id, reload_seeds=False, only=guild_id)
        if announce:
            await self._announce(guild_id)
        return report

    async def reindex(self, guild_id: int | None) -> BuildReport:
        """Re-read the seeds and every guild's uploads from disk; report ``guild_id``'s view."""
        report = await self._rebuild(guild_id, reload_seeds=True)
        await self._announce(guild_id)
        return report

    async def _announce(self, guild_id: int | None) -> None:
        if guild_id is not None and self.announce is not None:
            await self.announce(guild_id)

    async def _rebuild(
        self, guild_id: int | None, *, reload_seeds: bool, only: int | None = None
    ) -> BuildReport:
        async with self._building:
            started = time.perf_counter()
            built = await asyncio.to_thread(self._build, self._current, reload_seeds, only)
            self._current = built  # the swap: one reference assignment
            seconds = time.perf_counter() - started
        report = self._report(built, guild_id, seconds)
        log.info("Built engines for %d guilds in %.2f s", len(built.guilds), seconds)
        return report

    def _build(self, old: EngineSet, reload_seeds: bool, only: int | None) -> EngineSet:
        """In a worker thread: the next generation (only ``only``'s engine, if given)."""
        seed = old.seed
        if reload_seeds:
            seed = load_seed_engine(self.corpus_dir, self.options, self.cache_dir)
        self.library.set_seeds(seed.documents)
        guilds = dict(old.guilds) if only is not None else {}
        for guild_id in (only,) if only is not None else self.library.guilds():
            guilds.pop(guild_id, None)
            uploads = self.library.documents(guild_id)
            if uploads:
                guilds[guild_id] = SearchEngine.build((*seed.documents, *uploads), self.options)
        return EngineSet(seed, MappingProxyType(guilds))

    def _report(self, built: EngineSet, guild_id: int | None, seconds: float) -> BuildReport:
        engine = built.for_guild(guild_id)
        uploaded = len(engine.documents) - len(built.seed.documents)
        return BuildReport(len(engine.documents), uploaded, len(engine.chunks), seconds)


async def seed_engine(settings: Settings) -> SearchEngine:
    """:func:`load_seed_engine` for ``settings``, in a worker thread."""
    return await asyncio.to_thread(
        load_seed_engine, settings.corpus_dir, settings.engine_options, settings.index_cache_dir
    )


async def open_engines(settings: Settings, seed: SearchEngine | None = None) -> EngineRegistry:
    """The registry for the bot: the seed engine (``seed``, or loaded off the loop), uploads in
    ``DOCQA_UPLOADS_DIR`` (default: beside the database), guild engines built off the loop."""
    if seed is None:
        seed = await seed_engine(settings)
    limits = LibraryLimits(settings.max_upload_bytes, settings.max_guild_docs)
    library = Library(settings.uploads_dir or uploads_root(settings.db_path), limits)
    registry = EngineRegistry(
        settings.corpus_dir, settings.engine_options, library, seed,
        cache_dir=settings.index_cache_dir,
    )  # fmt: skip
    await registry.load()
    log.info("%d guilds have documents of their own", len(registry.current.guilds))
    return registry
