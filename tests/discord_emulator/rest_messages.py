"""Channel routes: messages (JSON and multipart), history, typing, reactions, DM creation."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from .payloads import (
    ATTACH_FILES,
    MANAGE_MESSAGES,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    EmuChannel,
    channel_payload,
)
from .recorder import RecordedFile
from .rules import (
    check_message,
    empty_message_rejection,
    error_body,
    form_rejection,
    is_empty_message,
)
from .server import API_PREFIX, ApiError, body_of, json_response, no_content, rejected, world_of
from .store import MessageOrigin, StoredMessage
from .world import World

log = logging.getLogger(__name__)

MISSING_PERMISSIONS = error_body(50013, "Missing Permissions")


def channel_of(request: web.Request) -> EmuChannel:
    channel = world_of(request).channels.get(int(request.match_info["channel_id"]))
    if channel is None:
        raise ApiError(404, error_body(10003, "Unknown Channel"))
    return channel


def message_of(request: web.Request, channel: EmuChannel) -> StoredMessage:
    stored = world_of(request).store.get(int(request.match_info["message_id"]))
    if stored is None or stored.channel_id != channel.id or stored.ephemeral:
        raise ApiError(404, error_body(10008, "Unknown Message"))
    return stored


def validate_message(
    request: web.Request,
    body: Mapping[str, Any],
    files: Sequence[RecordedFile],
    *,
    creating: bool,
    what: str,
    interaction_id: int | None = None,
) -> None:
    """Limits (50035) and, for new messages, emptiness (50006); both recorded as violations."""
    world = world_of(request)
    errors = check_message(body)
    if errors:
        raise rejected(world, form_rejection(errors, what), request, interaction_id)
    if creating and is_empty_message(body, len(files)):
        raise rejected(world, empty_message_rejection(what), request, interaction_id)


def _require_send_permissions(world: World, channel: EmuChannel, has_files: bool) -> None:
    perms = world.bot_permissions_in(channel)
    needed = VIEW_CHANNEL | SEND_MESSAGES | (ATTACH_FILES if has_files else 0)
    if perms & needed != needed:
        raise ApiError(403, MISSING_PERMISSIONS)


def bot_origin(world: World, channel: EmuChannel) -> MessageOrigin:
    return MessageOrigin(
        channel, world.bot, "channel", can_mention_everyone=world.bot_can_mention_everyone(channel)
    )


async def get_channel(request: web.Request) -> web.Response:
    return json_response(channel_payload(channel_of(request)))


async def create_message(request: web.Request) -> web.Response:
    world = world_of(request)
    channel = channel_of(request)
    parsed = body_of(request)
    _require_send_permissions(world, channel, bool(parsed.files))
    validate_message(request, parsed.object, parsed.files, creating=True, what="channel message")
    stored = world.store.create(bot_origin(world, channel), parsed.object, parsed.files)
    world.publish("MESSAGE_CREATE", stored)
    return json_response(stored.payload)


async def list_messages(request: web.Request) -> web.Response:
    channel = channel_of(request)
    messages = world_of(request).store.in_channel(channel.id, include_ephemeral=False)
    before, after = request.query.get("before"), request.query.get("after")
    if before:
        messages = [m for m in messages if m.id < int(before)]
    if after:
        messages = [m for m in messages if m.id > int(after)]
    limit = min(int(request.query.get("limit", "50")), 100)
    newest_first = sorted(messages, key=lambda m: m.id, reverse=True)
    return json_response([m.payload for m in newest_first[:limit]])


async def message_item(request: web.Request) -> web.Response:
    world = world_of(request)
    channel = channel_of(request)
    stored = message_of(request, channel)
    if request.method == "GET":
        return json_response(stored.payload)
    is_own = int(stored.payload["author"]["id"]) == world.bot.id
    if request.method == "DELETE":
        if not is_own and not world.bot_permissions_in(channel) & MANAGE_MESSAGES:
            raise ApiError(403, MISSING_PERMISSIONS)
        world.store.delete(stored)
        world.publish_delete(stored)
        return no_content()
    if not is_own:
        raise ApiError(403, error_body(50005, "Cannot edit a message authored by another user"))
    parsed = body_of(request)
    validate_message(request, parsed.object, parsed.files, creating=False, what="message edit")
    world.store.edit(stored, bot_origin(world, channel), parsed.object, parsed.files)
    world.publish("MESSAGE_UPDATE", stored)
    return json_response(stored.payload)


async def typing(request: web.Request) -> web.Response:
    channel_of(request)
    return no_content()


async def reaction(request: web.Request) -> web.Response:
    world = world_of(request)
    stored = message_of(request, channel_of(request))
    emoji = request.match_info["emoji"]
    reactions = stored.payload.setdefault("reactions", [])
    existing = next((r for r in reactions if r["emoji"]["name"] == emoji), None)
    if request.method == "PUT" and existing is None:
        reactions.append({"emoji": {"id": None, "name": emoji}, "count": 1, "me": True})
    elif request.method == "DELETE" and existing is not None:
        reactions.remove(existing)
    log.debug("bot %s reaction %s on %s", request.method, emoji, world.bot.id)
    return no_content()


async def create_dm(request: web.Request) -> web.Response:
    world = world_of(request)
    recipient_id = body_of(request).object.get("recipient_id")
    user = world.users.get(int(recipient_id or 0))
    if user is None:
        raise ApiError(404, error_body(10013, "Unknown User"))
    return json_response(channel_payload(world.open_dm(user)))


def add_message_routes(app: web.Application) -> None:
    channel = API_PREFIX + "/channels/{channel_id:\\d+}"
    message = channel + "/messages/{message_id:\\d+}"
    app.router.add_get(channel, get_channel)
    app.router.add_post(channel + "/messages", create_message)
    app.router.add_get(channel + "/messages", list_messages)
    for method in ("GET", "PATCH", "DELETE"):
        app.router.add_route(method, message, message_item)
    app.router.add_post(channel + "/typing", typing)
    for method in ("PUT", "DELETE"):
        app.router.add_route(method, message + "/reactions/{emoji}/@me", reaction)
    app.router.add_post(API_PREFIX + "/users/@me/channels", create_dm)
