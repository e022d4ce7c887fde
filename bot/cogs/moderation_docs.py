"""``/docqa docs``: add, remove and list the documents uploaded to this server."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands

from bot.app import Interaction
from bot.cogs.checks import ModeratorGroup, guild_id_of, is_moderator
from bot.library.rules import MAX_NAME, MAX_TITLE, LibraryError, check_size, clean_name
from bot.library.uploaded import StoredDocument
from bot.ui.embeds import safe, trim
from bot.ui.moderation_text import build_text, documents_list_embed
from bot.ui.replies import Reply, send

__all__ = ["DocsCommands"]


MAX_CHOICES = 25


class DocsCommands(ModeratorGroup, name="docs", description="This server's own documents"):
    """Uploaded documents are per server, on disk, and searchable as soon as a command answers."""

    @app_commands.command()
    @app_commands.describe(
        file="A .txt, .md, .rst (UTF-8), .pdf, .docx or .html file",
        title="The title citations show (default: the file's own title or first line)",
    )
    async def add(
        self, interaction: Interaction, file: discord.Attachment,
        title: app_commands.Range[str, 1, MAX_TITLE] | None = None,
    ) -> None:  # fmt: skip
        """Add a text, Markdown, PDF, Word or web-page document here; searchable at once."""
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            doc = await self._store(guild_id, file, title)
        except LibraryError as error:
            await send(interaction, Reply(f"Not added: {error}.", ephemeral=True))
            return
        report = await self.bot.engines.rebuild_guild(guild_id)
        done = f"Added “{safe(trim(doc.title, 200))}” as `{doc.name}`."
        await send(interaction, Reply(build_text(report, done), ephemeral=True))

    async def _store(
        self, guild_id: int, file: discord.Attachment, title: str | None
    ) -> StoredDocument:
        library = self.bot.engines.library
        clean_name(file.filename, library.seed_names)  # refuse before downloading anything
        check_size(file.size, library.limits.max_bytes)
        data = await file.read()
        return await asyncio.to_thread(library.add, guild_id, file.filename, data, title)

    @app_commands.command()
    @app_commands.describe(name="The uploaded document's file name")
    async def remove(
        self, interaction: Interaction, name: app_commands.Range[str, 1, MAX_NAME]
    ) -> None:
        """Remove a document uploaded to this server (built-in documents stay)."""
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        library = self.bot.engines.library
        try:
            doc = await asyncio.to_thread(library.remove, guild_id, name)
        except LibraryError as error:
            await send(interaction, Reply(f"Not removed: {error}.", ephemeral=True))
            return
        report = await self.bot.engines.rebuild_guild(guild_id)
        await send(interaction, Reply(build_text(report, f"Removed `{doc.name}`."), ephemeral=True))

    @remove.autocomplete("name")
    async def _upload_names(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not is_moderator(interaction):  # checks do not run for autocomplete
            return []
        docs = await asyncio.to_thread(self.bot.engines.library.stored, guild_id_of(interaction))
        needle = current.casefold()
        return [
            app_commands.Choice(name=trim(f"{doc.name}: {doc.title}", 100), value=doc.name)
            for doc in docs
            if needle in doc.name.casefold() or needle in doc.title.casefold()
        ][:MAX_CHOICES]

    @app_commands.command(name="list")
    @app_commands.describe(public="Show the list to the whole channel")
    async def list_documents(self, interaction: Interaction, public: bool = False) -> None:
        """List the documents uploaded to this server, with their passage counts."""
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=not public, thinking=True)
        engines = self.bot.engines
        uploads = await asyncio.to_thread(engines.library.stored, guild_id)
        passages = engines.for_guild(guild_id).chunk_counts()
        seeds, limit = len(engines.current.seed.documents), engines.library.limits.max_docs
        embed = documents_list_embed(uploads, passages, seeds, limit)
        await send(interaction, Reply(embed=embed, ephemeral=not public))
