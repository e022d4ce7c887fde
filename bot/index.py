"""Build the search index the bot answers from, off the event loop."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from retrieval import EngineOptions, SearchEngine

__all__ = ["load_engine"]

log = logging.getLogger(__name__)


async def load_engine(corpus_dir: Path, options: EngineOptions) -> SearchEngine:
    """The engine over ``corpus_dir``; chunking and indexing run in a worker thread."""
    started = time.perf_counter()
    engine = await asyncio.to_thread(SearchEngine.from_directory, corpus_dir, options)
    log.info(
        "Indexed %d documents as %d passages from %s in %.2f s",
        len(engine.documents),
        len(engine.chunks),
        corpus_dir,
        time.perf_counter() - started,
    )
    return engine
