"""The bot: resources injected, async set-up in ``setup_hook``, ``on_ready`` only logs."""

from __future__ import annotations

import logging
from typing import Any, TypeAlias

import discord
from discord.ext import commands

from bot.answering import AskService
from bot.discord_patches import drop_unreadable
from bot.engines import EngineRegistry, open_engines
from bot.library.watch import LibraryWatch
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.guild_settings import GuildConfigs
from bot.ui.replies import NO_MENTIONS
from bot.ui.retries import http_trace
from retrieval import SearchEngine

__all__ = ["EXTENSIONS", "DocqaBot", "Interaction", "ShardedDocqaBot", "make_bot"]

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.cogs.error_replies",
    "bot.cogs.ask",
    "bot.cogs.sources",
    "bot.cogs.owner",
    "bot.cogs.retention",
    "bot.cogs.moderation",
    "bot.cogs.privacy",
)


class DocqaBot(commands.Bot):
    """docqa's Discord client. ``engine`` may be given prebuilt; otherwise set-up builds it."""

    def __init__(
        self,
        settings: Settings,
        storage: Database,
        *,
        engine: SearchEngine | None = None,
        sync_global: bool = False,
        **options: Any,
    ) -> None:
        # docqa never joins voice: no start-up warnings about voice libraries it does not need.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            # No text prefix: the one text command (owner's ``sync``) is invoked by mention.
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=NO_MENTIONS,
            help_command=None,
            http_trace=http_trace(),  # counts server errors for replies' one retry
            **options,
        )
        self.settings = settings
        self.storage = storage
        self.sync_global = sync_global
        self._engine = engine
        self._service: AskService | None = None
        self._engines: EngineRegistry | None = None
        self.library_watch: LibraryWatch | None = None
        drop_unreadable(self._connection.parsers)

    @property
    def service(self) -> AskService:
        """The answering service (one call per question); set up in ``setup_hook``."""
        if self._service is None:
            raise RuntimeError("the bot is not set up yet (setup_hook has not run)")
        return self._service

    @property
    def engines(self) -> EngineRegistry:
        """The one place that picks a server's engine; set up in ``setup_hook``."""
        if self._engines is None:
            raise RuntimeError("the bot is not set up yet (setup_hook has not run)")
        return self._engines

    async def setup_hook(self) -> None:
        settings = self.settings
        self._engines = await open_engines(settings, self._engine)
        self._service = AskService(self._engines, self.storage, settings.default_k)
        if settings.database_url is not None:  # processes may share uploads: follow the others
            self.library_watch = LibraryWatch(self.storage, self.engines)
            await self.library_watch.start()
        self.guild_configs = GuildConfigs(self.storage)
        await self.guild_configs.load()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Sync to the dev guild when one is configured (instant), globally only when asked."""
        if self.settings.dev_guild_id is not None:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("Synced %d commands to dev guild %s", len(synced), guild.id)
        if self.sync_global:
            synced = await self.tree.sync()
            log.info("Synced %d commands globally (may take a while to appear)", len(synced))

    async def on_ready(self) -> None:
        user = self.user
        log.info(
            "Logged in as %s (id %s) in %d guilds, %s",
            user, user and user.id, len(self.guilds), self.settings.shards.describe(),
        )  # fmt: skip

    async def close(self) -> None:
        if self.library_watch is not None:
            await self.library_watch.stop()
        if self._service is not None:
            await self._service.drain()
        await super().close()


class ShardedDocqaBot(DocqaBot, commands.AutoShardedBot):
    """docqa over several gateway shards in one process (``DOCQA_SHARD_COUNT``/``_IDS``).

    Everything else is :class:`DocqaBot`'s: each server's events arrive on its own shard, and
    its state (settings, uploads, cooldowns, query log) lives with the process holding it.
    """


def make_bot(
    settings: Settings,
    storage: Database,
    *,
    engine: SearchEngine | None = None,
    sync_global: bool = False,
    **options: Any,
) -> DocqaBot:
    """The bot ``settings`` ask for: a plain :class:`DocqaBot` unless shards are configured."""
    shards = settings.shards
    kind = ShardedDocqaBot if shards.sharded else DocqaBot
    options |= shards.client_options()  # nothing when unsharded
    return kind(settings, storage, engine=engine, sync_global=sync_global, **options)


Interaction: TypeAlias = discord.Interaction[DocqaBot]
