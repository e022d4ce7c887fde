"""``/sources`` and ``/source``: what the bot answers from."""

from __future__ import annotations

from collections.abc import Sequence

from discord import app_commands
from discord.ext import commands

from bot.app import DocqaBot, Interaction
from bot.ui.embeds import document_embed, documents_embed, safe, trim
from bot.ui.replies import Reply, send
from retrieval import Document

__all__ = ["SourcesCog", "find_document", "matching_documents"]


MAX_CHOICES = 25
MAX_CHOICE = 100


def matching_documents(documents: Sequence[Document], typed: str) -> list[Document]:
    """Documents whose title or file name contains ``typed`` (case-insensitive)."""
    needle = typed.casefold().strip()
    return [d for d in documents if needle in d.title.casefold() or needle in d.doc_id.casefold()]


def find_document(documents: Sequence[Document], name: str) -> Document | None:
    """The document named exactly (file name or title), else the only one that matches."""
    wanted = name.casefold().strip()
    for doc in documents:
        if wanted in (doc.doc_id.casefold(), doc.title.casefold()):
            return doc
    candidates = matching_documents(documents, name)
    return candidates[0] if len(candidates) == 1 else None


class SourcesCog(commands.Cog):
    """Lists the indexed documents and shows one document's metadata."""

    def __init__(self, bot: DocqaBot) -> None:
        self.bot = bot

    @app_commands.command()
    async def sources(self, interaction: Interaction) -> None:
        """List the documents I answer from, with how many passages each has."""
        engine = self.bot.engines.for_guild(interaction.guild_id)
        embed = documents_embed(engine.documents, engine.chunk_counts())
        await send(interaction, Reply(embed=embed, ephemeral=True))

    @app_commands.command()
    @app_commands.describe(name="The document's title or file name")
    async def source(self, interaction: Interaction, name: app_commands.Range[str, 1, 200]) -> None:
        """Show one document's details: title, source, author, date and size."""
        engine = self.bot.engines.for_guild(interaction.guild_id)
        doc = find_document(engine.documents, name)
        if doc is None:
            text = f"No document matches “{safe(name)}”; `/sources` lists them all."
            await send(interaction, Reply(text, ephemeral=True))
            return
        embed = document_embed(doc, engine.chunk_counts().get(doc.doc_id, 0))
        await send(interaction, Reply(embed=embed, ephemeral=True))

    @source.autocomplete("name")
    async def _source_names(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        engine = self.bot.engines.for_guild(interaction.guild_id)
        found = matching_documents(engine.documents, current)
        return [
            app_commands.Choice(name=trim(doc.title, MAX_CHOICE) or doc.doc_id, value=doc.doc_id)
            for doc in found
            if len(doc.doc_id) <= MAX_CHOICE
        ][:MAX_CHOICES]


async def setup(bot: DocqaBot) -> None:
    await bot.add_cog(SourcesCog(bot))
