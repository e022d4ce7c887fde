"""Value objects for the emulated world and builders for Discord API v10 JSON payloads."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADD_REACTIONS = 1 << 6
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

DEFAULT_MEMBER_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_APPLICATION_COMMANDS
)
DEFAULT_BOT_PERMISSIONS = DEFAULT_MEMBER_PERMISSIONS | SEND_MESSAGES_IN_THREADS

# Channel types.
GUILD_TEXT = 0
DM = 1


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


class SnowflakeFactory:
    """Hands out strictly increasing snowflakes whose timestamps are 'now'."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


@dataclass(frozen=True)
class EmuUser:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(frozen=True)
class EmuChannel:
    id: int
    name: str
    type: int = GUILD_TEXT
    guild_id: int | None = None
    position: int = 0
    bot_permissions: int | None = None  # None: the guild-wide bot permissions apply
    recipient: EmuUser | None = None  # DM channels only


@dataclass(frozen=True)
class EmuRole:
    id: int
    name: str
    permissions: int
    position: int = 0
    bot_id: int | None = None  # set for the bot's managed role


@dataclass(frozen=True)
class EmuFile:
    """A file a user attaches to a slash command's attachment option (type 11)."""

    filename: str
    data: bytes
    content_type: str | None = None


@dataclass(frozen=True)
class EmuMember:
    user: EmuUser
    guild_id: int
    permissions: int = DEFAULT_MEMBER_PERMISSIONS
    roles: tuple[int, ...] = ()
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)


@dataclass(frozen=True)
class GuildSpec:
    """What a test asks for; the emulator assigns the ids."""

    name: str = "Test Guild"
    channels: tuple[str, ...] = ("general",)
    members: tuple[EmuUser, ...] = ()
    bot_permissions: int = DEFAULT_BOT_PERMISSIONS
    member_permissions: int = DEFAULT_MEMBER_PERMISSIONS
    id: int | None = None


@dataclass(frozen=True)
class EmuGuild:
    id: int
    name: str
    owner: EmuUser
    channels: tuple[EmuChannel, ...]
    roles: tuple[EmuRole, ...]
    bot_permissions: int
    member_permissions: int

    @property
    def text_channel(self) -> EmuChannel:
        return self.channels[0]

    def channel(self, name: str) -> EmuChannel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(f"guild {self.name!r} has no channel named {name!r}")


def user_payload(user: EmuUser) -> JSON:
    return {
        "id": str(user.id),
        "username": user.username,
        "discriminator": "0",
        "global_name": user.global_name,
        "avatar": None,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "bot": user.bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
    }


def bot_user_payload(user: EmuUser) -> JSON:
    return {**user_payload(user), "verified": True, "mfa_enabled": False, "locale": "en-US"}


def member_payload(member: EmuMember, *, with_user: bool = True) -> JSON:
    data: JSON = {
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "roles": [str(role) for role in member.roles],
        "joined_at": member.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user_payload(member.user)
    return data


def role_payload(role: EmuRole) -> JSON:
    data: JSON = {
        "id": str(role.id),
        "name": role.name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.bot_id is not None,
        "mentionable": False,
        "flags": 0,
    }
    if role.bot_id is not None:
        data["tags"] = {"bot_id": str(role.bot_id)}
    return data


def channel_payload(channel: EmuChannel) -> JSON:
    if channel.type == DM:
        recipients = [user_payload(channel.recipient)] if channel.recipient else []
        return {
            "id": str(channel.id),
            "type": DM,
            "last_message_id": None,
            "flags": 0,
            "recipients": recipients,
        }
    return {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "permission_overwrites": [],
        "nsfw": False,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
    }


def guild_create_payload(guild: EmuGuild, members: list[EmuMember]) -> JSON:
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner.id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": "en-US",
        "system_channel_id": str(guild.text_channel.id),
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "application_id": None,
        "vanity_url_code": None,
        "features": [],
        "max_members": 500000,
        "roles": [role_payload(role) for role in guild.roles],
        "emojis": [],
        "stickers": [],
        "joined_at": iso_now(),
        "large": False,
        "unavailable": False,
        # member_count == len(members) makes discord.py consider the guild chunked.
        "member_count": len(members),
        "members": [member_payload(member) for member in members],
        "channels": [channel_payload(channel) for channel in guild.channels],
        "threads": [],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def application_payload(application_id: int, bot: EmuUser, owner: EmuUser) -> JSON:
    return {
        "id": str(application_id),
        "name": bot.username,
        "icon": None,
        "description": "discord_emulator application",
        "summary": "",
        "type": None,
        "bot": user_payload(bot),
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "owner": user_payload(owner),
        "team": None,
        "flags": 0,
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "approximate_guild_count": 1,
    }


def attachment_payload(
    attachment_id: int, filename: str, size: int, url: str, content_type: str | None
) -> JSON:
    return {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "content_type": content_type,
        "ephemeral": False,
        "flags": 0,
    }
