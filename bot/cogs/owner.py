"""The owner's one text command, ``@docqa sync``, and quiet handling of text-command errors."""

from __future__ import annotations

import logging

from discord.ext import commands

from bot.app import DocqaBot
from bot.ui.replies import NO_MENTIONS

__all__ = ["OwnerCog"]

log = logging.getLogger(__name__)


class OwnerCog(commands.Cog):
    """Global command sync on demand: deliberate, because it is rate-limited and slow to spread."""

    def __init__(self, bot: DocqaBot) -> None:
        self.bot = bot

    @commands.command(hidden=True)
    @commands.is_owner()
    async def sync(self, ctx: commands.Context[DocqaBot]) -> None:
        """Sync the slash commands to every server (owner only)."""
        synced = await self.bot.tree.sync()
        log.info("Owner %s synced %d commands globally", ctx.author.id, len(synced))
        text = f"Synced {len(synced)} commands globally; Discord may take a while to show them."
        await ctx.reply(text, allowed_mentions=NO_MENTIONS, mention_author=False)

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context[DocqaBot], error: Exception) -> None:
        # Every mention looks like a text command; the ask cog answers those.
        if isinstance(error, commands.CommandNotFound):
            return
        if isinstance(error, commands.CheckFailure):
            log.info("User %s may not run %s: %s", ctx.author.id, ctx.command, error)
            return
        log.error("Error in text command %s", ctx.command, exc_info=error)


async def setup(bot: DocqaBot) -> None:
    await bot.add_cog(OwnerCog(bot))
