"""SQL in questions and document names is stored verbatim and breaks nothing."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

from hardening_support import rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answering import AskService, Origin
from bot.engines import EngineSet
from bot.storage.export import encode
from bot.storage.records import HitRow, QueryLog, RowCounts, Tally, utc_now
from bot.storage.sqlite import Storage
from bot.storage.stats import collect
from retrieval import SearchEngine

GUILD = 1000
FRAGMENTS = [
    "'", '"', ";", "--", "/*", "*/", "'); DROP TABLE queries; --", "' OR '1'='1",
    '" OR 1=1 --', "; DELETE FROM hits WHERE 1=1;", "UNION SELECT * FROM feedback",
    "%", "_", "\\", "\x00", "?", ":name", "@p", "$1", "PRAGMA writable_schema = 1;",
    "ATTACH DATABASE '/tmp/x.db' AS x;", "Robert'); DROP TABLE students;--", "\ud800",
]  # fmt: skip
SQLISH = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5)), max_size=30).map(
    "".join
)
SCHEMA = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
SLOW_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def stored_form(text: str) -> str:
    """What the log keeps: the text itself, lone surrogates (not UTF-8) as U+FFFD."""
    return "".join("\ufffd" if 0xD800 <= ord(char) <= 0xDFFF else char for char in text)


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW_FIXTURES)
@given(questions=st.lists(SQLISH, min_size=1, max_size=4), doc=SQLISH)
def test_sql_fragments_in_questions_and_names_are_stored_verbatim(
    tmp_path: Path, questions: list[str], doc: str
) -> None:
    db_path = tmp_path / f"{len(list(tmp_path.glob('*.db')))}.db"
    asyncio.run(round_trip(db_path, questions, doc))


async def round_trip(db_path: Path, questions: list[str], doc: str) -> None:
    async with await Storage.open(db_path) as storage:
        schema = rows(db_path, SCHEMA)
        hits = (HitRow(1, doc, 0, 10, 2, 8, 1.5),)
        ids = [
            await storage.log_query(QueryLog(utc_now(), 7, "slash", q, 5, True, 1.0, hits, GUILD))
            for q in questions
        ]
        for query_id, question in zip(ids, questions, strict=True):
            row = await storage.get_query(query_id)
            assert row is not None
            assert row.question == stored_form(question)
            assert [hit.doc for hit in await storage.get_hits(query_id)] == [stored_form(doc)]
        since = utc_now() - timedelta(days=1)
        assert sum(t.count for t in await storage.question_tallies(GUILD, since, 50)) == len(ids)
        assert await storage.document_tallies(GUILD, since, 5) == (
            Tally(stored_form(doc), len(ids)),
        )
        export = encode(await storage.export_records(GUILD, since), "jsonl").decode()
        exported = [json.loads(line)["question"] for line in export.split("\n") if line]
        assert exported == [stored_form(q) for q in questions]  # (CSV defuses formulas)
        assert await storage.delete_user(7) == RowCounts(len(ids), len(ids), 0)
        assert rows(db_path, SCHEMA) == schema  # nothing dropped, attached or rewritten


async def test_document_names_made_of_sql_go_through_search_log_and_stats(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    names = ["Robert'); DROP TABLE queries;--.txt", 'x" OR "1"="1.md', "100% _all_ of it.txt"]
    for name in names:
        (corpus / name).write_text(f"The Koryolink network is described in {name}.\n")
    engine = SearchEngine.from_directory(corpus)
    async with await Storage.open(tmp_path / "docqa.db") as storage:
        service = AskService(EngineSet(engine), storage, default_k=5)
        origin = Origin("slash", 7, GUILD, 10, 4242)
        answer = await service.answer("Which file describes the Koryolink network?", origin)
        query_id = answer.query_id
        assert query_id == 4242
        await service.drain()
        stored = {hit.doc for hit in await storage.get_hits(query_id)}
        figures = await collect(storage, GUILD, 1)
    assert stored == set(names)
    assert {tally.label for tally in figures.top_documents} == set(names)
    assert rows(tmp_path / "docqa.db", "SELECT count(*) FROM queries") == [(1,)]
