"""/ask through the real cog callback with an interaction double; the error translator."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import discord
import pytest
from bot_doubles import (
    BotFactory,
    Calls,
    FakeInteraction,
    RecordingEngine,
    assert_pings_nobody,
    custom_ids,
)
from discord import app_commands

from bot.app import DocqaBot
from bot.cogs.ask import mention_question
from bot.engines import EngineSet
from bot.storage.journal import Journal, journal_path
from bot.storage.sqlite import Storage
from bot.ui.embeds import MAX_TOTAL
from bot.ui.refusals import report, user_message
from retrieval import QueryError

QUESTION = "How many North Koreans have mobile phones?"


def ask_cog(bot: DocqaBot) -> Any:
    # load_extension executes the module afresh, so its classes are not this file's imports.
    cog = bot.get_cog("AskCog")
    assert cog is not None
    return cog


async def ask(interaction: FakeInteraction, question: str, **options: Any) -> None:
    cog = ask_cog(interaction.client)
    await cog.ask.callback(cog, interaction, question, **options)  # type: ignore[arg-type]


async def test_ask_defers_then_answers_once_then_logs(
    make_bot: BotFactory, storage: Storage
) -> None:
    bot = await make_bot(storage)
    interaction = FakeInteraction(bot)
    bot.service.engines = EngineSet(RecordingEngine(bot.engines.for_guild(None), interaction.calls))  # type: ignore[arg-type]
    await ask(interaction, QUESTION, k=4)
    assert interaction.calls.names == ["defer", "engine.search", "followup.send"]
    assert interaction.calls.last("defer") == {"ephemeral": False, "thinking": True}
    sent = interaction.calls.last("followup.send")
    assert_pings_nobody(sent["allowed_mentions"])
    assert sent["ephemeral"] is False
    [embed] = sent["embeds"]
    assert len(embed) <= MAX_TOTAL
    assert embed.fields[0].name.startswith("[1] ")
    assert f"docqa:vote:{interaction.id}:up" in custom_ids(sent["view"])

    await bot.service.drain()
    row = await storage.get_query(interaction.id)
    assert row is not None
    assert (row.source, row.user_id, row.guild_id, row.channel_id) == ("slash", 42, 7, 8)
    assert (row.question, row.k, row.hit_count) == (QUESTION, 4, 4)
    assert [hit.rank for hit in await storage.get_hits(interaction.id)] == [1, 2, 3, 4]


async def test_private_answers_are_ephemeral(make_bot: BotFactory, storage: Storage) -> None:
    bot = await make_bot(storage)
    interaction = FakeInteraction(bot)
    await ask(interaction, QUESTION, private=True)
    assert interaction.calls.last("defer")["ephemeral"] is True
    assert interaction.calls.last("followup.send")["ephemeral"] is True


async def test_empty_question_is_refused_before_deferring(
    make_bot: BotFactory, storage: Storage
) -> None:
    bot = await make_bot(storage)
    interaction = FakeInteraction(bot)
    with pytest.raises(QueryError) as caught:
        await ask(interaction, "   ")
    await report(interaction, caught.value)
    assert interaction.calls.names == ["send_message"]
    sent = interaction.calls.last("send_message")
    assert (sent["content"], sent["ephemeral"]) == ("The question is empty.", True)
    assert await storage.get_query(interaction.id) is None


async def test_mentions_in_the_question_ping_nobody(make_bot: BotFactory, storage: Storage) -> None:
    bot = await make_bot(storage)
    interaction = FakeInteraction(bot)
    await ask(interaction, "@everyone <@123456789012345678> who founded Nosotek?")
    sent = interaction.calls.last("followup.send")
    assert_pings_nobody(sent["allowed_mentions"])
    assert "@everyone" not in (sent["embeds"][0].title or "")


async def test_a_broken_database_never_breaks_the_answer(
    make_bot: BotFactory, storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await make_bot(storage)
    interaction = FakeInteraction(bot)
    await bot.guild_configs.get(interaction.guild_id)  # read before it broke (an earlier question)
    await storage.close()  # every write now fails
    await ask(interaction, QUESTION)
    await bot.service.drain(timeout=0.2)
    assert interaction.calls.names == ["defer", "followup.send"]
    assert "Cannot write the query log (no active connection)" in caplog.text
    # Kept for the next start, in the journal beside the database.
    assert [entry.query_id for entry in Journal(journal_path(storage.path)).entries()] == [
        interaction.id
    ]


async def test_the_row_is_committed_before_the_reply(
    make_bot: BotFactory, storage: Storage
) -> None:
    # So an answer someone received is in the log even if the process dies right after sending.
    bot = await make_bot(storage)
    interaction = FakeInteraction(bot)
    seen_before_reply: list[object] = []
    real_send = interaction.followup.send

    async def checking_send(**kwargs: Any) -> None:
        seen_before_reply.append(await storage.get_query(interaction.id))
        await real_send(**kwargs)

    interaction.followup.send = checking_send  # type: ignore[method-assign]
    await ask(interaction, QUESTION)
    assert [row is not None for row in seen_before_reply] == [True]


async def test_a_stalled_database_delays_the_reply_at_most_record_wait(
    make_bot: BotFactory, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.answering.RECORD_WAIT", 0.2)
    bot = await make_bot(storage)
    interaction = FakeInteraction(bot)
    release = asyncio.Event()
    real_log = storage.log_queries
    journal = bot.service.writer.journal

    async def stalled(entries: Any) -> list[int]:
        await release.wait()
        return await real_log(entries)

    monkeypatch.setattr(storage, "log_queries", stalled)
    started = time.perf_counter()
    await ask(interaction, QUESTION)
    assert 0.2 <= time.perf_counter() - started < 0.7
    assert interaction.calls.names == ["defer", "followup.send"]
    # Not committed yet, so on disk in the journal before the reply went out.
    assert [entry.query_id for entry in Journal(journal.path).entries()] == [interaction.id]
    release.set()
    await bot.service.drain()
    assert await storage.get_query(interaction.id) is not None  # the write went on meanwhile
    assert not journal.path.exists()  # and the journal's copy is gone


async def test_cooldown_check_and_its_message(make_bot: BotFactory, storage: Storage) -> None:
    bot = await make_bot(storage, ask_cooldown=30.0)
    cog = ask_cog(bot)
    interaction = FakeInteraction(bot, user_id=991)

    async def checks_pass() -> bool:
        return all([await discord.utils.maybe_coroutine(c, interaction) for c in cog.ask.checks])

    assert await checks_pass()
    with pytest.raises(app_commands.CommandOnCooldown) as caught:
        await checks_pass()
    await report(interaction, caught.value)
    text = interaction.calls.last("send_message")["content"]
    assert text.startswith("You're asking quickly: try again in ")
    assert text.endswith(" s.")
    assert interaction.calls.last("send_message")["ephemeral"] is True


async def test_unexpected_errors_are_logged_with_a_short_reply(
    make_bot: BotFactory, storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await make_bot(storage)
    interaction = FakeInteraction(bot, calls=Calls())
    await interaction.response.defer(thinking=True)
    error = app_commands.CommandInvokeError(bot.tree.get_commands()[0], KeyError("boom"))  # type: ignore[arg-type]
    await bot.tree.on_error(interaction, error)  # type: ignore[arg-type]
    assert interaction.calls.names == ["defer", "followup.send"]
    assert interaction.calls.last("followup.send")["content"] == user_message(KeyError())
    assert "KeyError: 'boom'" in caplog.text


def test_mention_question() -> None:
    assert mention_question("<@42> what is BM25?", 42) == "what is BM25?"
    assert mention_question("so <@!42>, what is   BM25?", 42) == "so , what is BM25?"
    assert mention_question("what is BM25?", 42) is None
    assert mention_question("<@43> hi", 42) is None
    assert mention_question("<@42>", 42) == ""
