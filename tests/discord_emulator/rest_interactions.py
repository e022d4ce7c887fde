"""Interaction callbacks and the interaction webhook: follow-ups and @original."""

from __future__ import annotations

import logging

from aiohttp import web

from .interactions import (
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    EPHEMERAL_FLAG,
    UPDATE_MESSAGE,
    InteractionHandle,
)
from .payloads import JSON, user_payload
from .rest_messages import validate_message
from .rules import check_callback, check_choices, check_webhook_use, error_body, form_rejection
from .server import API_PREFIX, ApiError, body_of, json_response, no_content, rejected, world_of
from .store import LOADING_FLAG, MessageOrigin, StoredMessage
from .world import World

log = logging.getLogger(__name__)

UNKNOWN_WEBHOOK = error_body(10015, "Unknown Webhook")
UNKNOWN_MESSAGE = error_body(10008, "Unknown Message")


def interaction_origin(world: World, handle: InteractionHandle, source: str) -> MessageOrigin:
    metadata: JSON = {
        "id": str(handle.id),
        "type": handle.type,
        "name": handle.name,
        "user": user_payload(handle.user),
        "authorizing_integration_owners": {"0": str(handle.guild_id)}
        if handle.guild_id
        else {"1": str(handle.user.id)},
    }
    channel = world.channels[handle.channel_id]
    can_ping = world.bot_can_mention_everyone(channel)
    return MessageOrigin(channel, world.bot, source, metadata, world.application_id, can_ping)


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true")


# -- POST /interactions/{id}/{token}/callback --------------------------------------------------


def _validate_callback(request: web.Request, handle: InteractionHandle, callback_type: int) -> None:
    world = world_of(request)
    rejection = check_callback(
        interaction_type=handle.type,
        callback_type=callback_type,
        acked=handle.acked,
        expired=handle.expired,
    )
    if rejection is not None:
        raise rejected(world, rejection, request, handle.id)
    if callback_type in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
        parsed = body_of(request)
        data = parsed.object.get("data") or {}
        creating = callback_type == CHANNEL_MESSAGE
        what = "interaction response"
        validate_message(
            request, data, parsed.files, creating=creating, what=what, interaction_id=handle.id
        )
    if callback_type == AUTOCOMPLETE_RESULT:
        errors = check_choices((body_of(request).object.get("data") or {}).get("choices"))
        if errors:
            raise rejected(world, form_rejection(errors, "autocomplete result"), request, handle.id)


def _apply_callback(
    world: World, request: web.Request, handle: InteractionHandle, callback_type: int
) -> JSON | None:
    """Performs the callback; returns the message resource, if the callback makes one."""
    parsed = body_of(request)
    data: JSON = parsed.object.get("data") or {}
    now = world.now()
    if callback_type == CHANNEL_MESSAGE:
        stored = world.store.create(
            interaction_origin(world, handle, "callback"), data, parsed.files
        )
        handle.original_message_id = stored.id
        handle.record_message(stored.payload, now)
        world.publish("MESSAGE_CREATE", stored)
        return stored.payload
    if callback_type == DEFERRED_CHANNEL_MESSAGE:
        placeholder = {
            "content": "",
            "flags": LOADING_FLAG | (int(data.get("flags") or 0) & EPHEMERAL_FLAG),
        }
        stored = world.store.create(interaction_origin(world, handle, "deferred"), placeholder, ())
        stored.payload["flags"] = placeholder["flags"]
        handle.original_message_id = stored.id
        world.publish("MESSAGE_CREATE", stored)
        return stored.payload
    if callback_type in (UPDATE_MESSAGE, DEFERRED_UPDATE_MESSAGE):
        handle.original_message_id = handle.component_message_id
    if callback_type == UPDATE_MESSAGE:
        target = world.store.get(handle.component_message_id or 0)
        if target is None:
            raise ApiError(404, UNKNOWN_MESSAGE)
        world.store.edit(target, interaction_origin(world, handle, "callback"), data, parsed.files)
        handle.record_message(target.payload, now)
        world.publish("MESSAGE_UPDATE", target)
        return target.payload
    if callback_type == AUTOCOMPLETE_RESULT:
        handle.choices = list(data.get("choices") or [])
    return None


async def interaction_callback(request: web.Request) -> web.Response:
    world = world_of(request)
    handle = world.interactions.by_id(int(request.match_info["interaction_id"]))
    if handle is None or handle.token != request.match_info["token"]:
        raise ApiError(404, error_body(10062, "Unknown interaction"))
    handle.callback_attempts += 1
    body = body_of(request).object
    callback_type = int(body.get("type") or 0)
    _validate_callback(request, handle, callback_type)
    flags = int((body.get("data") or {}).get("flags") or 0)
    world.interactions.acknowledged(handle)
    handle.record_ack(callback_type, bool(flags & EPHEMERAL_FLAG), world.now())
    message = _apply_callback(world, request, handle, callback_type)
    if not _truthy(request.query.get("with_response")):
        return no_content()
    interaction: JSON = {
        "id": str(handle.id),
        "type": handle.type,
        "response_message_loading": callback_type == DEFERRED_CHANNEL_MESSAGE,
        "response_message_ephemeral": handle.ephemeral,
    }
    if handle.original_message_id is not None and callback_type != DEFERRED_UPDATE_MESSAGE:
        interaction["response_message_id"] = str(handle.original_message_id)
    resource: JSON = {"type": callback_type}
    if message is not None:
        resource["message"] = message
    return json_response({"interaction": interaction, "resource": resource})


# -- the interaction webhook -----------------------------------------------------------


def handle_of(request: web.Request) -> InteractionHandle:
    world = world_of(request)
    handle = world.interactions.by_token(request.match_info["token"])
    if handle is None or int(request.match_info["app_id"]) != world.application_id:
        world.violate("unknown_webhook", "webhook token matches no interaction", request=request)
        raise ApiError(404, UNKNOWN_WEBHOOK)
    return handle


def _require_ack(request: web.Request, handle: InteractionHandle, what: str) -> None:
    rejection = check_webhook_use(acked=handle.acked, what=what)
    if rejection is not None:
        raise rejected(world_of(request), rejection, request, handle.id)


def _loading_original(world: World, handle: InteractionHandle) -> StoredMessage | None:
    if handle.ack_type != DEFERRED_CHANNEL_MESSAGE or handle.original_message_id is None:
        return None
    stored = world.store.get(handle.original_message_id)
    return stored if stored is not None and int(stored.payload["flags"]) & LOADING_FLAG else None


async def execute_webhook(request: web.Request) -> web.Response:
    """A follow-up. After a type 5 defer, Discord turns the first follow-up into an edit of the
    loading message (same id, ephemeral as the defer was)."""
    world = world_of(request)
    handle = handle_of(request)
    parsed = body_of(request)
    _require_ack(request, handle, "followup")
    validate_message(
        request,
        parsed.object,
        parsed.files,
        creating=True,
        what="follow-up",
        interaction_id=handle.id,
    )
    origin = interaction_origin(world, handle, "followup")
    loading = _loading_original(world, handle)
    if loading is not None:
        stored = world.store.edit(loading, origin, {**parsed.object, "flags": 0}, parsed.files)
        world.publish("MESSAGE_UPDATE", stored)
    else:
        stored = world.store.create(origin, parsed.object, parsed.files)
        world.publish("MESSAGE_CREATE", stored)
    handle.followup_ids.append(stored.id)
    handle.record_message(stored.payload, world.now())
    return json_response(stored.payload) if _truthy(request.query.get("wait")) else no_content()


def _target(request: web.Request, handle: InteractionHandle) -> StoredMessage:
    world = world_of(request)
    raw = request.match_info["message_id"]
    if raw == "@original":
        verb = {"GET": "get", "PATCH": "edit", "DELETE": "delete"}[request.method]
        _require_ack(request, handle, f"{verb}_original")
        target_id = handle.original_message_id
    else:
        target_id = int(raw) if handle.owns_message(int(raw)) else None
    stored = world.store.get(target_id) if target_id is not None else None
    if stored is None:
        raise ApiError(404, UNKNOWN_MESSAGE)
    return stored


async def webhook_message(request: web.Request) -> web.Response:
    world = world_of(request)
    handle = handle_of(request)
    stored = _target(request, handle)
    if request.method == "GET":
        return json_response(stored.payload)
    if request.method == "DELETE":
        world.store.delete(stored)
        world.publish_delete(stored)
        return no_content()
    parsed = body_of(request)
    what = "webhook message edit"
    validate_message(
        request, parsed.object, parsed.files, creating=False, what=what, interaction_id=handle.id
    )
    world.store.edit(
        stored, interaction_origin(world, handle, "followup"), parsed.object, parsed.files
    )
    handle.record_message(stored.payload, world.now())
    world.publish("MESSAGE_UPDATE", stored)
    return json_response(stored.payload)


def add_interaction_routes(app: web.Application) -> None:
    app.router.add_post(
        API_PREFIX + "/interactions/{interaction_id:\\d+}/{token}/callback", interaction_callback
    )
    webhook = API_PREFIX + "/webhooks/{app_id:\\d+}/{token}"
    app.router.add_post(webhook, execute_webhook)
    for method in ("GET", "PATCH", "DELETE"):
        app.router.add_route(method, webhook + "/messages/{message_id}", webhook_message)
