"""What the moderation cogs share: the services they use and the one moderator check."""

from __future__ import annotations

from typing import Protocol

from discord import app_commands

from bot.answering import AskService
from bot.app import Interaction
from bot.engines import EngineRegistry
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.guild_settings import GuildConfigs

__all__ = [
    "ModeratorGroup",
    "ModeratorOnly",
    "Services",
    "guild_id_of",
    "is_moderator",
    "require_moderator",
]


PERMISSION = "manage_guild"
_PERMISSION_VALUES = range(2**53)


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


def is_moderator(interaction: Interaction) -> bool:
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


def require_moderator(interaction: Interaction) -> int:
    """The guild's id if the member may moderate it; otherwise the library's check errors,
    which the error translator turns into a one-line refusal."""
    guild_id = guild_id_of(interaction)
    if not is_moderator(interaction):
        raise app_commands.MissingPermissions([PERMISSION])
    return guild_id


def guild_id_of(interaction: Interaction) -> int:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage("moderator commands work in a server only")
    return interaction.guild_id


class ModeratorOnly(app_commands.Group):
    """A group whose commands run only for moderators: the one moderator check.

    Discord hides these commands from members without Manage Server (``default_permissions``),
    but server admins can override that per role or channel, so the bot checks every use.
    discord.py asks a group's :meth:`interaction_check` both for the commands a cog binds
    under it (``/docqa stats``) and for those the group defines itself (``/docqa docs add``).
    """

    async def interaction_check(self, interaction: Interaction) -> bool:  # type: ignore[override]
        require_moderator(interaction)
        return True


class ModeratorGroup(ModeratorOnly):
    """A ``/docqa`` subgroup with the bot's services."""

    def __init__(self, bot: Services) -> None:
        super().__init__()
        self.bot = bot
