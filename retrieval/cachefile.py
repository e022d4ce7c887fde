"""The index cache file: one uncompressed .npz (a zip of .npy arrays) plus JSON and text members.

Members: ``meta.json`` (format, code version, options, corpus file states, counts),
``documents.json`` (metadata and spans per document), ``text.bin`` (the documents' UTF-8 text,
back to back, written while the build streams), ``terms.json`` and one ``.npy`` per array. No
pickles: ``np.load``-style reading with ``allow_pickle=False``. The zip's CRC-32 per member
catches corruption; the file appears only when complete (temporary file, then ``os.replace``).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from retrieval.chunktable import ChunkArrays
from retrieval.postings import IndexData
from retrieval.types import Document, Span

__all__ = ["FORMAT", "READ_ERRORS", "CacheFormatError", "CacheReader", "CacheWriter"]

FORMAT = 1
_CHUNK_FIELDS = ("doc", "start", "end", "n_tokens")
_INDEX_FIELDS = ("idf", "indptr", "rows", "weights")
_HEADER_MAX = 1 << 16


class CacheFormatError(ValueError):
    """The file is not a usable index cache (another format, or inconsistent contents)."""


# Whatever a truncated, corrupted or foreign file can raise while being read.
READ_ERRORS = (OSError, ValueError, TypeError, KeyError, IndexError, EOFError, zipfile.BadZipFile)


def _flat(spans: tuple[Span, ...]) -> list[int]:
    return [n for s in spans for n in (s.start, s.end)]


def _spans(flat: list[int]) -> tuple[Span, ...]:
    return tuple(map(Span, flat[0::2], flat[1::2]))


class CacheWriter:
    """Writes one cache file; documents stream in during the build, arrays come at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self._zip = zipfile.ZipFile(self._tmp, "w", zipfile.ZIP_STORED, allowZip64=True)
        self._text: IO[bytes] | None = self._zip.open("text.bin", "w", force_zip64=True)
        self._documents: list[list[Any]] = []

    def add_document(self, doc: Document) -> None:
        assert self._text is not None, "documents come before finish()"
        data = doc.text.encode("utf-8", "surrogatepass")
        self._text.write(data)
        self._documents.append(
            [
                doc.doc_id,
                doc.title,
                doc.source,
                doc.date,
                doc.author,
                doc.sha256,
                len(data),
                _flat(doc.paragraphs),
                _flat(doc.boilerplate),
            ]
        )

    def finish(self, meta: dict[str, Any], chunks: ChunkArrays, index: IndexData) -> None:
        """Write the arrays and metadata, then move the file into place atomically."""
        assert self._text is not None
        self._text.close()
        self._text = None
        self._json("documents.json", self._documents)
        self._json("terms.json", index.terms)
        for name in _CHUNK_FIELDS:
            self._array(f"chunk_{name}", getattr(chunks, name))
        for name in _INDEX_FIELDS:
            self._array(name, getattr(index, name))
        meta = {**meta, "format": FORMAT, "size": index.size, "positive": index.positive}
        self._json("meta.json", meta)
        self._zip.close()
        with self._tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        if self._text is not None:
            self._text.close()
        self._zip.close()
        self._tmp.unlink(missing_ok=True)

    def _json(self, name: str, value: object) -> None:
        self._zip.writestr(name, json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def _array(self, name: str, array: npt.NDArray[Any]) -> None:
        with self._zip.open(f"{name}.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array(f, np.ascontiguousarray(array), allow_pickle=False)


class CacheReader:
    """Reads a cache file; any damage surfaces as one of :data:`READ_ERRORS`."""

    def __init__(self, path: Path) -> None:
        self._zip = zipfile.ZipFile(path)
        self.meta: dict[str, Any] = json.loads(self._zip.read("meta.json"))
        if not isinstance(self.meta, dict) or self.meta.get("format") != FORMAT:
            found = self.meta.get("format") if isinstance(self.meta, dict) else None
            self._zip.close()
            raise CacheFormatError(f"format {found!r}, expected {FORMAT}")

    def __enter__(self) -> CacheReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zip.close()

    def documents(self) -> tuple[Document, ...]:
        text = memoryview(self._zip.read("text.bin"))
        docs, at = [], 0
        for doc_id, title, source, date, author, sha, nbytes, paras, boiler in self._json(
            "documents.json"
        ):
            body = str(text[at : at + nbytes], "utf-8", "surrogatepass")
            at += nbytes
            docs.append(
                Document(
                    doc_id, title, body, _spans(paras), _spans(boiler), source, date, author, sha
                )
            )
        if at != len(text):
            raise CacheFormatError("document text does not add up")
        return tuple(docs)

    def chunks(self) -> ChunkArrays:
        return ChunkArrays(*(self._array(f"chunk_{name}") for name in _CHUNK_FIELDS))

    def index(self) -> IndexData:
        idf, indptr, rows, weights = (self._array(name) for name in _INDEX_FIELDS)
        terms, size = tuple(self._json("terms.json")), int(self.meta["size"])
        return IndexData(terms, idf, indptr, rows, weights, size, bool(self.meta["positive"]))

    def _json(self, name: str) -> Any:
        return json.loads(self._zip.read(name))

    def _array(self, name: str) -> npt.NDArray[Any]:
        """The array, without copying it again: its bytes are read once and CRC-checked."""
        data = self._zip.read(f"{name}.npy")
        header = io.BytesIO(data[:_HEADER_MAX])
        version = np.lib.format.read_magic(header)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0}.get(
            version, np.lib.format.read_array_header_2_0
        )
        shape, fortran, dtype = read_header(header)
        if dtype.hasobject or fortran:
            raise CacheFormatError(f"{name}: unexpected array layout")
        count = int(np.prod(shape))
        return np.frombuffer(data, dtype, count, header.tell()).reshape(shape)
