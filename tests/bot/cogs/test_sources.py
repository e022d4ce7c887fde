"""/sources, /source and its autocomplete, through the real cog callbacks."""

from __future__ import annotations

from typing import Any

from bot_doubles import BotFactory, FakeInteraction, assert_pings_nobody

from bot.cogs.sources import find_document, matching_documents
from bot.storage.sqlite import Storage
from retrieval import SearchEngine

NOSOTEK_DOC = "000_36680a99088c2fd4.txt"


def sources_cog(interaction: FakeInteraction) -> Any:
    cog = interaction.client.get_cog("SourcesCog")
    assert cog is not None
    return cog


async def test_sources_lists_documents_privately(make_bot: BotFactory, storage: Storage) -> None:
    interaction = FakeInteraction(await make_bot(storage))
    cog = sources_cog(interaction)
    await cog.sources.callback(cog, interaction)
    sent = interaction.calls.last("send_message")
    assert sent["ephemeral"] is True
    assert_pings_nobody(sent["allowed_mentions"])
    [embed] = sent["embeds"]
    assert embed.title == "Indexed documents (5)"
    assert "passages" in (embed.description or "")


async def test_source_shows_one_document(make_bot: BotFactory, storage: Storage) -> None:
    interaction = FakeInteraction(await make_bot(storage))
    cog = sources_cog(interaction)
    await cog.source.callback(cog, interaction, NOSOTEK_DOC)
    [embed] = interaction.calls.last("send_message")["embeds"]
    assert embed.title == "The world's most unusual outsourcing destination"
    facts = {field.name: field.value for field in embed.fields}
    assert facts["File"] == NOSOTEK_DOC.replace("_", "\\_")
    assert facts["Author"] == "Martyn Williams"


async def test_unknown_source_is_a_private_pointer(make_bot: BotFactory, storage: Storage) -> None:
    interaction = FakeInteraction(await make_bot(storage))
    cog = sources_cog(interaction)
    await cog.source.callback(cog, interaction, "@everyone nothing like this")
    sent = interaction.calls.last("send_message")
    assert sent["ephemeral"] is True
    assert "No document matches" in sent["content"]
    assert "@everyone" not in sent["content"]


async def test_autocomplete_matches_titles_and_files(
    make_bot: BotFactory, storage: Storage
) -> None:
    interaction = FakeInteraction(await make_bot(storage))
    cog = sources_cog(interaction)
    choices = await cog._source_names(interaction, "outsourc")
    assert [(c.name, c.value) for c in choices] == [
        ("The world's most unusual outsourcing destination", NOSOTEK_DOC)
    ]
    everything = await cog._source_names(interaction, "")
    assert len(everything) == 5
    assert all(len(c.name) <= 100 and len(c.value) <= 100 for c in everything)


def test_find_document(engine: SearchEngine) -> None:
    docs = engine.documents
    assert find_document(docs, NOSOTEK_DOC.upper()) is not None
    assert find_document(docs, "the world's most unusual outsourcing destination") is not None
    assert find_document(docs, "outsourcing") is not None  # the only one that contains it
    assert find_document(docs, "North Korea") is None  # ambiguous
    assert len(matching_documents(docs, "north korea")) > 1
