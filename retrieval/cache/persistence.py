"""Index persistence: start-up loads the built index when nothing changed, and rebuilds when
anything did (corpus files, manifest, engine options, engine code, cache format).

A missing, stale, truncated or corrupt cache costs one log line and a rebuild, never a crash.
Everything here is synchronous and CPU- or disk-bound: the bot calls it via ``asyncio.to_thread``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.cache.cachefile import CacheFormatError, CacheWriter
from retrieval.cache.cacheread import READ_ERRORS, CacheReader
from retrieval.cache.fingerprint import (
    FileState,
    code_version,
    content_states,
    corpus_states,
    files_changed,
    slot_name,
)
from retrieval.cache.libraries import LibraryStamp, libraries_changed, library_stamp
from retrieval.documents.chunktable import ChunkArrays, ChunkTable
from retrieval.errors import CorpusError
from retrieval.index.bm25index import BM25Index, IndexData
from retrieval.search.engine import SearchEngine
from retrieval.semantic.shared import remember, shared_encoder
from retrieval.types import Document, EngineOptions

__all__ = [
    "CacheInfo",
    "available_options",
    "build_cache",
    "cache_path",
    "default_cache_dir",
    "load_or_build",
]

log = logging.getLogger(__name__)

# Below this much corpus text, starting worker processes costs more than it saves.
_PARALLEL_BYTES = 8 << 20
# From this much corpus text on, a build logs its progress every _PROGRESS_STEP percent.
_PROGRESS_BYTES = 8 << 20
_PROGRESS_STEP = 10


class _Progress:
    """Logs how much of a corpus of ``total`` bytes has been read, once per step of percent.

    Text read is counted in characters against file bytes (close for text files; a PDF's
    text is smaller than its file), so the figure is capped below 100 until the end."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.documents, self.logged = total, 0, 0, 0
        self.started = time.perf_counter()

    def __call__(self, doc: Document) -> None:
        self.done += len(doc.text)
        self.documents += 1
        percent = min(99, 100 * self.done // max(1, self.total))
        if percent >= self.logged + _PROGRESS_STEP:
            self.logged = percent - percent % _PROGRESS_STEP
            log.info(
                "indexing: read %d%% of %.1f MB (%d documents) in %.0f s",
                self.logged,
                self.total / 2**20,
                self.documents,
                time.perf_counter() - self.started,
            )


@dataclass(frozen=True, slots=True)
class CacheInfo:
    """What a build wrote."""

    path: Path
    documents: int
    passages: int
    terms: int
    bytes: int


def default_cache_dir(db_path: Path | str | None = None) -> Path:
    """``docqa-index/`` beside the bot's database ``db_path`` when given, else ``.cache/docqa``."""
    return Path(db_path).parent / "docqa-index" if db_path else Path(".cache", "docqa")


def cache_path(corpus_dir: Path | str, options: EngineOptions, cache_dir: Path | str) -> Path:
    return Path(cache_dir) / slot_name(Path(corpus_dir), options)


def load_or_build(
    corpus_dir: Path | str,
    options: EngineOptions | None = None,
    cache_dir: Path | str | None = None,
    *,
    workers: int | None = None,
) -> SearchEngine:
    """The engine over ``corpus_dir``: from the cache when it is fresh, else built and saved."""
    directory, options = Path(corpus_dir), available_options(options or EngineOptions())
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = cache_path(directory, options, folder)
    engine = _load_fresh(path, directory, options)
    if engine is not None:
        return engine
    try:
        build_cache(directory, options, folder, workers=workers, progress=_log_progress(directory))
    except OSError as exc:
        log.warning("cannot write the index cache in %s (%s); indexing in memory", folder, exc)
        return SearchEngine.from_directory(directory, options)
    with CacheReader(path) as reader:
        return _engine(reader, options)


def available_options(options: EngineOptions) -> EngineOptions:
    """``options``, by words alone when they ask for the semantic stage and its model cannot be
    loaded (said once): such an index has its own cache file, and the semantic one stays for
    the model's return."""
    if options.semantic and shared_encoder() is None:
        return replace(options, semantic=False)
    return options


def _reuse_vectors(path: Path) -> None:
    """Offer the unit vectors of the stale cache at ``path`` to the rebuild, so that only the
    documents that changed are embedded again (:func:`retrieval.semantic.shared.remember`)."""
    encoder = shared_encoder()
    if encoder is None or not path.is_file():
        return
    try:
        with CacheReader(path) as reader:
            if reader.meta.get("semantic") != encoder.model_fingerprint():
                return
            documents = reader.documents()
            vectors = reader.unit_vectors(int(sum(len(d.units) for d in documents)))
            reader.verify()
            if vectors is not None:
                remember(encoder, documents, np.array(vectors))
    except READ_ERRORS as exc:
        log.debug("no unit vectors to reuse from %s: %s", path, exc)


def _log_progress(directory: Path) -> Callable[[Document], None] | None:
    total = sum(s.size for s in corpus_states(directory))
    return _Progress(total) if total >= _PROGRESS_BYTES else None


def build_cache(
    corpus_dir: Path | str,
    options: EngineOptions,
    cache_dir: Path | str,
    *,
    workers: int | None = None,
    progress: Callable[[Document], None] | None = None,
    embedded: Callable[[int], None] | None = None,
) -> CacheInfo:
    """Index ``corpus_dir`` into a fresh cache file (streaming; parallel when it pays);
    ``progress`` sees each document read, ``embedded`` each number of units embedded."""
    # Only builds read and parse documents or start workers: searching never imports these.
    from retrieval.documents.corpus import CorpusReader  # noqa: PLC0415
    from retrieval.index.build import build_index  # noqa: PLC0415

    directory = Path(corpus_dir)
    # Hash before reading: a file edited during the build then fails the next freshness check.
    states = content_states(directory)
    workers = workers or (
        os.cpu_count() or 1 if sum(s.size for s in states) > _PARALLEL_BYTES else 1
    )
    path = cache_path(directory, options, cache_dir)
    if options.semantic:
        _reuse_vectors(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    libraries = library_stamp()  # after the mkdir, which may move the time of a folder searched
    writer = CacheWriter(path)

    def on_document(doc: Document) -> None:
        writer.add_document(doc)
        if progress is not None:
            progress(doc)

    reader = CorpusReader(directory)
    try:
        built = build_index(reader, options, workers, on_document, embedded)
        if not built.documents:
            raise CorpusError(f"corpus directory {str(directory)!r} holds no readable documents")
        meta = {
            **_meta(directory, options, states, libraries),
            "semantic": built.model,
            "duplicates": reader.duplicates,
            "warnings": reader.warnings,
        }
        writer.finish(meta, built.chunks, built.index, built.units, built.vectors)
    except BaseException:
        writer.abort()
        raise
    index = built.index
    return CacheInfo(path, built.documents, index.size, len(index.terms), path.stat().st_size)


def _meta(
    directory: Path, options: EngineOptions, states: list[FileState], libraries: LibraryStamp
) -> dict[str, Any]:
    return {
        "code": code_version(),
        **libraries.as_meta(),
        "corpus": str(directory.resolve()),
        "options": asdict(options),
        "files": [[s.path, s.size, s.mtime_ns, s.sha256] for s in states],
    }


def _load_fresh(path: Path, directory: Path, options: EngineOptions) -> SearchEngine | None:
    if not path.is_file():
        log.info("no index cache at %s; building it", path)
        return None
    try:
        with CacheReader(path) as reader:
            reason = _staleness(reader.meta, directory, options)
            if reason is None:
                engine = _engine(reader, options)
                # What indexing said about the folder's files still holds: say it again.
                for message in reader.meta.get("warnings", []):
                    log.warning("%s", message)
                return engine
    except READ_ERRORS as exc:
        log.warning("index cache %s is unusable (%s); rebuilding", path, exc)
        return None
    log.info("index cache %s is stale (%s); rebuilding", path, reason)
    return None


def _staleness(meta: dict[str, Any], directory: Path, options: EngineOptions) -> str | None:
    """Why the cache no longer describes this corpus, or None when it does."""
    if meta.get("code") != code_version():
        return "the engine's code changed"
    if libraries_changed(LibraryStamp.from_meta(meta)):
        return "a library that shapes the index changed version"
    if meta.get("options") != asdict(options) or meta.get("semantic") != _model(options):
        return "the engine options or the sentence-embedding model changed"
    if meta.get("corpus") != str(directory.resolve()):
        return "it indexes another folder"
    return files_changed([FileState(*f) for f in meta["files"]], directory)


def _model(options: EngineOptions) -> str | None:
    """The fingerprint of the encoder a build with ``options`` embeds with, if any."""
    encoder = shared_encoder() if options.semantic else None
    return encoder.model_fingerprint() if encoder is not None else None


def _engine(reader: CacheReader, options: EngineOptions) -> SearchEngine:
    documents = reader.documents()
    chunks, data = reader.chunks(), reader.index()
    units = reader.unit_table()
    encoder = shared_encoder() if options.semantic else None
    if encoder is not None:
        units = replace(units, vectors=reader.unit_vectors(len(units.start)))
    reader.verify()
    _validate(documents, chunks, data)
    if units.ids.size and not -2 <= int(units.ids.min()) <= int(units.ids.max()) < len(data.terms):
        raise CacheFormatError("unit tokens: term ids out of range")
    index = BM25Index.from_data(data, options)
    duplicates = [
        (str(copy), str(original)) for copy, original in reader.meta.get("duplicates", [])
    ]
    table = ChunkTable(documents, chunks)
    return SearchEngine(
        documents, table, options, index=index, duplicates=duplicates, units=units, encoder=encoder
    )


def _validate(documents: tuple[Document, ...], chunks: ChunkArrays, data: IndexData) -> None:
    """Cheap structural checks; the zip's CRCs have already vouched for the bytes."""
    columns = len(data.terms)
    ok = (
        len(data.idf) == columns
        and len(data.indptr) == columns + 1
        and data.indptr[0] == 0
        and data.indptr[-1] == len(data.rows) == len(data.weights)
        and bool(np.all(np.diff(data.indptr) >= 0))
        and len(chunks) == data.size
        and len({len(chunks.doc), len(chunks.start), len(chunks.end), len(chunks.n_tokens)}) == 1
        and (not len(data.rows) or 0 <= data.rows.min() <= data.rows.max() < data.size)
        and (not len(chunks) or 0 <= chunks.doc.min() <= chunks.doc.max() < len(documents))
    )
    if not ok:
        raise CacheFormatError("arrays do not fit together")
