"""Every send goes through here: one place that knows the interaction lifecycle and mentions."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

import discord
from discord.utils import MISSING

from bot.ui.embeds import content as fit_content
from bot.ui.retries import ServerErrorsError, one_retry

__all__ = ["NO_MENTIONS", "Reply", "attachment", "edit", "reply_to", "send", "send_file"]

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


@dataclass(frozen=True)
class Reply:
    """What to send: text and/or an embed, optionally with buttons, optionally ephemeral."""

    text: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    ephemeral: bool = False

    def fields(self) -> dict[str, Any]:
        return {
            "content": fit_content(self.text) if self.text is not None else None,
            "embeds": [self.embed] if self.embed is not None else [],
            "view": self.view if self.view is not None else MISSING,
            "allowed_mentions": NO_MENTIONS,
        }


async def send(interaction: discord.Interaction[Any], reply: Reply) -> None:
    """Respond to the interaction, or follow up if it was already acknowledged (deferred).

    A follow-up Discord fails with a server error twice (one retry) is shown by editing the
    deferred message instead, and one log line says so; the user is not left on "thinking…".
    """
    if interaction.response.is_done():
        await _follow_up(interaction, reply)
    else:
        await interaction.response.send_message(ephemeral=reply.ephemeral, **reply.fields())


async def _follow_up(interaction: discord.Interaction[Any], reply: Reply) -> None:
    try:
        await one_retry(interaction.followup.send(ephemeral=reply.ephemeral, **reply.fields()))
        return
    except ServerErrorsError as error:
        failed = error
    try:
        await one_retry(interaction.edit_original_response(**reply.fields()))
    except (ServerErrorsError, discord.HTTPException) as error:
        log.error("Discord failed the follow-up for interaction %s (%s, retried once) and the "
                  "edit of its original response (%s); the reply is lost",
                  interaction.id, failed, error)  # fmt: skip
        return
    log.warning("Discord failed the follow-up for interaction %s (%s, retried once); showed "
                "the reply in its original response instead", interaction.id, failed)  # fmt: skip


async def edit(interaction: discord.Interaction[Any], reply: Reply) -> None:
    """Replace the message a button sits on (its original response once acknowledged)."""
    if not interaction.response.is_done():
        await interaction.response.edit_message(**reply.fields())
        return
    try:
        await one_retry(interaction.edit_original_response(**reply.fields()))
    except ServerErrorsError as error:
        log.error("Discord failed the edit for interaction %s (%s, retried once); the reply "
                  "is lost", interaction.id, error)  # fmt: skip


async def reply_to(message: discord.Message, reply: Reply) -> None:
    """Answer a message in its channel as a reply that pings nobody, not even its author."""
    try:
        await one_retry(message.reply(mention_author=False, **reply.fields()))
    except ServerErrorsError as error:
        log.error("Discord failed the reply to message %s (%s, retried once); the reply is "
                  "lost", message.id, error)  # fmt: skip


def attachment(data: bytes, filename: str) -> discord.File:
    return discord.File(io.BytesIO(data), filename=filename)


async def send_file(
    interaction: discord.Interaction[Any], reply: Reply, file: discord.File
) -> None:
    """Like :func:`send`, with one attached file."""
    fields = {**reply.fields(), "file": file, "ephemeral": reply.ephemeral}
    if interaction.response.is_done():
        await interaction.followup.send(**fields)
    else:
        await interaction.response.send_message(**fields)
