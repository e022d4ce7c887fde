"""The real bot, set up offline: /ask follows the guild's config and answers from its uploads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord import app_commands
from doubles import (
    CHANNEL,
    GUILD,
    OTHER_GUILD,
    FakeAttachment,
    FakeInteraction,
    find,
    invoke,
)
from format_samples import LECTURE_TITLE, lecture_pdf
from sample_log import count_rows

from bot.app import DocqaBot
from bot.cogs.ask import _ask_cooldown
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.records import GuildConfig
from bot.storage.sqlite import Storage
from bot.ui.refusals import report
from retrieval import SearchEngine

NOTES = b"Zebrafish notes\n\nThe zebrafish committee meets in the Pyongyang library on Tuesdays.\n"
ZEBRA = "When does the zebrafish committee meet?"


@pytest.fixture
async def bot(
    storage: Storage, db_path: Path, corpus: Path, seed_engine: SearchEngine
) -> AsyncIterator[DocqaBot]:
    settings = Settings(
        _env_file=None, db_path=db_path, corpus_dir=corpus, ask_cooldown=10, retention_days=0
    )
    client = DocqaBot(settings, storage, engine=seed_engine)
    await client.setup_hook()  # offline: no dev guild, no global sync
    yield client
    await client.close()


def ask_cog(bot: DocqaBot) -> Any:
    return bot.get_cog("AskCog")


async def run_checks(interaction: FakeInteraction, command: Any) -> None:
    for check in command.checks:
        await discord.utils.maybe_coroutine(check, interaction)


async def ask(bot: DocqaBot, interaction: FakeInteraction, question: str, **kw: Any) -> None:
    cog = ask_cog(bot)
    await cog.ask.callback(cog, interaction, question, **kw)
    await bot.service.drain()


async def test_the_bot_registers_the_moderation_commands(bot: DocqaBot) -> None:
    names = {command.name for command in bot.tree.get_commands()}
    assert {"docqa", "forget-me", "ask"} <= names


async def test_ask_outside_the_chosen_channels_gets_a_pointer_and_no_cooldown(
    bot: DocqaBot,
) -> None:
    await bot.guild_configs.save(GuildConfig(GUILD, frozenset({77, 78})))
    command = ask_cog(bot).ask
    elsewhere = FakeInteraction(bot, channel_id=CHANNEL)
    with pytest.raises(app_commands.CheckFailure) as refused:
        await run_checks(elsewhere, command)
    await report(elsewhere, refused.value)
    assert elsewhere.only.ephemeral
    assert elsewhere.only.content == (
        "In this server I answer questions in <#77>, <#78>; please ask there."
    )
    there = FakeInteraction(bot, channel_id=77)
    await run_checks(there, command)  # the refusal did not count against the cooldown
    with pytest.raises(app_commands.CommandOnCooldown):
        await run_checks(there, command)


async def test_threads_of_an_allowed_channel_are_allowed(bot: DocqaBot) -> None:
    await bot.guild_configs.save(GuildConfig(GUILD, frozenset({77})))
    thread = FakeInteraction(bot, channel_id=5000)
    thread.channel.parent_id = 77  # type: ignore[attr-defined]
    await run_checks(thread, ask_cog(bot).ask)


async def test_default_k_and_private_come_from_the_guild(bot: DocqaBot, storage: Database) -> None:
    await bot.guild_configs.save(GuildConfig(GUILD, default_k=2, private=True))
    interaction = FakeInteraction(bot)
    await ask(bot, interaction, "Who founded Nosotek?")
    assert interaction.deferred is True
    assert interaction.only.ephemeral
    row = await bot.storage.get_query(interaction.id)
    assert row is not None
    assert (row.k, row.hit_count) == (2, 2)
    chosen = FakeInteraction(bot, guild_id=OTHER_GUILD)  # a guild that chose nothing
    chosen.id += 1
    await ask(bot, chosen, "Who founded Nosotek?", private=False)
    assert chosen.deferred is False
    assert (await count_rows(storage))["queries"] == 2


async def test_cooldowns_per_guild(bot: DocqaBot) -> None:
    await bot.guild_configs.save(GuildConfig(GUILD, cooldown=2.5))
    await bot.guild_configs.save(GuildConfig(OTHER_GUILD, cooldown=0))
    slash = await _ask_cooldown(FakeInteraction(bot))  # type: ignore[arg-type]
    assert slash is not None
    assert (slash.rate, slash.per) == (1, 2.5)
    assert await _ask_cooldown(FakeInteraction(bot, guild_id=OTHER_GUILD)) is None  # type: ignore[arg-type]
    dm = await _ask_cooldown(FakeInteraction(bot, guild_id=None))  # type: ignore[arg-type]
    assert dm is not None
    assert dm.per == 10  # the bot's own setting
    mention = ask_cog(bot)._mention_rate(SimpleNamespace(config=bot.guild_configs.cached(GUILD)))
    assert (mention.rate, mention.per) == (1, 2.5)


async def test_an_upload_answers_in_its_guild_and_after_a_restart(
    bot: DocqaBot, storage: Storage, db_path: Path, corpus: Path, tmp_path: Path
) -> None:
    bot.engines.library.add(GUILD, "notes.md", NOTES)
    await bot.engines.rebuild_guild(GUILD)
    here = FakeInteraction(bot)
    await ask(bot, here, ZEBRA, k=3)
    assert (await storage.get_hits(here.id))[0].doc == "notes.md"
    there = FakeInteraction(bot, guild_id=OTHER_GUILD)
    there.id += 1
    await ask(bot, there, ZEBRA, k=3)
    assert all(hit.doc != "notes.md" for hit in await storage.get_hits(there.id))
    restarted = DocqaBot(bot.settings, storage, engine=bot.engines.current.seed)
    await restarted.setup_hook()  # the uploads are read back from disk
    try:
        answer = await restarted.service.restore(here.id)  # e.g. a button after a restart
        assert answer is not None
        assert answer.result.hits[0].chunk.doc_id == "notes.md"
    finally:
        await restarted.close()


async def test_a_pdf_added_with_docs_add_is_cited_by_page(bot: DocqaBot) -> None:
    added = FakeInteraction(bot)
    upload = FakeAttachment("lecture.pdf", lecture_pdf())
    await invoke(find(bot.get_cog("AdminCog").docqa, "docs add"), added, file=upload)
    assert (added.only.content or "").startswith(f"Added “{LECTURE_TITLE}” as `lecture.pdf`.")
    asked = FakeInteraction(bot)
    asked.id += 1
    await ask(bot, asked, "What does the lab use to measure how much light a sample absorbs?")
    answer = asked.only.embeds[0].fields[0]
    assert (answer.name or "").startswith(f"[1] {LECTURE_TITLE} — p. 2, ¶")
    assert "spectrophotometer" in (answer.value or "")
    assert (await bot.storage.get_hits(asked.id))[0].doc == "lecture.pdf"


async def test_reindex_swaps_the_shared_engine(bot: DocqaBot, corpus: Path) -> None:
    before = bot.engines.for_guild(None)
    text = (corpus / "000_36680a99088c2fd4.txt").read_text(encoding="utf-8")
    (corpus / "copy_of_000.txt").write_text(text + "\nEdited copy.\n", encoding="utf-8")
    await bot.engines.reindex(GUILD)
    after = bot.engines.for_guild(None)
    assert after is bot.engines.current.seed
    assert after is not before
    assert "copy_of_000.txt" in {doc.doc_id for doc in after.documents}
