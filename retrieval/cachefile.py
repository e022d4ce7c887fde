"""The index cache file: one uncompressed .npz (a zip of .npy arrays) plus JSON and text members.

Members: ``meta.json`` (format, code version, options, corpus file states, counts),
``documents.json`` (metadata and spans per document), ``text.bin`` (the documents' UTF-8 text,
back to back, written while the build streams), ``terms.json`` and one ``.npy`` per array. No
pickles. Each ``.npy`` starts on a 64-byte boundary, so arrays are used in place from a read-only
memory map once the member's CRC-32 has been checked: a million passages load in a second or
two instead of being copied. The file is written to a temporary name and moved into place, never
rewritten, so an engine mapping an older cache file keeps a consistent view of it.
"""

from __future__ import annotations

import gc
import io
import json
import mmap
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
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
_ALIGN = 64
_PAD_ID = 0xD935  # the extra-field id zipalign uses for padding
_LOCAL_HEADER = 30
_ZIP64_EXTRA = 20  # added to the local header of members opened with force_zip64


class CacheFormatError(ValueError):
    """The file is not a usable index cache (another format, or inconsistent contents)."""


# Whatever a truncated, corrupted or foreign file can raise while being read.
READ_ERRORS = (OSError, ValueError, TypeError, KeyError, IndexError, EOFError, zipfile.BadZipFile)


def _flat(spans: tuple[Span, ...]) -> list[int]:
    return [n for s in spans for n in (s.start, s.end)]


def _spans(flat: list[int]) -> tuple[Span, ...]:
    return tuple(map(Span, flat[0::2], flat[1::2]))


@contextmanager
def _bulk_allocation() -> Iterator[None]:
    """Pause the cyclic GC: it would rescan every new Span, tripling the cost of a million."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class CacheWriter:
    """Writes one cache file; documents stream in during the build, arrays come at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self._file = self._tmp.open("wb")
        self._zip = zipfile.ZipFile(self._file, "w", zipfile.ZIP_STORED, allowZip64=True)
        self._text: IO[bytes] | None = self._zip.open("text.bin", "w", force_zip64=True)
        self._documents: list[list[Any]] = []

    def add_document(self, doc: Document) -> None:
        assert self._text is not None, "documents come before finish()"
        data = doc.text.encode("utf-8", "surrogatepass")
        self._text.write(data)
        meta = [doc.doc_id, doc.title, doc.source, doc.date, doc.author, doc.sha256, len(data)]
        self._documents.append([*meta, _flat(doc.paragraphs), _flat(doc.boilerplate)])

    def finish(self, meta: dict[str, Any], chunks: ChunkArrays, index: IndexData) -> None:
        """Write the arrays and metadata, then move the file into place atomically."""
        self._close_text()
        self._json("documents.json", self._documents)
        self._json("terms.json", index.terms)
        for name in _CHUNK_FIELDS:
            self._array(f"chunk_{name}", getattr(chunks, name))
        for name in _INDEX_FIELDS:
            self._array(name, getattr(index, name))
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

    def _array(self, name: str, array: npt.NDArray[Any]) -> None:
        info = zipfile.ZipInfo(f"{name}.npy")
        fixed = self._file.tell() + _LOCAL_HEADER + len(info.filename.encode()) + _ZIP64_EXTRA + 4
        pad = -fixed % _ALIGN
        info.extra = struct.pack("<HH", _PAD_ID, pad) + bytes(pad)
        with self._zip.open(info, "w", force_zip64=True) as f:
            np.lib.format.write_array(f, np.ascontiguousarray(array), allow_pickle=False)


class CacheReader:
    """Reads a cache file; any damage surfaces as one of :data:`READ_ERRORS`."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("rb")
        try:
            self._zip = zipfile.ZipFile(self._file)
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
            self.meta: dict[str, Any] = json.loads(self._zip.read("meta.json"))
            if not isinstance(self.meta, dict) or self.meta.get("format") != FORMAT:
                found = self.meta.get("format") if isinstance(self.meta, dict) else None
                raise CacheFormatError(f"format {found!r}, expected {FORMAT}")
        except BaseException:
            self._file.close()
            raise

    def __enter__(self) -> CacheReader:
        return self

    def __exit__(self, *exc: object) -> None:
        # The map stays open for as long as arrays loaded from it are alive.
        self._zip.close()
        self._file.close()

    def documents(self) -> tuple[Document, ...]:
        text = self._member("text.bin")
        docs, at = [], 0
        with _bulk_allocation():
            for doc_id, title, source, date, author, sha, nbytes, paras, boiler in self._json(
                "documents.json"
            ):
                body = str(text[at : at + nbytes], "utf-8", "surrogatepass")
                at += nbytes
                spans = _spans(paras), _spans(boiler)
                docs.append(Document(doc_id, title, body, *spans, source, date, author, sha))
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

    def _member(self, name: str) -> memoryview:
        """A stored member's bytes, in place in the map, after checking its CRC-32."""
        info = self._zip.getinfo(name)
        header = self._map[info.header_offset : info.header_offset + _LOCAL_HEADER]
        if info.compress_type != zipfile.ZIP_STORED or header[:4] != b"PK\x03\x04":
            raise CacheFormatError(f"{name}: not a stored zip member")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = info.header_offset + _LOCAL_HEADER + name_len + extra_len
        data = memoryview(self._map)[start : start + info.file_size]
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            raise CacheFormatError(f"{name}: CRC-32 mismatch")
        return data

    def _array(self, name: str) -> npt.NDArray[Any]:
        data = self._member(f"{name}.npy")
        header = io.BytesIO(data[: 1 << 16])
        version = np.lib.format.read_magic(header)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, fortran, dtype = read_header(header)
        if dtype.hasobject or fortran:
            raise CacheFormatError(f"{name}: unexpected array layout")
        array = np.frombuffer(data, dtype, int(np.prod(shape)), header.tell()).reshape(shape)
        return array if array.flags.aligned else array.copy()
