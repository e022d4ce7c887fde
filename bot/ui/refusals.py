"""The one translator from command and button errors to a short message for the user.

The user gets one ephemeral line; the log gets the traceback of anything unexpected.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.storage.logstore import StorageUnavailableError
from bot.ui.replies import Reply, reply_to, send
from retrieval import RetrievalError

__all__ = ["is_expected", "report", "report_to_message", "user_message"]

log = logging.getLogger(__name__)

UNEXPECTED = "Sorry, something went wrong on my side; the error has been logged."
UNAVAILABLE = "The database can't take that right now; please try again in a minute."


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
    if isinstance(error, StorageUnavailableError):
        return UNAVAILABLE
    if is_expected(error):
        return _sentence(str(error))
    return UNEXPECTED


def _log(error: BaseException, where: str, user_id: int) -> None:
    if is_expected(error):
        log.info("Refused %s for user %s: %s", where, user_id, error)
    elif isinstance(original := _unwrap(error), StorageUnavailableError):  # a fault, not a bug
        log.warning("Could not run %s for user %s: the database is unavailable (%s)",
                    where, user_id, original)  # fmt: skip
    else:
        log.error("Error in %s", where, exc_info=_unwrap(error))


async def report(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Log ``error`` and tell the user, whichever response path is still open."""
    _log(error, _where(interaction), interaction.user.id)
    try:
        await send(interaction, Reply(user_message(error), ephemeral=True))
    except discord.HTTPException:
        log.warning("Could not tell user %s about an error", interaction.user.id, exc_info=True)


async def report_to_message(message: discord.Message, error: BaseException, hint: str = "") -> None:
    """The same for a question asked by message: the reply is the one short line (and a hint)."""
    _log(error, f"message {message.id}", message.author.id)
    text = f"{user_message(error)} {hint}".strip()
    try:
        await reply_to(message, Reply(text))
    except discord.HTTPException:
        log.warning("Could not tell user %s about an error", message.author.id, exc_info=True)


def _where(interaction: discord.Interaction[Any]) -> str:
    command = interaction.command
    if command is not None:
        return f"/{command.qualified_name}"
    custom_id = dict(interaction.data or {}).get("custom_id")
    return f"component {custom_id}" if custom_id else f"interaction {interaction.id}"
