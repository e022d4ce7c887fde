"""``python -m benchmarks.semantic_latency``: what the semantic stage adds to search and indexing.

**Search**, over the generated 100,000-passage corpus (``python -m benchmarks.scale --sizes
100k`` makes it): the product search (``SearchEngine.search``, k = 5, with excerpts and citations)
by words alone and with the semantic stage, side by side in one process, one question at a time,
on the Cranfield questions; and the question's embedding alone. The generated passages are
stemmed word lists that the sentence segmenter cuts into about 800,000 units: embedding them
would take hours on two cores, so the semantic row gives the units stand-in vectors (random, unit
length, float16: the shape and type the index cache stores) and embeds every question with the
real model. A search does the same work whatever the unit vectors hold.

**Indexing**, on a real corpus (default: the 24 SQuAD articles, read in place): units embedded per
second, and the index cache built with the stage off and on (time and size).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.adapters import PIPELINE_OPTIONS
from benchmarks.generated import CRANFIELD, queries
from benchmarks.worker import latencies
from retrieval import SearchEngine, load_or_build
from retrieval.cache.persistence import build_cache
from retrieval.documents.corpus import CorpusReader
from retrieval.semantic.shared import shared_encoder
from retrieval.semantic.unitvectors import VECTOR_DTYPE, embed_units

SQUAD = Path("../shared/benchmarks/squad/corpus")
_BLOCK = 1 << 16


def stand_in_vectors(units: int, dim: int, seed: int = 0) -> np.ndarray:
    """``units`` random unit-length vectors of ``dim`` floats, float16, made in blocks."""
    rng = np.random.default_rng(seed)
    out = np.empty((units, dim), dtype=VECTOR_DTYPE)
    for start in range(0, units, _BLOCK):
        block = rng.standard_normal((min(_BLOCK, units - start), dim), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + len(block)] = block
    return out


def with_stand_in_vectors(engine: SearchEngine) -> SearchEngine:
    """``engine`` (indexed by words alone) with the semantic stage on and stand-in unit vectors."""
    encoder = shared_encoder()
    if encoder is None:
        raise SystemExit("the sentence-embedding model is not installed (make install)")
    vectors = stand_in_vectors(len(engine.units.start), encoder.dim)
    return SearchEngine(
        engine.documents,
        engine.chunks,
        dataclasses.replace(engine.options, semantic=True),
        index=engine.index,
        duplicates=engine.duplicates,
        units=dataclasses.replace(engine.units, vectors=vectors),
        encoder=encoder,
    )


def search_rows(corpus: Path, cache: Path, count: int, cranfield: Path) -> list[dict[str, Any]]:
    words = load_or_build(corpus, dataclasses.replace(PIPELINE_OPTIONS, semantic=False), cache)
    semantic = with_stand_in_vectors(words)
    encoder = semantic.encoder
    assert encoder is not None
    qs = queries(count, cranfield)
    rows = [
        {"row": "search, words alone", **latencies(lambda q: words.search(q.text, k=5), qs)},
        {"row": "search, semantic stage", **latencies(lambda q: semantic.search(q.text, k=5), qs)},
        {"row": "question embedding alone", **latencies(lambda q: encoder.encode([q.text]), qs)},
    ]
    for row in rows:
        row.update(passages=len(words.chunks), units=len(words.units.start))
    return rows


def indexing_rows(corpus: Path) -> list[dict[str, Any]]:
    encoder = shared_encoder()
    if encoder is None:
        raise SystemExit("the sentence-embedding model is not installed (make install)")
    documents = tuple(CorpusReader(corpus))
    start = time.perf_counter()
    vectors = embed_units(encoder, documents)
    seconds = time.perf_counter() - start
    rows: list[dict[str, Any]] = [
        {
            "row": "embedding",
            "units": len(vectors),
            "s": seconds,
            "units_per_s": len(vectors) / seconds,
        }
    ]
    for semantic in (False, True):
        options = dataclasses.replace(PIPELINE_OPTIONS, semantic=semantic)
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            info = build_cache(corpus, options, folder)
            rows.append(
                {
                    "row": f"index build, semantic {'on' if semantic else 'off'}",
                    "s": time.perf_counter() - start,
                    "cache_mib": info.bytes / 2**20,
                    "passages": info.passages,
                }
            )
    return rows


def _print(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        cells = [f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()]
        print("  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.semantic_latency", description=__doc__
    )
    parser.add_argument("--corpus", type=Path, default=Path("out/scale/corpus-100000/docs"))
    parser.add_argument("--cache", type=Path, default=Path("out/scale/semantic-cache"))
    parser.add_argument("--queries", type=int, default=225, help="timed questions per row")
    parser.add_argument("--cranfield", type=Path, default=CRANFIELD)
    parser.add_argument("--index-corpus", type=Path, default=SQUAD, help="a real corpus to index")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-indexing", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    if not args.skip_search:
        _print(search_rows(args.corpus, args.cache, args.queries, args.cranfield))
    if not args.skip_indexing:
        _print(indexing_rows(args.index_corpus))


if __name__ == "__main__":
    main()
