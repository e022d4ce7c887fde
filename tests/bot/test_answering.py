"""The ask service, answer restoration and retention, on a real database."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from bot_doubles import BotFactory

from bot.answering import AskService, hit_rows, query_log
from bot.console import CONSOLE
from bot.engines import EngineSet
from bot.restore import rebuild_hits
from bot.storage.records import HitRow, utc_now
from bot.storage.sqlite import Storage
from retrieval import QueryError, SearchEngine

QUESTION = "Who founded Nosotek?"
CONSOLE_77 = replace(CONSOLE, query_id=77)


async def test_ask_validates_and_clamps(engine: SearchEngine, storage: Storage) -> None:
    service = AskService(EngineSet(engine), storage, default_k=3)
    answer = await service.answer(f"  {QUESTION}  ", CONSOLE)
    assert answer.result.query == QUESTION
    assert answer.k == 3
    assert len(answer.result.hits) == 3
    assert answer.latency_ms > 0
    with pytest.raises(QueryError):
        await service.answer("", CONSOLE)


async def test_restore_reproduces_the_logged_answer(engine: SearchEngine, storage: Storage) -> None:
    service = AskService(EngineSet(engine), storage, default_k=5)
    answer = await service.answer(QUESTION, CONSOLE)
    query_id = answer.query_id
    await service.drain()
    restored = await service.restore(query_id)
    assert restored is not None
    assert restored.result.hits == answer.result.hits
    assert restored.result.answered == answer.result.answered
    assert await service.restore(query_id + 1) is None


def test_rebuild_without_the_live_result_or_the_document(engine: SearchEngine) -> None:
    result = engine.search(QUESTION, 3)
    rows = hit_rows(result.hits)
    plain = rebuild_hits(engine, rows, live=None)  # e.g. the index was rebuilt differently
    assert [h.excerpt.text for h in plain] == [h.excerpt.text for h in result.hits]
    assert [h.citation for h in plain] == [h.citation for h in result.hits]
    assert all(h.excerpt.marks == () for h in plain)
    gone = (*rows, HitRow(4, "removed.txt", 0, 10, 0, 5, 1.0), replace(rows[0], excerpt_end=10**9))
    assert len(rebuild_hits(engine, gone, live=result)) == len(rows)


async def test_drain_waits_for_background_writes(engine: SearchEngine, storage: Storage) -> None:
    service = AskService(EngineSet(engine), storage, default_k=2)
    service.writer.submit(query_log(engine.search(QUESTION, 2), 2, 1.0, utc_now(), CONSOLE_77))
    await service.drain()
    assert await storage.get_query(77) is not None


async def test_retention_loop_purges_old_rows(
    make_bot: BotFactory, engine: SearchEngine, storage: Storage
) -> None:
    service = AskService(EngineSet(engine), storage, default_k=3)
    result = engine.search(QUESTION, 3)
    old = query_log(result, 3, 1.0, utc_now() - timedelta(days=40), replace(CONSOLE, query_id=1))
    await service.writer.submit(old)
    recent = (await service.answer(QUESTION, CONSOLE)).query_id
    await service.drain()
    bot = await make_bot(storage, retention_days=30)
    cog: Any = bot.get_cog("RetentionCog")
    assert cog.purge.is_running()
    await cog.purge()  # one iteration, as the loop runs it
    assert await storage.get_query(recent) is not None
    assert await storage.get_query(1) is None
    await bot.close()  # unloads the cogs, which cancels the loop
    for _ in range(100):  # a purge in flight rolls back first
        if not cog.purge.is_running():
            break
        await asyncio.sleep(0.01)
    assert not cog.purge.is_running()


async def test_retention_zero_keeps_forever(make_bot: BotFactory, storage: Storage) -> None:
    bot = await make_bot(storage, retention_days=0)
    cog: Any = bot.get_cog("RetentionCog")
    assert not cog.purge.is_running()
