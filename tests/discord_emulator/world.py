"""The emulated Discord world: users, guilds, channels, members, messages, interactions.

`World` owns the state and the Discord semantics shared by the REST routes and by the
test-facing :class:`~.emulator.Emulator` (gateway fan-out, intents, violations).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from dataclasses import dataclass
from typing import Any

from .commands import CommandRegistry
from .faults import FaultInjector
from .gateway import Gateway
from .interactions import InteractionHandle, InteractionRegistry
from .payloads import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    DM,
    JSON,
    MENTION_EVERYONE,
    EmuChannel,
    EmuGuild,
    EmuMember,
    EmuRole,
    EmuUser,
    GuildSpec,
    SnowflakeFactory,
    application_payload,
    bot_user_payload,
    guild_create_payload,
    member_payload,
)
from .recorder import Recorder, Violation
from .rules import Rejection
from .sessions import Session
from .store import MessageStore, StoredMessage

log = logging.getLogger(__name__)

GUILDS_INTENT = 1 << 0
GUILD_MESSAGES_INTENT = 1 << 9
DIRECT_MESSAGES_INTENT = 1 << 12
MESSAGE_CONTENT_INTENT = 1 << 15


@dataclass(frozen=True)
class EmulatorConfig:
    guilds: tuple[GuildSpec, ...] = (GuildSpec(),)
    bot_name: str = "DocQA"
    token: str | None = None  # None: accept any non-empty token
    ack_deadline: float = 3.0
    heartbeat_interval_ms: int = 41_250
    compress_gateway: bool = True
    enforce_intents: bool = True
    recommended_shards: int = 1  # GET /gateway/bot's "shards"
    host: str = "127.0.0.1"
    port: int = 0


class World:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.snowflakes = SnowflakeFactory()
        self.users: dict[int, EmuUser] = {}
        self.bot = self.make_user(config.bot_name, bot=True)
        self.application_id = self.bot.id
        self.app_owner = self.make_user("app-owner")
        self.channels: dict[int, EmuChannel] = {}
        self.members: dict[tuple[int, int], EmuMember] = {}
        self.dm_channels: dict[int, EmuChannel] = {}
        self.guilds = [self._build_guild(spec) for spec in config.guilds]
        self.recorder = Recorder()
        self.faults = FaultInjector()
        self.commands = CommandRegistry(self.application_id, self.snowflakes)
        self.store = MessageStore(self.snowflakes, self.users)
        self.interactions = InteractionRegistry()
        self.base_url = ""
        self.gateway = Gateway(
            token_ok=self.token_ok,
            ready_events=self.ready_events,
            member_chunk=self.member_chunk,
            heartbeat_interval_ms=config.heartbeat_interval_ms,
            compress=config.compress_gateway,
        )

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + "/gateway"

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def token_ok(self, token: str) -> bool:
        token = token.removeprefix("Bot ").strip()
        return bool(token) and (self.config.token is None or token == self.config.token)

    # -- world building -------------------------------------------------------------------

    def make_user(self, username: str, *, bot: bool = False) -> EmuUser:
        user = EmuUser(id=self.snowflakes.next(), username=username, bot=bot, global_name=username)
        self.users[user.id] = user
        return user

    def _build_guild(self, spec: GuildSpec) -> EmuGuild:
        guild_id = spec.id or self.snowflakes.next()
        owner = self.make_user(f"{spec.name.lower().replace(' ', '-')}-owner")
        channels = tuple(
            EmuChannel(id=self.snowflakes.next(), name=name, guild_id=guild_id, position=i)
            for i, name in enumerate(spec.channels)
        )
        everyone = EmuRole(id=guild_id, name="@everyone", permissions=spec.member_permissions)
        bot_role = EmuRole(
            self.snowflakes.next(), self.bot.username, spec.bot_permissions, 1, self.bot.id
        )
        guild = EmuGuild(
            guild_id,
            spec.name,
            owner,
            channels,
            (everyone, bot_role),
            spec.bot_permissions,
            spec.member_permissions,
        )
        for channel in channels:
            self.channels[channel.id] = channel
        self.add_member(owner, guild, ALL_PERMISSIONS)
        self.members[(guild_id, self.bot.id)] = EmuMember(
            self.bot, guild_id, spec.bot_permissions, (bot_role.id,)
        )
        for user in spec.members:
            self.users[user.id] = user
            self.add_member(user, guild, spec.member_permissions)
        return guild

    def add_member(
        self, user: EmuUser, guild: EmuGuild, permissions: int, roles: tuple[int, ...] = ()
    ) -> EmuMember:
        member = EmuMember(user=user, guild_id=guild.id, permissions=permissions, roles=roles)
        self.members[(guild.id, user.id)] = member
        return member

    def guild(self, guild_id: int) -> EmuGuild:
        for guild in self.guilds:
            if guild.id == guild_id:
                return guild
        raise KeyError(f"unknown guild {guild_id}")

    def member(self, guild_id: int, user: EmuUser) -> EmuMember:
        existing = self.members.get((guild_id, user.id))
        if existing is not None:
            return existing
        return self.add_member(user, self.guild(guild_id), self.guild(guild_id).member_permissions)

    def open_dm(self, user: EmuUser) -> EmuChannel:
        if user.id not in self.dm_channels:
            channel = EmuChannel(id=self.snowflakes.next(), name="", type=DM, recipient=user)
            self.dm_channels[user.id] = channel
            self.channels[channel.id] = channel
        return self.dm_channels[user.id]

    def bot_permissions_in(self, channel: EmuChannel) -> int:
        if channel.guild_id is None:
            return ALL_PERMISSIONS & ~ADMINISTRATOR
        if channel.bot_permissions is not None:
            return channel.bot_permissions
        perms = self.guild(channel.guild_id).bot_permissions
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def bot_can_mention_everyone(self, channel: EmuChannel) -> bool:
        return bool(self.bot_permissions_in(channel) & MENTION_EVERYONE)

    # -- gateway ----------------------------------------------------------------------------

    def guilds_of(self, session: Session) -> list[EmuGuild]:
        """The guilds whose events go to ``session`` (every guild unless it is sharded)."""
        return [guild for guild in self.guilds if session.receives(guild.id)]

    def ready_events(self, session: Session) -> list[tuple[str, JSON]]:
        guilds = self.guilds_of(session)
        ready: JSON = {
            "v": 10,
            "user": bot_user_payload(self.bot),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "shard": session.shard,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["discord-emulator"],
        }
        events: list[tuple[str, JSON]] = [("READY", ready)]
        if session.intents & GUILDS_INTENT or not self.config.enforce_intents:
            events += [
                ("GUILD_CREATE", guild_create_payload(g, self._guild_members(g))) for g in guilds
            ]
        return events

    def _guild_members(self, guild: EmuGuild) -> list[EmuMember]:
        return [m for (gid, _), m in self.members.items() if gid == guild.id]

    def member_chunk(self, guild_id: int) -> JSON:
        members = self._guild_members(self.guild(guild_id))
        return {
            "guild_id": str(guild_id),
            "members": [member_payload(m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }

    def application(self) -> JSON:
        return application_payload(self.application_id, self.bot, self.app_owner)

    def publish(self, event: str, stored: StoredMessage) -> None:
        """Fan a message event out to its guild's shard, the way intents would filter it."""
        if stored.ephemeral:
            return
        for session in self.gateway.sessions.for_guild(self.channels[stored.channel_id].guild_id):
            data = self._message_event(stored, session.intents)
            if data is not None:
                session.dispatch(event, data)

    def publish_delete(self, stored: StoredMessage) -> None:
        channel = self.channels[stored.channel_id]
        if stored.ephemeral:
            return
        data: JSON = {"id": str(stored.id), "channel_id": str(channel.id)}
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
        for session in self.gateway.sessions.for_guild(channel.guild_id):
            session.dispatch("MESSAGE_DELETE", data)

    def _message_event(self, stored: StoredMessage, intents: int) -> JSON | None:
        data = copy.deepcopy(stored.payload)
        channel = self.channels[stored.channel_id]
        is_dm = channel.guild_id is None
        needed = DIRECT_MESSAGES_INTENT if is_dm else GUILD_MESSAGES_INTENT
        if self.config.enforce_intents and not intents & needed:
            return None
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
            author = self.users.get(int(data["author"]["id"]))
            if author is not None and "webhook_id" not in data:
                data["member"] = member_payload(
                    self.member(channel.guild_id, author), with_user=False
                )
        if self.config.enforce_intents and not self._content_visible(stored, intents, is_dm):
            data.update(content="", embeds=[], attachments=[], components=[])
        return data

    def _content_visible(self, stored: StoredMessage, intents: int, is_dm: bool) -> bool:
        payload = stored.payload
        mentioned = any(int(u["id"]) == self.bot.id for u in payload["mentions"])
        own = int(payload["author"]["id"]) == self.bot.id
        return bool(intents & MESSAGE_CONTENT_INTENT) or is_dm or mentioned or own

    # -- rules --------------------------------------------------------------------------------

    def violate(
        self, rule: str, detail: str, *, interaction_id: int | None = None, request: Any = None
    ) -> None:
        method = getattr(request, "method", None)
        path = getattr(request, "path", None)
        self.recorder.violate(Violation(rule, detail, self.now(), interaction_id, method, path))

    def reject(
        self, rejection: Rejection, *, interaction_id: int | None = None, request: Any = None
    ) -> None:
        self.violate(
            rejection.rule, rejection.detail, interaction_id=interaction_id, request=request
        )

    def on_ack_timeout(self, handle: InteractionHandle) -> None:
        detail = (
            f"interaction {handle.name!r} was not acknowledged within {self.config.ack_deadline}s"
        )
        self.violate("ack_timeout", detail, interaction_id=handle.id)
