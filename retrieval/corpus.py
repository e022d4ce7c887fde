"""Load a folder of .txt/.md documents, with an optional manifest of titles and overrides.

The manifest is ``manifest.toml`` in the corpus directory::

    [documents."000_article.txt"]
    title = "A human title"
    source = "Publisher"          # optional; only what the text itself states
    date = "November 2012"        # optional
    author = "Name"               # optional
    boilerplate_starts_at = "Join our newsletter"  # optional: everything from here is boilerplate
    boilerplate_extra = ["A paragraph to exclude"]  # optional, exact paragraph text
    boilerplate_keep = ["A paragraph to keep"]      # optional, exact paragraph text
    detect_boilerplate = true     # optional; false turns generic detection off
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from retrieval.boilerplate import BoilerplateRules, detect_boilerplate, paragraph_spans
from retrieval.errors import CorpusError
from retrieval.types import Document

__all__ = ["MANIFEST_NAME", "SUFFIXES", "iter_documents", "load_corpus", "parse_document"]

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.toml"
SUFFIXES = frozenset({".txt", ".md"})
_ENTRY_KEYS = frozenset(
    {
        "title",
        "source",
        "date",
        "author",
        "boilerplate_starts_at",
        "boilerplate_extra",
        "boilerplate_keep",
        "detect_boilerplate",
    }
)


def load_manifest(directory: Path) -> dict[str, dict[str, Any]]:
    path = directory / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: not valid TOML ({exc})") from exc
    documents = data.get("documents", {})
    for name, entry in documents.items():
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            raise CorpusError(f"{path}: [documents.{name!r}] has unknown keys {sorted(unknown)}")
    return dict(documents)


def _default_title(text: str, doc_id: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip().lstrip("#").strip()[:200] or doc_id
    return doc_id


def _rules(entry: Mapping[str, Any]) -> BoilerplateRules:
    return BoilerplateRules(
        detect=bool(entry.get("detect_boilerplate", True)),
        starts_at=entry.get("boilerplate_starts_at"),
        extra=tuple(entry.get("boilerplate_extra", ())),
        keep=tuple(entry.get("boilerplate_keep", ())),
    )


def parse_document(doc_id: str, text: str, entry: Mapping[str, Any] | None = None) -> Document:
    """Build a :class:`Document` from already-decoded text and its manifest entry."""
    entry = entry or {}
    return Document(
        doc_id=doc_id,
        title=str(entry.get("title") or _default_title(text, doc_id)),
        text=text,
        paragraphs=paragraph_spans(text),
        boilerplate=detect_boilerplate(text, _rules(entry)),
        source=entry.get("source"),
        date=entry.get("date"),
        author=entry.get("author"),
        sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
    )


def corpus_files(directory: Path) -> list[Path]:
    """Every indexable file under ``directory``, in a stable order."""
    if not directory.is_dir():
        raise CorpusError(f"corpus directory {str(directory)!r} does not exist")
    return sorted(
        p
        for p in directory.rglob("*")
        if p.suffix.lower() in SUFFIXES and p.is_file() and not p.name.startswith(".")
    )


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        log.warning("skipping %s: not UTF-8 text", path)
    except OSError as exc:
        log.warning("skipping %s: %s", path, exc.strerror or exc)
    return None


def iter_documents(directory: Path | str) -> Iterator[Document]:
    """Stream the documents of a corpus directory one at a time (bounded memory)."""
    directory = Path(directory)
    manifest = load_manifest(directory)
    for path in corpus_files(directory):
        text = _read(path)
        if text is None:
            continue
        doc_id = path.relative_to(directory).as_posix()
        yield parse_document(doc_id, text, manifest.get(doc_id))


def load_corpus(directory: Path | str) -> tuple[Document, ...]:
    """All readable documents of ``directory``; an empty corpus is an error."""
    documents = tuple(iter_documents(directory))
    if not documents:
        raise CorpusError(
            f"corpus directory {str(directory)!r} holds no readable .txt or .md files"
        )
    return documents
