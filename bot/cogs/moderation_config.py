"""``/docqa config``: where and how docqa answers in this server, stored in SQLite."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import discord
from discord import app_commands

from bot.app import Interaction
from bot.cogs.checks import ModeratorGroup, guild_id_of
from bot.storage.records import GuildConfig
from bot.ui.moderation_text import config_embed
from bot.ui.replies import Reply, send

__all__ = ["ConfigCommands", "change_channels"]


ChannelAction = Literal["add", "remove", "clear"]
AnswerChannel = discord.TextChannel | discord.VoiceChannel | discord.ForumChannel


def change_channels(config: GuildConfig, action: ChannelAction, channel_id: int) -> GuildConfig:
    """``add`` or ``remove`` one channel of the list; ``clear`` empties it (every channel)."""
    channels = set(config.channels)
    if action == "add":
        channels.add(channel_id)
    elif action == "remove":
        channels.discard(channel_id)
    else:
        channels.clear()
    return replace(config, channels=frozenset(channels))


def _home_channel(interaction: Interaction) -> int | None:
    """The channel the command was used in; for a thread, the channel that holds it."""
    channel = interaction.channel
    parent = getattr(channel, "parent_id", None)
    return parent or interaction.channel_id


class ConfigCommands(ModeratorGroup, name="config", description="How docqa answers here"):
    """Per-server settings; anything not set follows the bot's own settings."""

    async def _show(self, interaction: Interaction, config: GuildConfig, public: bool) -> None:
        settings = self.bot.settings
        embed = config_embed(config, settings.default_k, settings.ask_cooldown)
        await send(interaction, Reply(embed=embed, ephemeral=not public))

    @app_commands.command()
    @app_commands.describe(public="Show the settings to the whole channel")
    async def show(self, interaction: Interaction, public: bool = False) -> None:
        """Show where and how docqa answers in this server."""
        await interaction.response.defer(ephemeral=not public, thinking=True)
        config = await self.bot.guild_configs.get(guild_id_of(interaction))
        await self._show(interaction, config, public)

    @app_commands.command(name="set")
    @app_commands.describe(
        default_k="Passages per answer when the asker does not choose (1-10)",
        private="Answer /ask privately unless the asker chooses otherwise",
        cooldown="Seconds a member waits between questions (0: no wait)",
    )
    async def set_values(
        self, interaction: Interaction, default_k: app_commands.Range[int, 1, 10] | None = None,
        private: bool | None = None, cooldown: app_commands.Range[float, 0, 3600] | None = None,
    ) -> None:  # fmt: skip
        """Change passages per answer, private answers or the cooldown for this server."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        configs = self.bot.guild_configs
        old = await configs.get(guild_id_of(interaction))
        new = replace(
            old,
            default_k=old.default_k if default_k is None else default_k,
            private=old.private if private is None else private,
            cooldown=old.cooldown if cooldown is None else cooldown,
        )
        await self._show(interaction, await configs.save(new), public=False)

    @app_commands.command()
    @app_commands.describe(
        action="add: answer there too; remove: stop answering there; clear: answer everywhere",
        channel="The channel (default: this one)",
    )
    async def channel(
        self, interaction: Interaction, action: ChannelAction, channel: AnswerChannel | None = None
    ) -> None:
        """Choose the channels where docqa answers questions (by default, every channel)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        configs = self.bot.guild_configs
        channel_id = channel.id if channel is not None else _home_channel(interaction)
        old = await configs.get(guild_id_of(interaction))
        new = change_channels(old, action, channel_id or 0)
        await self._show(interaction, await configs.save(new), public=False)

    @app_commands.command()
    async def reset(self, interaction: Interaction) -> None:
        """Forget this server's settings: the bot's own settings apply again."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        config = await self.bot.guild_configs.reset(guild_id_of(interaction))
        await self._show(interaction, config, public=False)
