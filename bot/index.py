"""Load (or build and cache) the search index the bot answers from, off the event loop."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from retrieval import EngineOptions, SearchEngine, load_or_build

__all__ = ["load_engine"]

log = logging.getLogger(__name__)


async def load_engine(corpus_dir: Path, options: EngineOptions, cache_dir: Path) -> SearchEngine:
    """The engine over ``corpus_dir``, from the index cache in ``cache_dir`` when it is fresh.

    Loading, or chunking and indexing on a cache miss, runs in a worker thread.
    """
    started = time.perf_counter()
    engine = await asyncio.to_thread(load_or_build, corpus_dir, options, cache_dir)
    log.info(
        "Loaded the index of %d documents (%d passages) from %s in %.2f s",
        len(engine.documents),
        len(engine.chunks),
        corpus_dir,
        time.perf_counter() - started,
    )
    return engine
