"""What the moderation cogs share: the services they use, the permission rule, file replies."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from typing import Any, Protocol

import discord
from discord import app_commands

from bot.config import Settings
from bot.database import Database
from bot.engines import EngineRegistry
from bot.guild_config import GuildConfigs
from bot.replies import Reply
from bot.service import AskService

__all__ = [
    "Services",
    "attachment",
    "guild_id_of",
    "integer_permissions",
    "is_moderator",
    "require_moderator",
    "send_file",
]

log = logging.getLogger(__name__)

PERMISSION = "manage_guild"
_PERMISSION_VALUES = range(2**53)
_INTEGER = re.compile(r"-?[0-9]+")  # Discord sends a permission set as a string of digits


class Services(Protocol):
    """The parts of the bot the moderation cogs use (the bot itself, or a test double)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def storage(self) -> Database: ...
    @property
    def service(self) -> AskService: ...
    @property
    def engines(self) -> EngineRegistry: ...
    @property
    def guild_configs(self) -> GuildConfigs: ...


def is_moderator(interaction: discord.Interaction[Any]) -> bool:
    """Manage Server in this guild, as Discord resolved it for this interaction.

    Discord's permission bit sets are unsigned and fit in 53 bits; any other value is no
    resolution of Discord's, and a negative one would read as every bit set.
    """
    value = interaction.permissions.value
    return (
        interaction.guild_id is not None
        and value in _PERMISSION_VALUES
        and (interaction.permissions.manage_guild)
    )


def integer_permissions(parse: Callable[[Any], None]) -> Callable[[Any], None]:
    """Wrap the INTERACTION_CREATE parser so a member's permissions count only as an integer.

    discord.py reads them with ``int()``, which truncates a float (``32.9`` becomes 32,
    Manage Server) and accepts ``True``, ``"3_2"`` or other scripts' digits. Any value that
    is not an integer or a string of ASCII digits becomes ``"0"``: no permissions.
    """

    def parse_strictly(data: Any) -> None:
        member = data.get("member") if isinstance(data, dict) else None
        if isinstance(member, dict) and "permissions" in member:
            value = member["permissions"]
            exact = type(value) is int or (isinstance(value, str) and _INTEGER.fullmatch(value))
            if not exact:
                member["permissions"] = "0"
        parse(data)

    return parse_strictly


def require_moderator(interaction: discord.Interaction[Any]) -> None:
    """Raise the library's check errors, which the error translator turns into a refusal.

    Discord hides these commands from members without Manage Server by default, but server
    admins can override that per role or channel, so the bot checks again on every use.
    """
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage("moderator commands work in a server only")
    if not is_moderator(interaction):
        raise app_commands.MissingPermissions([PERMISSION])


class ModeratorGroup(app_commands.Group):
    """A ``/docqa`` subgroup: its commands run only for moderators, with the bot's services.

    A group's own commands are bound to the group, not the cog, so the cog's check does not
    reach them; this class repeats it.
    """

    def __init__(self, bot: Services) -> None:
        super().__init__()
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        require_moderator(interaction)
        return True


def guild_id_of(interaction: discord.Interaction[Any]) -> int:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage("moderator commands work in a server only")
    return interaction.guild_id


def attachment(data: bytes, filename: str) -> discord.File:
    return discord.File(io.BytesIO(data), filename=filename)


async def send_file(
    interaction: discord.Interaction[Any], reply: Reply, file: discord.File
) -> None:
    """Like :func:`bot.replies.send`, with one attached file."""
    fields = {**reply.fields(), "file": file, "ephemeral": reply.ephemeral}
    if interaction.response.is_done():
        await interaction.followup.send(**fields)
    else:
        await interaction.response.send_message(**fields)
