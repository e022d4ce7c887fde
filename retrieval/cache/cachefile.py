"""The index cache file: one uncompressed .npz (a zip of .npy arrays) plus JSON and text members.

Members: ``meta.json`` (format, code version, options, corpus file states, counts),
``documents.json`` (each document's id, title, source, date, author and hash), ``text.bin``
(the documents' UTF-8 text back to back, written while the build streams), ``terms.json``, and
one ``.npy`` per array: text lengths, paragraph and boilerplate spans, chunk offsets, IDFs and
the contribution matrix, each document's units (:mod:`retrieval.documents.units`) and page starts,
and each unit's analysed tokens and joining flags, and each document's name terms (``token_*``,
:mod:`retrieval.documents.unittokens`). No pickles. Each ``.npy`` starts on a 64-byte boundary so
the reader (:mod:`retrieval.cache.cacheread`) can use arrays in place from a memory map. The file is
written under a temporary name and moved into place, never rewritten, so an engine still mapping an
older cache file keeps a consistent view of it.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
import zipfile
from array import array
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from retrieval.documents.chunktable import ChunkArrays
from retrieval.documents.units import UNIT_FIELDS
from retrieval.documents.unittokens import UnitTokenArrays
from retrieval.index.postings import IndexData
from retrieval.types import Document, Span

__all__ = [
    "CHUNK_FIELDS",
    "FORMAT",
    "INDEX_FIELDS",
    "OFFSETS",
    "SPAN_KINDS",
    "TOKEN_FIELDS",
    "UNIT_FIELDS",
    "CacheFormatError",
    "CacheWriter",
]

FORMAT = 7
CHUNK_FIELDS = ("doc", "start", "end", "n_tokens")
INDEX_FIELDS = ("idf", "indptr", "rows", "weights")
SPAN_KINDS = ("paragraphs", "boilerplate")
OFFSETS = frozenset({"start", "end"})  # unit columns stored as int32 when they fit
TOKEN_FIELDS = ("ids", "start", "end", "counts", "flags", "quantity", "names", "name_counts")
_ALIGN = 64
_PAD_ID = 0xD935  # the extra-field id zipalign uses for padding
_LOCAL_HEADER = 30
_ZIP64_EXTRA = 20  # added to the local header of members opened with force_zip64


def _narrow(offsets: npt.NDArray[np.int64]) -> npt.NDArray[np.integer[Any]]:
    """Character offsets as int32 when they all fit (any text under 2 GiB): 4 bytes a unit
    fewer to store and map; the reader widens them again."""
    if offsets.size and int(offsets.max()) >= 2**31:
        return offsets
    return offsets.astype(np.int32)


class CacheFormatError(ValueError):
    """The file is not a usable index cache (another format, or inconsistent contents)."""


class _Spans:
    """Every document's spans of one kind, flattened: counts per document, then start/end."""

    def __init__(self) -> None:
        self.counts = array("q")
        self.flat = array("q")

    def add(self, spans: tuple[Span, ...]) -> None:
        self.counts.append(len(spans))
        for span in spans:
            self.flat.extend((span.start, span.end))


class CacheWriter:
    """Writes one cache file; documents stream in during the build, arrays come at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self._tmp = Path(tmp)
        self._file = os.fdopen(fd, "wb")
        self._zip = zipfile.ZipFile(self._file, "w", zipfile.ZIP_STORED, allowZip64=True)
        self._text: IO[bytes] | None = self._zip.open("text.bin", "w", force_zip64=True)
        self._documents: list[list[str | None]] = []
        self._lengths = array("q")
        self._spans = {kind: _Spans() for kind in SPAN_KINDS}
        self._units: dict[str, list[npt.NDArray[Any]]] = {name: [] for name in UNIT_FIELDS}
        self._unit_counts = array("q")
        self._pages = _Spans()

    def add_document(self, doc: Document) -> None:
        assert self._text is not None, "documents come before finish()"
        data = doc.text.encode("utf-8", "surrogatepass")
        self._text.write(data)
        self._lengths.append(len(data))
        self._documents.append(
            [doc.doc_id, doc.title, doc.source, doc.date, doc.author, doc.sha256]
        )
        self._spans["paragraphs"].add(doc.paragraphs)
        self._spans["boilerplate"].add(doc.boilerplate)
        self._unit_counts.append(len(doc.units))
        for name in UNIT_FIELDS:
            self._units[name].append(getattr(doc.units, name))
        self._pages.counts.append(len(doc.page_starts))
        self._pages.flat.extend(doc.page_starts)

    def finish(
        self,
        meta: dict[str, Any],
        chunks: ChunkArrays,
        index: IndexData,
        units: UnitTokenArrays,
        vectors: npt.NDArray[np.float16] | None = None,
    ) -> None:
        """Write the arrays and metadata (``vectors``: every unit's sentence embedding, when
        the semantic stage made them), then move the file into place atomically."""
        self._close_text()
        self._json("documents.json", self._documents)
        self._array("text_bytes", np.array(self._lengths, dtype=np.int64))
        for kind, spans in self._spans.items():
            self._array(f"{kind}_count", np.array(spans.counts, dtype=np.int64))
            self._array(f"{kind}_spans", np.array(spans.flat, dtype=np.int64))
        self._array("unit_count", np.array(self._unit_counts, dtype=np.int64))
        for name, parts in self._units.items():
            column = np.concatenate(parts) if parts else np.zeros(0, np.int64)
            self._array(f"unit_{name}", _narrow(column) if name in OFFSETS else column)
        self._array("page_count", np.array(self._pages.counts, dtype=np.int64))
        self._array("page_starts", np.array(self._pages.flat, dtype=np.int64))
        self._json("terms.json", index.terms)
        for name in CHUNK_FIELDS:
            self._array(f"chunk_{name}", getattr(chunks, name))
        for name in INDEX_FIELDS:
            self._array(name, getattr(index, name))
        for name in TOKEN_FIELDS:
            self._array(f"token_{name}", getattr(units, name))
        if vectors is not None:
            self._array("unit_vectors", vectors)
        counts = {"format": FORMAT, "size": index.size, "positive": index.positive}
        self._json("meta.json", {**meta, **counts})
        self._zip.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._close_text()
        self._zip.close()
        self._file.close()
        self._tmp.unlink(missing_ok=True)

    def _close_text(self) -> None:
        if self._text is not None:
            self._text.close()
            self._text = None

    def _json(self, name: str, value: object) -> None:
        self._zip.writestr(name, json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def _array(self, name: str, values: npt.NDArray[Any]) -> None:
        info = zipfile.ZipInfo(f"{name}.npy")
        fixed = self._file.tell() + _LOCAL_HEADER + len(info.filename.encode()) + _ZIP64_EXTRA + 4
        pad = -fixed % _ALIGN
        info.extra = struct.pack("<HH", _PAD_ID, pad) + bytes(pad)
        with self._zip.open(info, "w", force_zip64=True) as f:
            np.lib.format.write_array(f, np.ascontiguousarray(values), allow_pickle=False)
