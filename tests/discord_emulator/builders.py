"""INTERACTION_CREATE payloads (slash, autocomplete, component) as Discord sends them."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .commands import ResolvedRefs, build_options, split_path
from .interactions import APPLICATION_COMMAND, AUTOCOMPLETE, MESSAGE_COMPONENT
from .payloads import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    JSON,
    EmuChannel,
    EmuFile,
    EmuUser,
    channel_payload,
    member_payload,
    user_payload,
)
from .world import World

log = logging.getLogger(__name__)

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
GUILD_CONTEXT, BOT_DM_CONTEXT = 0, 1


@dataclass(frozen=True)
class Invoker:
    """Who triggers an interaction, where, and with which permissions."""

    user: EmuUser
    channel: EmuChannel
    permissions: int | None = None  # None: the member's stored permissions
    app_permissions: int | None = None  # None: the bot's permissions in the channel
    locale: str = "en-US"


@dataclass(frozen=True)
class BuiltInteraction:
    id: int
    token: str
    name: str
    payload: JSON


def effective(permissions: int) -> int:
    return ALL_PERMISSIONS if permissions & ADMINISTRATOR else permissions


def _user_permissions(world: World, invoker: Invoker) -> int:
    if invoker.channel.guild_id is None:
        return effective(invoker.permissions or ALL_PERMISSIONS & ~ADMINISTRATOR)
    if invoker.permissions is not None:
        return effective(invoker.permissions)
    return effective(world.member(invoker.channel.guild_id, invoker.user).permissions)


def _envelope(world: World, invoker: Invoker, kind: int, data: JSON) -> tuple[int, str, JSON]:
    interaction_id, token = world.snowflakes.next(), f"emu-{secrets.token_urlsafe(24)}"
    channel, guild_id = invoker.channel, invoker.channel.guild_id
    perms = _user_permissions(world, invoker)
    app_perms = invoker.app_permissions
    payload: JSON = {
        "id": str(interaction_id),
        "application_id": str(world.application_id),
        "type": kind,
        "data": data,
        "channel_id": str(channel.id),
        "channel": {**channel_payload(channel), "permissions": str(perms)},
        "token": token,
        "version": 1,
        "app_permissions": str(
            world.bot_permissions_in(channel) if app_perms is None else app_perms
        ),
        "locale": invoker.locale,
        "entitlements": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if guild_id is None:
        payload.update(user=user_payload(invoker.user), context=BOT_DM_CONTEXT)
        payload["authorizing_integration_owners"] = {"1": str(invoker.user.id)}
    else:
        member = {**member_payload(world.member(guild_id, invoker.user)), "permissions": str(perms)}
        payload.update(
            guild_id=str(guild_id), member=member, context=GUILD_CONTEXT, guild_locale="en-US"
        )
        payload["guild"] = {"id": str(guild_id), "locale": "en-US", "features": []}
        payload["authorizing_integration_owners"] = {"0": str(guild_id)}
    return interaction_id, token, payload


def _resolved(world: World, refs: ResolvedRefs, guild_id: int | None) -> JSON:
    resolved: JSON = {}
    if refs.users:
        resolved["users"] = {str(u.id): user_payload(u) for u in refs.users}
    if refs.users and guild_id is not None:
        members = {}
        for user in refs.users:
            member = world.member(guild_id, user)
            members[str(user.id)] = {
                **member_payload(member, with_user=False),
                "permissions": str(member.permissions),
            }
        resolved["members"] = members
    if refs.attachments:
        resolved["attachments"] = {a["id"]: a for a in refs.attachments}
    if refs.channels:
        resolved["channels"] = {
            str(c.id): {
                "id": str(c.id),
                "name": c.name,
                "type": c.type,
                "permissions": str(ALL_PERMISSIONS),
            }
            for c in refs.channels
        }
    return resolved


def command_interaction(
    world: World,
    invoker: Invoker,
    command: str | Sequence[str],
    options: Mapping[str, Any],
    focused: str | None = None,
) -> BuiltInteraction:
    path = split_path(command)
    schema = world.commands.find(path[0], invoker.channel.guild_id)
    if schema is None:
        log.info("command %r is not registered with the emulator; inferring option types", path[0])

    def upload(file: EmuFile) -> JSON:
        return world.store.upload(invoker.channel.id, file)

    wire_options, refs = build_options(schema, path, options, focused, upload)
    data: JSON = {
        "id": schema["id"] if schema else str(world.snowflakes.next()),
        "name": path[0],
        "type": 1,
        "options": wire_options,
    }
    if schema is not None and "guild_id" in schema:
        data["guild_id"] = schema["guild_id"]
    resolved = _resolved(world, refs, invoker.channel.guild_id)
    if resolved:
        data["resolved"] = resolved
    kind = APPLICATION_COMMAND if focused is None else AUTOCOMPLETE
    interaction_id, token, payload = _envelope(world, invoker, kind, data)
    return BuiltInteraction(interaction_id, token, " ".join(path), payload)


def find_component(message: JSON, custom_id: str) -> JSON | None:
    stack = list(message.get("components") or [])
    while stack:
        component = stack.pop()
        if component.get("custom_id") == custom_id:
            return dict(component)
        stack.extend(component.get("components") or [])
        if isinstance(component.get("accessory"), dict):
            stack.append(component["accessory"])
    return None


def component_interaction(
    world: World, invoker: Invoker, message: JSON, custom_id: str, values: Sequence[str] | None
) -> BuiltInteraction:
    component = find_component(message, custom_id)
    if component is None:
        raise ValueError(f"message {message['id']} has no component with custom_id {custom_id!r}")
    if component.get("disabled"):
        raise ValueError(
            f"component {custom_id!r} is disabled; Discord would not let a user click it"
        )
    data: JSON = {"custom_id": custom_id, "component_type": component.get("type", 2)}
    if values is not None:
        data["values"] = list(values)
    interaction_id, token, payload = _envelope(world, invoker, MESSAGE_COMPONENT, data)
    payload["message"] = message
    return BuiltInteraction(interaction_id, token, custom_id, payload)
