"""Retention: questions older than ``DOCQA_RETENTION_DAYS`` are purged periodically."""

from __future__ import annotations

import logging

from discord.ext import commands, tasks

from bot.app import DocqaBot

__all__ = ["RetentionCog"]

log = logging.getLogger(__name__)


class RetentionCog(commands.Cog):
    """Runs :meth:`purge` every few hours while loaded, unless retention is 0 (keep forever)."""

    def __init__(self, bot: DocqaBot) -> None:
        self.bot = bot
        self.days = bot.settings.retention_days

    async def cog_load(self) -> None:
        if self.days > 0:
            self.purge.start()

    async def cog_unload(self) -> None:
        self.purge.cancel()

    @tasks.loop(hours=6)
    async def purge(self) -> None:
        try:
            counts = await self.bot.service.purge(self.days)  # the journal's questions too
        except Exception:
            log.exception("Retention purge failed; will retry in %s", self.purge.hours)
            return
        if counts.queries:
            log.info(
                "Purged %d questions older than %d days (%d hits, %d votes)",
                counts.queries, self.days, counts.hits, counts.feedback,
            )  # fmt: skip


async def setup(bot: DocqaBot) -> None:
    await bot.add_cog(RetentionCog(bot))
