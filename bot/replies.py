"""Every send goes through here: one place that knows the interaction lifecycle and mentions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import discord
from discord.utils import MISSING

from bot.formatting import content as fit_content

__all__ = ["NO_MENTIONS", "Reply", "edit", "reply_to", "send"]

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
    """Respond to the interaction, or follow up if it was already acknowledged (deferred)."""
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=reply.ephemeral, **reply.fields())
    else:
        await interaction.response.send_message(ephemeral=reply.ephemeral, **reply.fields())


async def edit(interaction: discord.Interaction[Any], reply: Reply) -> None:
    """Replace the message a button sits on (its original response once acknowledged)."""
    if interaction.response.is_done():
        await interaction.edit_original_response(**reply.fields())
    else:
        await interaction.response.edit_message(**reply.fields())


async def reply_to(message: discord.Message, reply: Reply) -> None:
    """Answer a message in its channel as a reply that pings nobody, not even its author."""
    await message.reply(mention_author=False, **reply.fields())
