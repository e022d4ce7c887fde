"""Installs :func:`bot.ui.refusals.report` as the command tree's error handler: the one
translator from command and button errors to a short message for the user."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import DocqaBot
from bot.ui.refusals import report

__all__ = ["ErrorsCog"]


class ErrorsCog(commands.Cog):
    """Installs :func:`report` as the command tree's error handler while loaded."""

    def __init__(self, bot: DocqaBot) -> None:
        self.bot = bot
        self._previous = bot.tree.on_error

    async def cog_load(self) -> None:
        self.bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous  # type: ignore[method-assign]

    async def on_app_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        await report(interaction, error)


async def setup(bot: DocqaBot) -> None:
    await bot.add_cog(ErrorsCog(bot))
