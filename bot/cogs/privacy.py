"""``/forget-me``: any member deletes what docqa has logged about them, everywhere."""

from __future__ import annotations

import logging

from discord import app_commands
from discord.ext import commands

from bot.app import DocqaBot, Interaction
from bot.cogs.checks import Services
from bot.ui.moderation_text import deleted_text
from bot.ui.replies import Reply, send

__all__ = ["PrivacyCog"]

log = logging.getLogger(__name__)


class PrivacyCog(commands.Cog):
    """Self-service deletion; moderators delete a member's data with ``/docqa forget``."""

    def __init__(self, bot: Services) -> None:
        self.bot = bot

    @app_commands.command(name="forget-me")
    async def forget_me(self, interaction: Interaction) -> None:
        """Delete everything docqa has logged about you: your questions and your votes."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        counts = await self.bot.service.forget_user(interaction.user.id)  # journal included
        log.info("User %s had their data deleted: %s", interaction.user.id, counts)
        await send(interaction, Reply(deleted_text("you", counts), ephemeral=True))


async def setup(bot: DocqaBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
