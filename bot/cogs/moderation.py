"""``/docqa``: moderator commands for stats, documents, reindexing, export and forgetting.

Discord shows the group only to members with Manage Server (``default_permissions``), and the
group (a :class:`~bot.cogs.checks.ModeratorOnly`) checks again on every use, because server
admins can override that default. Replies are ephemeral unless the moderator passes ``public``.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import DocqaBot, Interaction
from bot.cogs.checks import ModeratorOnly, Services, guild_id_of
from bot.cogs.moderation_config import ConfigCommands
from bot.cogs.moderation_docs import DocsCommands
from bot.storage.export import ExportFormat, encode, shorter_window
from bot.storage.stats import collect, window_start
from bot.ui.charts import questions_png
from bot.ui.embeds import safe
from bot.ui.moderation_text import CHART_NAME, build_text, deleted_text, export_text, stats_embed
from bot.ui.replies import Reply, attachment, send, send_file

__all__ = ["AdminCog"]

log = logging.getLogger(__name__)

DEFAULT_UPLOAD_LIMIT = discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES


class AdminCog(commands.Cog):
    """The ``/docqa`` group; every subcommand is for members with Manage Server."""

    docqa = ModeratorOnly(
        name="docqa",
        description="Moderate docqa in this server",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: Services) -> None:
        self.bot = bot
        self.docqa.add_command(DocsCommands(bot))
        self.docqa.add_command(ConfigCommands(bot))

    @docqa.command()
    @app_commands.describe(
        days="How many days back, today included", public="Show the reply to the whole channel"
    )
    async def stats(
        self, interaction: Interaction, days: app_commands.Range[int, 1, 365] = 30,
        public: bool = False,
    ) -> None:  # fmt: skip
        """Questions, answers, latency, gaps and votes in this server, with a chart per day."""
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=not public, thinking=True)
        figures = await collect(self.bot.storage, guild_id, days)
        png = await asyncio.to_thread(questions_png, figures.per_day)
        titles = {d.doc_id: d.title for d in self.bot.engines.for_guild(guild_id).documents}
        reply = Reply(embed=stats_embed(figures, titles), ephemeral=not public)
        await send_file(interaction, reply, attachment(png, CHART_NAME))

    @docqa.command()
    async def reindex(self, interaction: Interaction) -> None:
        """Rebuild the search index from the documents on disk, without a restart."""
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.bot.engines.reindex(guild_id)
        await send(interaction, Reply(build_text(report, "Reindexed."), ephemeral=True))

    @docqa.command()
    @app_commands.describe(days="How many days back, today included", fmt="File format")
    @app_commands.rename(fmt="format")
    async def export(
        self, interaction: Interaction, days: app_commands.Range[int, 1, 3650] = 30,
        fmt: ExportFormat = "csv",
    ) -> None:  # fmt: skip
        """Download this server's query log (questions, cited passages, votes) as CSV or JSONL."""
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        records = await self.bot.storage.export_records(guild_id, window_start(days))
        data = await asyncio.to_thread(encode, records, fmt)
        limit = interaction.guild.filesize_limit if interaction.guild else DEFAULT_UPLOAD_LIMIT
        if len(data) > limit:
            await send(interaction, Reply(_too_large(days, len(data), limit), ephemeral=True))
            return
        name = f"docqa-{guild_id}-{days}d.{fmt}"
        reply = Reply(export_text(len(records), days), ephemeral=True)
        await send_file(interaction, reply, attachment(data, name))

    @docqa.command()
    @app_commands.describe(user="The member whose questions and votes to delete")
    async def forget(self, interaction: Interaction, user: discord.User) -> None:
        """Delete everything logged about a member in this server: questions, passages, votes."""
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        counts = await self.bot.service.forget_member(user.id, guild_id)  # journal included
        log.info("Forgot user %s in guild %s: %s", user.id, guild_id, counts)
        # By name: a mention in a reply renders as raw text once mentions are neutralised.
        who = f"{safe(user.display_name)} ({user.id})"
        await send(interaction, Reply(deleted_text(who, counts), ephemeral=True))


def _too_large(days: int, size: int, limit: int) -> str:
    return (
        f"The export is {size / 2**20:.1f} MiB, over this server's upload limit of "
        f"{limit / 2**20:.0f} MiB. Try a shorter range, "
        f"e.g. `days:{shorter_window(days, size, limit)}`."
    )


async def setup(bot: DocqaBot) -> None:
    await bot.add_cog(AdminCog(bot))
