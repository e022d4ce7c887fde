"""``/docqa export``: the guild's log with hits and votes, as CSV or JSONL, within the limit."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from doubles import GUILD, MEMBER, FakeInteraction, invoke
from sample_log import A, B, count_rows

from bot.cogs.moderation import AdminCog
from bot.storage.database import Database
from bot.storage.export import COLUMNS, encode, shorter_window, to_csv, to_jsonl
from bot.storage.records import ExportRecord, HitRow, QueryRow, VoteRow
from bot.storage.sqlite import Storage
from bot.storage.stats import window_start

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HIT = HitRow(1, A, 0, 90, 10, 50, 7.25)


def record(question: str = "Who founded Nosotek?", **changes: object) -> ExportRecord:
    query = QueryRow(1, AT, GUILD, 10, 7, "slash", question, 5, True, 12.5, 1, 7.25)
    return ExportRecord(query, (HIT,), (VoteRow(8, 1, AT),), **changes)  # type: ignore[arg-type]


async def export(services: SimpleNamespace, interaction: FakeInteraction, **params: object) -> None:
    await invoke(AdminCog(services).docqa.get_command("export"), interaction, **params)  # type: ignore[arg-type]


def test_jsonl_nests_hits_and_feedback() -> None:
    (line,) = to_jsonl([record()]).decode().splitlines()
    row = json.loads(line)
    assert row["question"] == "Who founded Nosotek?"
    assert row["created_at"] == "2026-11-20T12:00:00.000+00:00"
    assert row["hits"] == [
        {"rank": 1, "doc": A, "chunk_start": 0, "chunk_end": 90, "excerpt_start": 10,
         "excerpt_end": 50, "score": 7.25}
    ]  # fmt: skip
    assert row["feedback"] == [{"user_id": 8, "vote": 1, "created_at": row["created_at"]}]


def test_csv_is_one_row_per_question_with_lists_as_json() -> None:
    data = to_csv([record(), record('=HYPERLINK("http://evil")')])
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    assert json.loads(rows[0]["hits"])[0]["doc"] == A
    assert json.loads(rows[0]["feedback"])[0]["vote"] == 1
    assert rows[1]["question"] == '\'=HYPERLINK("http://evil")'  # no formula in a spreadsheet


def test_shorter_window_suggests_a_range_that_fits() -> None:
    assert shorter_window(30, 30_000, 10_000) == 9
    assert shorter_window(1, 30_000, 10_000) == 1
    assert shorter_window(30, 5_000, 10_000) == 30


async def test_storage_export_is_scoped_to_the_guild_and_window(sample: Storage) -> None:
    records = await sample.export_records(GUILD, window_start(7))
    assert [r.query.id for r in records] == [103, 104, 102, 101]  # oldest first, then by id
    by_id = {r.query.id: r for r in records}
    assert [h.doc for h in by_id[101].hits] == [A, B]
    assert sorted((v.user_id, v.vote) for v in by_id[101].votes) == [(2, 1), (3, 1)]
    assert by_id[103].hits == ()
    assert [(v.user_id, v.vote) for v in by_id[103].votes] == [(1, -1)]
    thirty = await sample.export_records(GUILD, window_start(30))
    assert [r.query.id for r in thirty] == [105, 103, 104, 102, 101]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
async def test_the_command_attaches_the_file(
    sample: Storage, services: SimpleNamespace, storage: Database, fmt: str
) -> None:
    before = await count_rows(storage)
    interaction = FakeInteraction()
    await export(services, interaction, days=7, fmt=fmt)
    reply = interaction.only
    assert reply.ephemeral
    assert reply.content == "4 questions from the last 7 days."
    assert reply.file is not None
    assert reply.file.filename == f"docqa-{GUILD}-7d.{fmt}"
    records = await sample.export_records(GUILD, window_start(7))
    assert reply.file_bytes == encode(records, fmt)  # type: ignore[arg-type]
    assert b"Other guild question" not in reply.file_bytes
    assert b"A question in a DM" not in reply.file_bytes
    assert await count_rows(storage) == before


async def test_too_large_for_the_guild_says_so_and_suggests_fewer_days(
    sample: Storage, services: SimpleNamespace
) -> None:
    interaction = FakeInteraction(filesize_limit=1000)
    await export(services, interaction, days=30, fmt="jsonl")
    reply = interaction.only
    assert reply.file is None
    assert reply.ephemeral
    assert "over this server's upload limit" in (reply.content or "")
    assert "Try a shorter range, e.g. `days:" in (reply.content or "")


async def test_refused_without_manage_server(sample: Storage, services: SimpleNamespace) -> None:
    interaction = FakeInteraction(user_id=MEMBER, manage_guild=False)
    await export(services, interaction, days=30)
    assert interaction.only.file is None
    assert interaction.only.ephemeral
    assert "missing manage server permission" in (interaction.only.content or "").lower()
    assert interaction.deferred is None
