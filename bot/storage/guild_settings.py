"""Per-guild settings that moderators change with ``/docqa config``, cached for the ask path.

Unset values (None) fall back to the bot-wide settings, so changing ``DOCQA_DEFAULT_K`` or
``DOCQA_ASK_COOLDOWN`` still reaches every guild that never chose its own.
"""

from __future__ import annotations

import asyncio
import logging

from bot.storage.database import Database
from bot.storage.records import GuildConfig

__all__ = ["GuildConfigs", "where_to_ask"]

log = logging.getLogger(__name__)


class GuildConfigs:
    """The configs of all guilds, read once from storage and written through on change."""

    def __init__(self, storage: Database) -> None:
        self._storage = storage
        self._cache: dict[int, GuildConfig] = {}
        self._writing = asyncio.Lock()

    async def load(self) -> int:
        """Read every stored config (at start-up); returns how many guilds have one."""
        configs = await self._storage.guild_configs()
        self._cache.update((config.guild_id, config) for config in configs)
        return len(configs)

    def cached(self, guild_id: int | None) -> GuildConfig:
        """Without waiting (e.g. in a cooldown factory): the config as last read or written."""
        if guild_id is None:  # DMs and the console: the bot-wide settings
            return GuildConfig(0)
        return self._cache.get(guild_id) or GuildConfig(guild_id)

    async def get(self, guild_id: int | None) -> GuildConfig:
        """The config for ``guild_id``; reads the database the first time a guild is seen."""
        if guild_id is None or guild_id in self._cache:
            return self.cached(guild_id)
        stored = await self._storage.guild_config(guild_id)
        return self._cache.setdefault(guild_id, stored or GuildConfig(guild_id))

    async def save(self, config: GuildConfig) -> GuildConfig:
        async with self._writing:
            await self._storage.save_guild_config(config)
            self._cache[config.guild_id] = config
        log.info("Guild %s config is now %s", config.guild_id, config)
        return config

    async def reset(self, guild_id: int) -> GuildConfig:
        """Forget the guild's choices: the bot-wide settings apply again."""
        async with self._writing:
            await self._storage.delete_guild_config(guild_id)
            self._cache[guild_id] = GuildConfig(guild_id)
        return self._cache[guild_id]


def where_to_ask(config: GuildConfig) -> str:
    """The pointer for a question asked outside the guild's answer channels."""
    channels = ", ".join(f"<#{channel}>" for channel in sorted(config.channels))
    return f"In this server I answer questions in {channels}; please ask there."
