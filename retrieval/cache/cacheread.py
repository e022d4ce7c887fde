"""Reading an index cache file (written by :mod:`retrieval.cache.cachefile`) fast and defensively.

The file is memory-mapped and arrays are used in place. Every stored member's CRC-32 is checked
on a background thread (``zlib.crc32`` releases the GIL) while this thread rebuilds documents;
:meth:`CacheReader.verify` joins those checks before anything loaded is used. Any damage surfaces
as one of :data:`READ_ERRORS`.
"""

from __future__ import annotations

import gc
import io
import json
import mmap
import struct
import zipfile
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import cached_property
from itertools import pairwise, repeat
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.cache.cachefile import (
    CHUNK_FIELDS,
    FORMAT,
    INDEX_FIELDS,
    OFFSETS,
    TOKEN_FIELDS,
    CacheFormatError,
)
from retrieval.documents.chunktable import ChunkArrays
from retrieval.documents.units import UNIT_FIELDS, Units
from retrieval.documents.unittable import UnitTable
from retrieval.documents.unittokens import UnitTokenArrays
from retrieval.index.postings import IndexData
from retrieval.types import Document, Span

__all__ = ["READ_ERRORS", "CacheReader"]

# Whatever a truncated, corrupted or foreign file can raise while being read.
READ_ERRORS = (OSError, ValueError, TypeError, KeyError, IndexError, EOFError, zipfile.BadZipFile)
_LOCAL_HEADER = 30


@contextmanager
def _bulk_allocation() -> Iterator[None]:
    """Pause the cyclic GC, which would rescan every new object of a million-object load."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _span_objects(starts: list[int], ends: list[int]) -> list[Span]:
    """Spans made without running ``Span.__init__`` per object (a million take 0.3 s, not 0.7):
    the caller has checked ``0 <= start <= end`` for all of them at once."""
    spans = list(map(object.__new__, repeat(Span, len(starts))))
    slots = Span.__dict__  # the slot descriptors write past the frozen dataclass's __setattr__
    list(map(slots["start"].__set__, spans, starts))
    list(map(slots["end"].__set__, spans, ends))
    return spans


class CacheReader:
    """One open cache file; use as a context manager, then call :meth:`verify`."""

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
        self._checker = ThreadPoolExecutor(1, thread_name_prefix="cache-crc")
        self._checks: list[tuple[str, Future[bool]]] = []

    def __enter__(self) -> CacheReader:
        return self

    def __exit__(self, *exc: object) -> None:
        # The map stays open for as long as arrays loaded from it are alive.
        self._checker.shutdown(wait=True, cancel_futures=True)
        self._zip.close()
        self._file.close()

    def verify(self) -> None:
        """Wait for the CRC-32 checks of everything read so far; raise on any mismatch."""
        for name, check in self._checks:
            if not check.result():
                raise CacheFormatError(f"{name}: CRC-32 mismatch")

    def documents(self) -> tuple[Document, ...]:
        text = self._member("text.bin")
        lengths = self._array("text_bytes")
        entries = self._json("documents.json")
        if len(lengths) != len(entries) or int(lengths.sum()) != len(text):
            raise CacheFormatError("document text does not add up")
        ends = np.cumsum(lengths).tolist()
        with _bulk_allocation():
            paragraphs, boilerplate = self._spans("paragraphs"), self._spans("boilerplate")
            units, pages = self._units(len(entries)), self._pages(len(entries))
            docs = [
                Document(
                    doc_id,
                    title,
                    str(text[end - n : end], "utf-8", "surrogatepass"),
                    paras,
                    boiler,
                    source,
                    date,
                    author,
                    sha,
                    unit,
                    page,
                )
                for (
                    doc_id,
                    title,
                    source,
                    date,
                    author,
                    sha,
                ), n, end, paras, boiler, unit, page in zip(
                    entries,
                    lengths.tolist(),
                    ends,
                    paragraphs,
                    boilerplate,
                    units,
                    pages,
                    strict=True,
                )
            ]
        return tuple(docs)

    def _spans(self, kind: str) -> list[tuple[Span, ...]]:
        counts = self._array(f"{kind}_count")
        flat = self._array(f"{kind}_spans").reshape(-1, 2)
        if len(flat) != int(counts.sum()) or not bool(
            np.all((flat[:, 0] >= 0) & (flat[:, 0] <= flat[:, 1]))
        ):
            raise CacheFormatError(f"{kind}: invalid spans")
        spans = _span_objects(flat[:, 0].tolist(), flat[:, 1].tolist())
        bounds = np.concatenate([[0], np.cumsum(counts)]).tolist()
        return [tuple(spans[a:b]) for a, b in pairwise(bounds)]

    @cached_property
    def _unit_columns(self) -> dict[str, npt.NDArray[Any]]:
        """The units' columns, offsets widened back to int64 once (see ``cachefile._narrow``):
        the documents' units and the unit table share them."""
        return {
            name: self._array(f"unit_{name}").astype(np.int64, copy=False)
            if name in OFFSETS
            else self._array(f"unit_{name}")
            for name in UNIT_FIELDS
        }

    def _units(self, documents: int) -> list[Units]:
        counts = self._array("unit_count")
        columns = self._unit_columns
        total = int(counts.sum())
        if len(counts) != documents or any(len(c) != total for c in columns.values()):
            raise CacheFormatError("units: counts do not add up")
        bounds = np.concatenate([[0], np.cumsum(counts)]).tolist()
        return [
            Units(**{name: column[a:b] for name, column in columns.items()})
            for a, b in pairwise(bounds)
        ]

    def unit_table(self) -> UnitTable:
        """Every unit and its tokens as the excerpt stage reads them, in place in the map."""
        columns = self._unit_columns
        tokens = UnitTokenArrays(*(self._array(f"token_{name}") for name in TOKEN_FIELDS))
        if len(tokens.quantity) != len(self._json("terms.json")) + 2:
            raise CacheFormatError("unit tokens: vocabulary does not fit")
        return UnitTable.from_arrays(columns, self._array("unit_count"), tokens)

    def unit_vectors(self, units: int) -> npt.NDArray[np.float16] | None:
        """Every unit's sentence embedding, shape (units, dim), or None when none were stored."""
        if "unit_vectors.npy" not in self._zip.NameToInfo:
            return None
        vectors = self._array("unit_vectors")
        if vectors.dtype != np.float16 or vectors.ndim != 2 or len(vectors) != units:
            raise CacheFormatError("unit vectors do not fit the units")
        return vectors

    def _pages(self, documents: int) -> list[tuple[int, ...]]:
        counts, flat = self._array("page_count"), self._array("page_starts").tolist()
        if len(counts) != documents or len(flat) != int(counts.sum()):
            raise CacheFormatError("page starts: counts do not add up")
        bounds = np.concatenate([[0], np.cumsum(counts)]).tolist()
        return [tuple(flat[a:b]) for a, b in pairwise(bounds)]

    def chunks(self) -> ChunkArrays:
        return ChunkArrays(*(self._array(f"chunk_{name}") for name in CHUNK_FIELDS))

    def index(self) -> IndexData:
        idf, indptr, rows, weights = (self._array(name) for name in INDEX_FIELDS)
        terms, size = tuple(self._json("terms.json")), int(self.meta["size"])
        return IndexData(terms, idf, indptr, rows, weights, size, bool(self.meta["positive"]))

    def _json(self, name: str) -> Any:
        return json.loads(self._zip.read(name))  # zipfile checks the CRC of what it reads

    def _member(self, name: str) -> memoryview:
        """A stored member's bytes, in place in the map; its CRC-32 is checked in the background."""
        info = self._zip.getinfo(name)
        header = self._map[info.header_offset : info.header_offset + _LOCAL_HEADER]
        if info.compress_type != zipfile.ZIP_STORED or header[:4] != b"PK\x03\x04":
            raise CacheFormatError(f"{name}: not a stored zip member")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = info.header_offset + _LOCAL_HEADER + name_len + extra_len
        data = memoryview(self._map)[start : start + info.file_size]
        if len(data) != info.file_size:
            raise CacheFormatError(f"{name}: truncated")
        self._checks.append((name, self._checker.submit(lambda: zlib.crc32(data) == info.CRC)))
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
