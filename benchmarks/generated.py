"""Generated corpora whose vocabulary and passage lengths follow the Cranfield collection.

Each size gets a folder of documents (50 passages of ~150 words each, blank-line separated) for
docqa's full pipeline, plus ``terms.txt``: every passage analyzed with docqa's analyzer, one per
line, which every engine indexes so they all score the same passages. Cranfield is read from
``../shared/benchmarks/cranfield`` (never copied into the repository).
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.analysis import Analyzer

__all__ = ["CRANFIELD", "Corpus", "Query", "generate", "queries"]

log = logging.getLogger(__name__)

CRANFIELD = Path("../shared/benchmarks/cranfield")
PASSAGES_PER_DOC = 50
DOCS_PER_SHARD = 200
MEAN_WORDS = 150
_WORD = re.compile(r"[a-z][a-z0-9-]*|\d+(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class Corpus:
    size: int
    documents: Path
    terms: Path


@dataclass(frozen=True, slots=True)
class Query:
    """One timed question: its text (for the product path) and docqa's analysed terms."""

    text: str
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Model:
    words: list[str]
    p: np.ndarray  # type: ignore[type-arg]
    lengths: np.ndarray  # type: ignore[type-arg]


def _model(cranfield: Path) -> _Model:
    counts: Counter[str] = Counter()
    lengths = []
    for line in (cranfield / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        words = _WORD.findall(json.loads(line)["text"].lower())
        counts.update(words)
        lengths.append(len(words))
    scaled = np.array(lengths, dtype=np.float64) * MEAN_WORDS / np.mean(lengths)
    p = np.array(list(counts.values()), dtype=np.float64)
    return _Model(list(counts), p / p.sum(), np.clip(scaled.round(), 20, 600).astype(int))


def _paragraph(model: _Model, rng: np.random.Generator) -> str:
    picks = rng.choice(len(model.words), rng.choice(model.lengths), p=model.p)
    words = [model.words[i] for i in picks]
    sentences, at = [], 0
    while at < len(words):
        n = int(rng.integers(8, 30))
        part = words[at : at + n]
        sentences.append(part[0].capitalize() + " " + " ".join(part[1:]) + ".")
        at += n
    return " ".join(sentences)


def _shard(args: tuple[Path, Path, int, int, int]) -> Path:
    """Write documents [first, last) of the corpus and their passages' terms."""
    cranfield, folder, shard, first, last = args
    model, analyzer = _model(cranfield), Analyzer()
    rng = np.random.default_rng(shard)
    lines = []
    (folder / "docs" / f"{shard:04d}").mkdir(parents=True, exist_ok=True)
    for number in range(first, last):
        paragraphs = [_paragraph(model, rng) for _ in range(PASSAGES_PER_DOC)]
        text = f"Generated report {number}\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / "docs" / f"{shard:04d}" / f"{number:07d}.txt").write_text(text, encoding="utf-8")
        lines += [" ".join(analyzer.terms(p)) for p in paragraphs]
    terms = folder / f"terms-{shard:04d}.part"
    terms.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return terms


def generate(size: int, root: Path, cranfield: Path = CRANFIELD, workers: int = 2) -> Corpus:
    """The corpus of ``size`` passages under ``root`` (reused when already generated)."""
    folder = root / f"corpus-{size}"
    corpus = Corpus(size, folder / "docs", folder / "terms.txt")
    if corpus.terms.is_file():
        return corpus
    docs = -(-size // PASSAGES_PER_DOC)
    jobs = [
        (cranfield, folder, n, first, min(first + DOCS_PER_SHARD, docs))
        for n, first in enumerate(range(0, docs, DOCS_PER_SHARD))
    ]
    log.info("generating %d passages in %d documents under %s", size, docs, folder)
    with ProcessPoolExecutor(workers) as pool:
        parts = list(pool.map(_shard, jobs))
    with (folder / "terms.tmp").open("w", encoding="utf-8") as out:
        for part in parts:
            out.write(part.read_text(encoding="utf-8"))
            part.unlink()
    (folder / "terms.tmp").replace(corpus.terms)
    return corpus


def queries(count: int, cranfield: Path = CRANFIELD) -> list[Query]:
    """The Cranfield queries with docqa's query analysis, cycled up to ``count``."""
    analyzer = Analyzer()
    lines = (cranfield / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines]
    analyzed = [Query(t, tuple(analyzer.query_terms(t))) for t in texts]
    analyzed = [q for q in analyzed if q.terms]
    return [analyzed[i % len(analyzed)] for i in range(count)]
