"""The bot: resources injected, async set-up in ``setup_hook``, ``on_ready`` only logs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import discord
import yarl
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.config import Settings
from bot.database import Database
from bot.engines import open_engines
from bot.guild_config import GuildConfigs
from bot.index import load_engine
from bot.library_watch import LibraryWatch
from bot.moderation import integer_permissions
from bot.replies import NO_MENTIONS
from bot.retries import http_trace
from bot.service import AskService
from retrieval import SearchEngine

__all__ = ["EXTENSIONS", "DocqaBot", "ShardedDocqaBot", "make_bot", "use_endpoints"]

log = logging.getLogger(__name__)

USER_EVENTS = ("INTERACTION_CREATE", "MESSAGE_CREATE")  # gateway events users cause
EXTENSIONS = (
    "bot.cogs.errors",
    "bot.cogs.ask",
    "bot.cogs.sources",
    "bot.cogs.owner",
    "bot.cogs.retention",
    "bot.cogs.admin",
    "bot.cogs.privacy",
)


def use_endpoints(settings: Settings) -> None:
    """Point discord.py at the configured REST base and gateway (Discord's own by default).

    discord.py keeps both as class attributes: ``Route.BASE`` serves every REST call,
    including interaction callbacks and webhooks, and a non-sharded client connects
    straight to ``DEFAULT_GATEWAY`` without asking ``/gateway/bot``; so does a sharded one
    told its shard count (``DOCQA_SHARD_COUNT=auto`` asks ``/gateway/bot`` for count and URL).
    """
    Route.BASE = settings.discord_api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def _drop_unreadable(parsers: dict[str, Callable[[Any], None]]) -> None:
    """Make one unreadable question or click cost that event, not the connection.

    discord.py parses gateway events outside any error handler: a payload it cannot read
    (say, an interaction whose permissions field is not a number) raises through its
    connection loop, which stops, and the bot answers nothing more. For the events users
    cause, the event is logged in one line and dropped instead.
    """
    parsers["INTERACTION_CREATE"] = integer_permissions(parsers["INTERACTION_CREATE"])
    for event in USER_EVENTS:
        parsers[event] = _dropping_errors(event, parsers[event])


def _dropping_errors(event: str, parse: Callable[[Any], None]) -> Callable[[Any], None]:
    def guarded(data: Any) -> None:
        try:
            parse(data)
        except Exception as error:
            event_id = data.get("id") if isinstance(data, dict) else None
            log.error("Dropped an unreadable %s event (id %s): %r", event, event_id, error)

    return guarded


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
        self.library_watch: LibraryWatch | None = None
        _drop_unreadable(self._connection.parsers)

    @property
    def service(self) -> AskService:
        if self._service is None:
            raise RuntimeError("the bot is not set up yet (setup_hook has not run)")
        return self._service

    async def setup_hook(self) -> None:
        settings = self.settings
        engine = self._engine or await load_engine(
            settings.corpus_dir, settings.engine_options, settings.index_cache_dir
        )
        self._service = AskService(engine, self.storage, settings.default_k)
        self.engines = await open_engines(settings, engine, self._service.swap_engine)
        self._service.guild_engine = self.engines.uploaded_engine
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
