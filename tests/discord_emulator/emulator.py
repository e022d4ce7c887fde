"""The test-facing `Emulator`: lifecycle, world building, gateway control and user actions.

The read side (messages, records, assertions, fault injection) is in :mod:`.inspection`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from .builders import BuiltInteraction, Invoker, command_interaction, component_interaction
from .gateway import INVALID_SESSION, RECONNECT, RESUMABLE_CLOSE, GatewayEvent
from .inspection import EmulatorInspection
from .interactions import InteractionHandle
from .payloads import JSON, EmuChannel, EmuGuild, EmuMember, EmuUser, GuildSpec
from .recorder import RecordedFile
from .server import build_app
from .store import MessageOrigin
from .world import EmulatorConfig, World

log = logging.getLogger(__name__)


class Emulator(EmulatorInspection):
    """A local Discord (REST API v10 + gateway) for one bot.

    Use as ``async with Emulator() as emu``; see the package docstring for client setup.
    """

    def __init__(
        self,
        guilds: Sequence[GuildSpec] | None = None,
        *,
        bot_name: str = "DocQA",
        token: str | None = None,
        ack_deadline: float = 3.0,
        heartbeat_interval_ms: int = 41_250,
        compress_gateway: bool = True,
        enforce_intents: bool = True,
        recommended_shards: int = 1,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        config = EmulatorConfig(
            guilds=tuple(guilds) if guilds else (GuildSpec(),),
            bot_name=bot_name,
            token=token,
            ack_deadline=ack_deadline,
            heartbeat_interval_ms=heartbeat_interval_ms,
            compress_gateway=compress_gateway,
            enforce_intents=enforce_intents,
            recommended_shards=recommended_shards,
            host=host,
            port=port,
        )
        self.world = World(config)
        self.default_user = self.make_user("tester")
        for guild in self.world.guilds:
            self.world.member(guild.id, self.default_user)
        self._runner: web.AppRunner | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        self._runner = web.AppRunner(
            build_app(self.world), handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.world.config.host, self.world.config.port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.world.base_url = f"http://{host}:{port}"
        self.world.store.attachment_base = self.world.base_url
        log.info("discord emulator listening on %s", self.world.base_url)

    async def stop(self) -> None:
        self.world.interactions.close()
        await self.world.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- addresses and world --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.world.base_url

    @property
    def api_base(self) -> str:
        """Set discord.py's ``discord.http.Route.BASE`` to this."""
        return self.world.base_url + "/api/v10"

    @property
    def gateway_url(self) -> str:
        """Set ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(this)``."""
        return self.world.gateway_url

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def guilds(self) -> list[EmuGuild]:
        return list(self.world.guilds)

    @property
    def guild(self) -> EmuGuild:
        return self.world.guilds[0]

    def make_user(self, username: str, *, bot: bool = False) -> EmuUser:
        return self.world.make_user(username, bot=bot)

    def add_member(
        self, user: EmuUser, *, guild_id: int | None = None, permissions: int | None = None
    ) -> EmuMember:
        guild = self.world.guild(guild_id or self.guild.id)
        return self.world.add_member(
            user, guild, guild.member_permissions if permissions is None else permissions
        )

    def open_dm(self, user: EmuUser) -> EmuChannel:
        return self.world.open_dm(user)

    def commands(self, guild_id: int | None = None) -> list[JSON]:
        """Commands the bot registered: global when guild_id is None."""
        return self.world.commands.list(guild_id)

    # -- gateway --------------------------------------------------------------------------------

    @property
    def gateway_events(self) -> list[GatewayEvent]:
        return list(self.world.gateway.events.items)

    def gateway_count(self, kind: str) -> int:
        """How often e.g. 'CONNECT', 'IDENTIFY', 'RESUME', 'RESUMED', 'DROP' happened."""
        return self.world.gateway.count(kind)

    @property
    def identify_payload(self) -> JSON | None:
        identifies = [e for e in self.world.gateway.events.items if e.kind == "IDENTIFY"]
        return identifies[-1].detail if identifies else None

    async def wait_for_bot_ready(self, timeout: float = 5.0, *, start: int = 0) -> None:
        """Returns once a bot has IDENTIFYed and READY + GUILD_CREATEs are queued to it.

        ``start`` skips earlier gateway events: pass ``len(emu.gateway_events)`` before
        starting a second bot (e.g. a restarted process) to wait for its own READY.
        """
        await self.world.gateway.events.wait_for(
            lambda e: e.kind == "READY", timeout=timeout, start=start
        )

    async def wait_for_shards_ready(
        self, shard_ids: Iterable[int], shard_count: int, timeout: float = 5.0, *, start: int = 0
    ) -> None:
        """Returns once each ``[id, shard_count]`` has IDENTIFYed and had its READY queued."""
        async with asyncio.timeout(timeout):
            for shard_id in shard_ids:
                shard = [shard_id, shard_count]
                await self.world.gateway.events.wait_for(
                    lambda e, shard=shard: e.kind == "READY" and e.detail["shard"] == shard,
                    timeout=timeout,
                    start=start,
                )

    def shard_sessions(self) -> list[list[int]]:
        """``[id, count]`` of every live gateway session, oldest IDENTIFY first."""
        return [session.shard for session in self.world.gateway.sessions]

    async def wait_for_resume(self, timeout: float = 5.0) -> GatewayEvent:
        """The RESUMED that follows the most recent drop."""
        events = self.world.gateway.events.items
        start = max((i for i, e in enumerate(events) if e.kind == "DROP"), default=0)
        return await self.world.gateway.events.wait_for(
            lambda e: e.kind == "RESUMED", timeout=timeout, start=start
        )

    async def drop_gateway(
        self,
        *,
        times: int = 1,
        code: int = RESUMABLE_CLOSE,
        abort: bool = False,
        shard: int | None = None,
    ) -> None:
        """Close the bot's websocket now (resumable code 4000 by default, or abort the TCP
        connection), and also the next ``times - 1`` reconnects right after IDENTIFY/RESUME.
        ``shard`` picks a sharded bot's connection (default: the latest identified)."""
        await self.world.gateway.drop(times=times, code=code, abort=abort, shard=shard)

    def send_reconnect(self, *, shard: int | None = None) -> None:
        """Gateway op 7: ask the bot to reconnect and resume."""
        self.world.gateway.send_op(RECONNECT, None, shard=shard)

    def send_invalid_session(self, *, resumable: bool = False, shard: int | None = None) -> None:
        """Gateway op 9."""
        self.world.gateway.send_op(INVALID_SESSION, resumable, shard=shard)

    # -- user actions ---------------------------------------------------------------------------

    def _invoker(
        self,
        user: EmuUser | None,
        *,
        channel_id: int | None = None,
        guild_id: int | None = None,
        dm: bool = False,
        permissions: int | None = None,
        app_permissions: int | None = None,
        locale: str = "en-US",
    ) -> Invoker:
        user = user or self.default_user
        if dm:
            channel = self.world.open_dm(user)
        elif channel_id is not None:
            channel = self.world.channels[channel_id]
        else:
            channel = self.world.guild(guild_id).text_channel if guild_id else self.channel
        return Invoker(user, channel, permissions, app_permissions, locale)

    def _dispatch(
        self, built: BuiltInteraction, invoker: Invoker, message_id: int | None = None
    ) -> InteractionHandle:
        world = self.world
        guild_id = invoker.channel.guild_id
        seq_before = world.gateway.dispatch("INTERACTION_CREATE", built.payload, guild_id=guild_id)
        handle = InteractionHandle(
            interaction_id=built.id,
            token=built.token,
            interaction_type=int(built.payload["type"]),
            name=built.name,
            payload=built.payload,
            user=invoker.user,
            channel_id=invoker.channel.id,
            guild_id=guild_id,
            dispatched_at=world.now(),
            component_message_id=message_id,
        )
        world.interactions.add(handle, world.config.ack_deadline, world.on_ack_timeout)
        log.debug("dispatched interaction %s (seq %s)", built.name, seq_before)
        return handle

    async def send_slash(
        self,
        command: str | Sequence[str],
        options: Mapping[str, Any] | None = None,
        *,
        user: EmuUser | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        dm: bool = False,
        permissions: int | None = None,
        app_permissions: int | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Dispatch a chat-input command. `command` is 'name', 'group sub' or ['group', 'sub'].

        Option values may be :class:`EmuUser`, :class:`EmuChannel` or :class:`EmuFile` (an
        attachment option: the file is served from the emulator's CDN route).
        """
        invoker = self._invoker(
            user,
            channel_id=channel_id,
            guild_id=guild_id,
            dm=dm,
            permissions=permissions,
            app_permissions=app_permissions,
            locale=locale,
        )
        built = command_interaction(self.world, invoker, command, options or {})
        return self._dispatch(built, invoker)

    async def send_autocomplete(
        self,
        command: str | Sequence[str],
        options: Mapping[str, Any],
        focused: str,
        *,
        user: EmuUser | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        dm: bool = False,
        timeout: float = 5.0,
    ) -> list[JSON]:
        """Dispatch an autocomplete for option `focused` and return the bot's choices."""
        return await (
            await self.start_autocomplete(
                command,
                options,
                focused,
                user=user,
                guild_id=guild_id,
                channel_id=channel_id,
                dm=dm,
            )
        ).wait_choices(timeout)

    async def start_autocomplete(
        self,
        command: str | Sequence[str],
        options: Mapping[str, Any],
        focused: str,
        *,
        user: EmuUser | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        dm: bool = False,
    ) -> InteractionHandle:
        invoker = self._invoker(user, channel_id=channel_id, guild_id=guild_id, dm=dm)
        built = command_interaction(self.world, invoker, command, options, focused)
        return self._dispatch(built, invoker)

    async def click_button(
        self,
        message: JSON | int,
        custom_id: str,
        *,
        user: EmuUser | None = None,
        permissions: int | None = None,
    ) -> InteractionHandle:
        """Click a button on a message the bot sent (payload or id), as `user`."""
        return await self._component(message, custom_id, None, user, permissions)

    async def select_menu(
        self,
        message: JSON | int,
        custom_id: str,
        values: Sequence[str],
        *,
        user: EmuUser | None = None,
    ) -> InteractionHandle:
        return await self._component(message, custom_id, values, user, None)

    async def _component(
        self,
        message: JSON | int,
        custom_id: str,
        values: Sequence[str] | None,
        user: EmuUser | None,
        permissions: int | None,
    ) -> InteractionHandle:
        message_id = message if isinstance(message, int) else int(message["id"])
        stored = self.world.store.get(message_id)
        if stored is None:
            raise LookupError(f"message {message_id} is not in the emulator's store")
        channel = self.world.channels[stored.channel_id]
        invoker = self._invoker(user, channel_id=channel.id, permissions=permissions)
        built = component_interaction(self.world, invoker, stored.payload, custom_id, values)
        return self._dispatch(built, invoker, message_id)

    async def send_message(
        self,
        content: str,
        *,
        author: EmuUser | None = None,
        channel_id: int | None = None,
        dm: bool = False,
        mentions: Sequence[EmuUser] = (),
        attachments: Sequence[tuple[str, bytes]] = (),
        reply_to: JSON | int | None = None,
    ) -> JSON:
        """A user posts a message (MESSAGE_CREATE). Users in `mentions` are prefixed as <@id>."""
        author = author or self.default_user
        channel = (
            self.world.open_dm(author) if dm else self.world.channels[channel_id or self.channel.id]
        )
        prefix = "".join(f"{u.mention} " for u in mentions if u.mention not in content)
        body: JSON = {"content": prefix + content}
        if reply_to is not None:
            ref_id = reply_to if isinstance(reply_to, int) else int(reply_to["id"])
            body["message_reference"] = {"message_id": str(ref_id), "channel_id": str(channel.id)}
        files = [
            RecordedFile(f"files[{i}]", name, None, data)
            for i, (name, data) in enumerate(attachments)
        ]
        stored = self.world.store.create(MessageOrigin(channel, author, "user"), body, files)
        self.world.publish("MESSAGE_CREATE", stored)
        return stored.payload
