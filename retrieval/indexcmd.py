"""``python -m retrieval index``: build the index cache with a progress bar."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any, TextIO

from retrieval.cache.persistence import available_options, build_cache, default_cache_dir
from retrieval.documents.corpus import corpus_files
from retrieval.errors import CacheError, CorpusError
from retrieval.types import EngineOptions

__all__ = ["add_index_parser", "run_index"]


MAX_WORKERS = 64


def add_index_parser(commands: Any) -> None:
    """Register ``index`` on the CLI's subparsers (``--corpus``/``--cache`` may follow it)."""
    index = commands.add_parser("index", help="build the index cache that search loads")
    index.add_argument("--corpus", type=Path, default=argparse.SUPPRESS, help="folder of documents")
    index.add_argument(
        "--cache", type=Path, default=argparse.SUPPRESS, help="cache folder (see README)"
    )
    index.add_argument(
        "--no-semantic",
        action="store_true",
        default=argparse.SUPPRESS,
        help="index by words alone, without unit vectors (or DOCQA_SEMANTIC=off)",
    )
    index.add_argument(
        "--workers",
        type=_workers,
        default=None,
        help=f"analysis processes, 1-{MAX_WORKERS} (default: all cores over 8 MB, else 1)",
    )


def _workers(text: str) -> int:
    """``--workers``: a whole number of processes within ``1..MAX_WORKERS``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_WORKERS} (got {value})")
    return value


def run_index(args: argparse.Namespace, out: TextIO, options: EngineOptions) -> None:
    from tqdm import tqdm  # noqa: PLC0415 (searching never needs it)

    cache = args.cache or default_cache_dir()
    options = available_options(options)
    started = time.perf_counter()
    total = len(corpus_files(args.corpus))
    with (
        tqdm(total=total, unit="doc", desc="reading", disable=None) as bar,
        tqdm(unit="unit", desc="embedding", disable=None if options.semantic else True) as units,
    ):
        try:
            info = build_cache(
                args.corpus,
                options,
                cache,
                workers=args.workers,
                progress=lambda _doc: bar.update(),
                embedded=units.update,
            )
        except OSError as exc:
            raise _one_line(exc, Path(cache)) from None
    seconds = time.perf_counter() - started
    out.write(
        f"indexed {info.documents} documents into {info.passages} passages "
        f"({info.terms} terms) in {seconds:.1f} s: {info.path} ({info.bytes / 2**20:.1f} MiB)\n"
    )


def _one_line(exc: OSError, cache: Path) -> CacheError | CorpusError:
    """What failed, said in one line: writing the cache (a file in its place, a read-only
    folder), or reading a corpus file (one the build hashes but cannot open)."""
    reason = exc.strerror or str(exc)
    where = Path(exc.filename) if isinstance(exc.filename, str) else None
    if where is not None and not where.is_relative_to(cache):
        return CorpusError(f"cannot read {where}: {reason}")
    return CacheError(f"cannot write the index cache in {cache}: {reason}")
