"""The query log of one guild, with hits and votes, as CSV or JSON Lines bytes.

Both formats carry the same information: JSONL nests hits and feedback in each query; CSV
has one row per query with those two lists as JSON text, so spreadsheets stay one row wide.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any, Literal

from bot.storage.records import ExportRecord, QueryRow, utc_iso

__all__ = [
    "COLUMNS",
    "ExportFormat",
    "encode",
    "shorter_window",
    "to_csv",
    "to_jsonl",
]


ExportFormat = Literal["csv", "jsonl"]
COLUMNS = (
    *(name for name in QueryRow.__dataclass_fields__),
    "hits",
    "feedback",
)
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _record(record: ExportRecord) -> dict[str, Any]:
    row = asdict(record.query)
    row["created_at"] = utc_iso(record.query.created_at)
    row["hits"] = [asdict(hit) for hit in record.hits]
    row["feedback"] = [
        {"user_id": v.user_id, "vote": v.vote, "created_at": utc_iso(v.created_at)}
        for v in record.votes
    ]
    return row


def to_jsonl(records: Iterable[ExportRecord]) -> bytes:
    lines = (json.dumps(_record(record), ensure_ascii=False) + "\n" for record in records)
    return "".join(lines).encode("utf-8")


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(records: Iterable[ExportRecord]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: _cell(value) for key, value in _record(record).items()})
    # A byte-order mark makes Excel read the file as UTF-8 instead of the system code page.
    return buffer.getvalue().encode("utf-8-sig")


def encode(records: Iterable[ExportRecord], fmt: ExportFormat) -> bytes:
    return to_csv(records) if fmt == "csv" else to_jsonl(records)


def shorter_window(days: int, size: int, limit: int) -> int:
    """A number of days whose export would probably fit under ``limit`` bytes (at least 1)."""
    return max(math.floor(days * limit / size * 0.9), 1) if size > limit else days
