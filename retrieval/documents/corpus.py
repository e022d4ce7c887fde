"""Load a folder of documents, with an optional manifest of titles and overrides.

``.txt``, ``.md``, ``.markdown`` and ``.rst`` files are read as UTF-8, exactly as decoded (so
offsets index the file); files of any suffix in :data:`retrieval.documents.formats.READERS` are read
by that reader. Everything else is skipped, named in one warning. A file that resolves outside the
corpus folder (a symlink) is skipped with a warning, and a file whose text is identical to one
already read is indexed once: the copy is named in one warning and in
:attr:`CorpusReader.duplicates`.

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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from retrieval.documents.formats import READERS, ExtractedText, ExtractionError
from retrieval.errors import CorpusError
from retrieval.types import Document

if TYPE_CHECKING:
    from retrieval.documents.boilerplate import BoilerplateRules

__all__ = [
    "DEFAULT_CORPUS",
    "MANIFEST_NAME",
    "TEXT_SUFFIXES",
    "CorpusReader",
    "corpus_files",
    "iter_documents",
    "load_corpus",
    "parse_document",
    "parse_extracted",
    "read_document",
]

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.toml"
# The seed corpus shipped with docqa: the default of the bot, its command line and evaluation.
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "seeds"
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".rst"})
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


# Files that may be saved web pages, with sign-up boxes and footers; the others are written by
# people (see retrieval.documents.boilerplate).
_WRITTEN = frozenset({".md", ".markdown", ".rst", ".docx"})


def _rules(entry: Mapping[str, Any], suffix: str) -> BoilerplateRules:
    # Imported here for the reason parse_document gives.
    from retrieval.documents.boilerplate import BoilerplateRules  # noqa: PLC0415

    return BoilerplateRules(
        detect=bool(entry.get("detect_boilerplate", True)),
        web=suffix.lower() not in _WRITTEN,
        starts_at=entry.get("boilerplate_starts_at"),
        extra=tuple(entry.get("boilerplate_extra", ())),
        keep=tuple(entry.get("boilerplate_keep", ())),
    )


def parse_document(
    doc_id: str,
    text: str,
    entry: Mapping[str, Any] | None = None,
    *,
    markup: str | None = None,
    title: str | None = None,
    page_starts: tuple[int, ...] = (),
) -> Document:
    """Build a :class:`Document` from decoded text and its manifest entry.

    ``markup`` ("plain", "markdown" or "rst") defaults to what the file name's suffix says. The
    title is the manifest's, else ``title`` (one the file itself names), else the first heading,
    else the first line of prose, else ``doc_id``.
    """
    # The parsers load with the first document parsed: searching a built index never needs them.
    from retrieval.documents.boilerplate import detect_boilerplate  # noqa: PLC0415
    from retrieval.documents.markup import blocks, markup_of, paragraph_spans  # noqa: PLC0415
    from retrieval.documents.structure import build_units, title_of  # noqa: PLC0415

    entry = entry or {}
    suffix = PurePosixPath(doc_id).suffix
    markup = markup or markup_of(suffix, text)
    boilerplate = detect_boilerplate(text, _rules(entry, suffix))
    units = build_units(text, blocks(text, markup), boilerplate)
    return Document(
        doc_id=doc_id,
        title=str(entry.get("title") or title or title_of(text, units) or doc_id),
        text=text,
        paragraphs=paragraph_spans(text),
        boilerplate=boilerplate,
        source=entry.get("source"),
        date=entry.get("date"),
        author=entry.get("author"),
        sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        units=units,
        page_starts=page_starts,
    )


def parse_extracted(
    doc_id: str, extracted: ExtractedText, entry: Mapping[str, Any] | None = None
) -> Document:
    """A document from a format reader's output (its markup, title and pages)."""
    return parse_document(
        doc_id,
        extracted.text,
        entry,
        markup=extracted.markup,
        title=extracted.title,
        page_starts=extracted.page_starts,
    )


@dataclass(frozen=True, slots=True)
class CorpusScan:
    """The files of a corpus folder: those to read, and those skipped (by reason)."""

    files: tuple[Path, ...]
    unknown: tuple[Path, ...]
    outside: tuple[Path, ...]


def _suffixes() -> frozenset[str]:
    return TEXT_SUFFIXES | frozenset(READERS)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return False
    return True


def scan(directory: Path) -> CorpusScan:
    """The files under ``directory`` (those in hidden folders, hidden ones and the manifest
    aside), sorted by kind."""
    if not directory.exists():
        raise CorpusError(f"corpus directory {str(directory)!r} does not exist")
    if not directory.is_dir():
        raise CorpusError(f"corpus path {str(directory)!r} is not a folder")
    root = directory.resolve()
    files, unknown, outside = [], [], []
    suffixes = _suffixes()
    for p in sorted(directory.rglob("*")):
        hidden = any(part.startswith(".") for part in p.relative_to(directory).parts)
        if hidden or p.name == MANIFEST_NAME or not p.is_file():
            continue
        if not _inside(p, root):
            outside.append(p)
        elif p.suffix.lower() in suffixes:
            files.append(p)
        else:
            unknown.append(p)
    return CorpusScan(tuple(files), tuple(unknown), tuple(outside))


def corpus_files(directory: Path) -> list[Path]:
    """Every indexable file under ``directory``, in a stable order."""
    return list(scan(directory).files)


def read_document(doc_id: str, data: bytes, entry: Mapping[str, Any] | None = None) -> Document:
    """The document a file's bytes hold, as the corpus loader and uploads both build it.

    ``doc_id``'s suffix picks the reading: a reader of :data:`retrieval.documents.formats.READERS`
    (PDF, DOCX, HTML: its text, title, markup and pages), else UTF-8 text exactly as decoded (a
    leading byte-order mark is no part of it), parsed as the suffix's markup. ``entry`` is the
    manifest entry (title, boilerplate rules). Raises :class:`ExtractionError` with a one-line
    reason: the reader's refusal, or text that is not UTF-8.
    """
    suffix = PurePosixPath(doc_id).suffix.lower()
    reader = READERS.get(suffix)
    if reader is None or suffix in TEXT_SUFFIXES:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ExtractionError(f"not UTF-8 text (byte {exc.start})") from None
        return parse_document(doc_id, text, entry)
    return parse_extracted(doc_id, reader(data), entry)


def _read(path: Path, doc_id: str, entry: Mapping[str, Any] | None) -> Document | str:
    """The document at ``path``, or the one-line warning saying why it is skipped."""
    try:
        return read_document(doc_id, path.read_bytes(), entry)
    except ExtractionError as exc:
        return f"skipping {path}: {exc}"
    except OSError as exc:
        return f"skipping {path}: {exc.strerror or exc}"


def _names(paths: Sequence[Path], directory: Path) -> str:
    return ", ".join(p.relative_to(directory).as_posix() for p in paths)


class CorpusReader:
    """Streams a corpus folder's documents once. Afterwards ``duplicates`` lists each copy
    skipped as ``(copy, original)`` document ids, and ``warnings`` every warning logged about the
    folder's files (skipped, unreadable, copies), one line each, so an index cache can repeat
    them whenever it is loaded."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.duplicates: list[tuple[str, str]] = []
        self.warnings: list[str] = []

    def _warn(self, message: str) -> None:
        log.warning("%s", message)
        self.warnings.append(message)

    def __iter__(self) -> Iterator[Document]:
        directory = self.directory
        found = scan(directory)
        if found.outside:
            names = _names(found.outside, directory)
            self._warn(f"skipping {names}: outside the corpus folder (symbolic links)")
        if found.unknown:
            self._warn(f"skipping files of unknown type: {_names(found.unknown, directory)}")
        manifest = load_manifest(directory)
        seen: dict[str, str] = {}
        # Real files before links to them, so an identical copy reached through a link is the
        # one left out (a stable sort keeps the folder order within each group).
        for path in sorted(found.files, key=Path.is_symlink):
            doc_id = path.relative_to(directory).as_posix()
            doc = _read(path, doc_id, manifest.get(doc_id))
            if isinstance(doc, str):
                self._warn(doc)
                continue
            if doc.sha256 in seen:
                self.duplicates.append((doc_id, seen[doc.sha256]))
                continue
            seen[doc.sha256] = doc_id
            yield doc
        if self.duplicates:
            copies = "; ".join(
                f"{copy} (same text as {original})" for copy, original in self.duplicates
            )
            self._warn(f"not indexing identical copies: {copies}")


def iter_documents(directory: Path | str) -> Iterator[Document]:
    """Stream the documents of a corpus directory one at a time (bounded memory)."""
    yield from CorpusReader(directory)


def load_corpus(directory: Path | str) -> tuple[Document, ...]:
    """All readable documents of ``directory``; an empty corpus is an error."""
    documents = tuple(iter_documents(directory))
    if not documents:
        raise CorpusError(f"corpus directory {str(directory)!r} holds no readable documents")
    return documents
