"""The one translator from command and button errors to a short message for the user.

The user gets one ephemeral line; the log gets the traceback of anything unexpected.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.replies import Reply, send
from retrieval import RetrievalError

if TYPE_CHECKING:
    from bot.client import DocqaBot

__all__ = ["ErrorsCog", "is_expected", "report", "user_message"]

log = logging.getLogger(__name__)

UNEXPECTED = "Sorry, something went wrong on my side; the error has been logged."


def _unwrap(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError | commands.CommandInvokeError):
        error = error.original
    return error


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def is_expected(error: BaseException) -> bool:
    """Whether the error is the user's to fix (no traceback needed in the log)."""
    expected = (app_commands.CheckFailure, app_commands.TransformerError, RetrievalError)
    return isinstance(_unwrap(error), expected)


def user_message(error: BaseException) -> str:
    """What to tell the user about ``error``: actionable when it is theirs, short when not."""
    error = _unwrap(error)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"You're asking quickly: try again in {math.ceil(error.retry_after)} s."
    if is_expected(error):
        return _sentence(str(error))
    return UNEXPECTED


async def report(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Log ``error`` and tell the user, whichever response path is still open."""
    if is_expected(error):
        log.info("Refused %s for user %s: %s", _where(interaction), interaction.user.id, error)
    else:
        log.error("Error in %s", _where(interaction), exc_info=_unwrap(error))
    try:
        await send(interaction, Reply(user_message(error), ephemeral=True))
    except discord.HTTPException:
        log.warning("Could not tell user %s about an error", interaction.user.id, exc_info=True)


def _where(interaction: discord.Interaction[Any]) -> str:
    command = interaction.command
    if command is not None:
        return f"/{command.qualified_name}"
    custom_id = dict(interaction.data or {}).get("custom_id")
    return f"component {custom_id}" if custom_id else f"interaction {interaction.id}"


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
