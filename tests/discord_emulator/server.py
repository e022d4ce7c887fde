"""The aiohttp application: recording/auth/fault middleware, body parsing and the small routes.

Message routes live in :mod:`.rest_messages`, interaction and webhook routes in
:mod:`.rest_interactions`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, hdrs, web

from .faults import fault_response
from .payloads import JSON, bot_user_payload, user_payload
from .recorder import RecordedFile, RecordedRequest
from .rules import Rejection, check_command, error_body, form_rejection
from .world import World

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
WORLD = web.AppKey("world", World)
FAULT = web.RequestKey("fault", str)
UNKNOWN = web.RequestKey("unknown", bool)
NO_AUTH_PREFIXES = ("/webhooks/", "/interactions/")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    def __init__(self, status: int, body: JSON) -> None:
        super().__init__(body.get("message"))
        self.status = status
        self.body = body


@dataclass(frozen=True)
class ParsedBody:
    json: Any
    files: tuple[RecordedFile, ...]

    @property
    def object(self) -> JSON:
        return self.json if isinstance(self.json, dict) else {}


BODY = web.RequestKey("body", ParsedBody)


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON with Content-Type exactly 'application/json': discord.py compares it for equality."""
    body = json.dumps(data).encode()
    return web.Response(status=status, body=body, headers={"Content-Type": "application/json"})


def no_content() -> web.Response:
    return web.Response(status=204)


def world_of(request: web.Request) -> World:
    return request.app[WORLD]


def body_of(request: web.Request) -> ParsedBody:
    return request[BODY]


def rejected(
    world: World, rejection: Rejection, request: web.Request, interaction_id: int | None = None
) -> ApiError:
    world.reject(rejection, interaction_id=interaction_id, request=request)
    return ApiError(rejection.status, rejection.body)


async def parse_body(request: web.Request) -> ParsedBody:
    if not request.can_read_body:
        return ParsedBody(None, ())
    if request.content_type == "multipart/form-data":
        return await _parse_multipart(request)
    raw = await request.read()
    if request.content_type == "application/json":
        try:
            return ParsedBody(json.loads(raw), ())
        except ValueError:
            raise ApiError(
                400, error_body(50109, "The request body contains invalid JSON.")
            ) from None
    return ParsedBody(raw.decode(errors="replace") or None, ())


async def _parse_multipart(request: web.Request) -> ParsedBody:
    payload: Any = None
    files: list[RecordedFile] = []
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        data = bytes(await part.read(decode=False))
        if part.name == "payload_json":
            payload = json.loads(data)
        elif part.filename is not None:
            files.append(
                RecordedFile(
                    part.name or "", part.filename, part.headers.get(hdrs.CONTENT_TYPE), data
                )
            )
    return ParsedBody(payload, tuple(files))


def _needs_auth(route: str) -> bool:
    return route != "/gateway" and not route.startswith(NO_AUTH_PREFIXES)


@web.middleware
async def record_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path == "/gateway":
        return await handler(request)
    world = world_of(request)
    received_at = world.now()
    route = request.path.removeprefix(API_PREFIX)
    fault: str | None = None
    parsed = ParsedBody(None, ())
    try:
        request[BODY] = parsed = await parse_body(request)
        response = await _dispatch(world, request, handler, route)
        fault = request.get(FAULT)
    except ApiError as error:
        response = json_response(error.body, error.status)
    except Exception as error:  # an emulator bug: make the test fail loudly
        log.exception("emulator failed on %s %s", request.method, request.path)
        world.violate("emulator_error", f"{type(error).__name__}: {error}", request=request)
        response = json_response(error_body(0, "500: Internal Server Error"), 500)
    record = RecordedRequest(
        method=request.method,
        path=request.path,
        route=route,
        query=dict(request.query),
        json=parsed.json,
        files=parsed.files,
        status=response.status,
        received_at=received_at,
        fault=fault,
    )
    world.recorder.record_request(record, unknown=request.get(UNKNOWN, False))
    return response


async def _dispatch(
    world: World, request: web.Request, handler: Handler, route: str
) -> web.StreamResponse:
    authorization = request.headers.get(hdrs.AUTHORIZATION, "")
    if (
        request.path.startswith(API_PREFIX)
        and _needs_auth(route)
        and not world.token_ok(authorization)
    ):
        raise ApiError(401, error_body(0, "401: Unauthorized"))
    rule = world.faults.take(request.method, route)
    if rule is not None:
        request[FAULT] = str(rule.status)
        return fault_response(rule)
    return await handler(request)


async def unknown_route(request: web.Request) -> web.Response:
    request[UNKNOWN] = True
    return json_response(error_body(0, "404: Not Found"), 404)


# -- identity and gateway discovery ----------------------------------------------------------


async def get_me(request: web.Request) -> web.Response:
    return json_response(bot_user_payload(world_of(request).bot))


async def get_user(request: web.Request) -> web.Response:
    user = world_of(request).users.get(int(request.match_info["user_id"]))
    if user is None:
        raise ApiError(404, error_body(10013, "Unknown User"))
    return json_response(user_payload(user))


async def get_application(request: web.Request) -> web.Response:
    return json_response(world_of(request).application())


async def get_gateway(request: web.Request) -> web.Response:
    return json_response({"url": world_of(request).gateway_url})


async def get_gateway_bot(request: web.Request) -> web.Response:
    world = world_of(request)
    limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
    shards = world.config.recommended_shards
    return json_response({"url": world.gateway_url, "shards": shards, "session_start_limit": limit})


async def get_attachment(request: web.Request) -> web.Response:
    blob = world_of(request).store.blobs.get(request.path)
    if blob is None:
        return web.Response(status=404)
    return web.Response(
        body=blob.data, content_type=blob.content_type or "application/octet-stream"
    )


# -- application commands ------------------------------------------------------------------------


def _command_scope(request: web.Request) -> int | None:
    world = world_of(request)
    if int(request.match_info["app_id"]) != world.application_id:
        raise ApiError(404, error_body(10002, "Unknown Application"))
    guild_id = request.match_info.get("guild_id")
    if guild_id is not None:
        try:
            world.guild(int(guild_id))
        except KeyError:
            raise ApiError(404, error_body(10004, "Unknown Guild")) from None
    return None if guild_id is None else int(guild_id)


def _validated_commands(request: web.Request, bodies: list[JSON]) -> list[JSON]:
    errors = [e for i, body in enumerate(bodies) for e in check_command(i, body)]
    if errors:
        raise rejected(world_of(request), form_rejection(errors, "application commands"), request)
    return bodies


async def commands_collection(request: web.Request) -> web.Response:
    scope = _command_scope(request)
    registry = world_of(request).commands
    body = body_of(request).json
    if request.method == "GET":
        return json_response(registry.list(scope))
    if request.method == "PUT":
        return json_response(
            registry.overwrite(scope, _validated_commands(request, list(body or [])))
        )
    command = registry.upsert(scope, _validated_commands(request, [body or {}])[0])
    return json_response(command, 201)


async def command_item(request: web.Request) -> web.Response:
    scope = _command_scope(request)
    registry = world_of(request).commands
    command = registry.by_id(scope, int(request.match_info["command_id"]))
    if command is None:
        raise ApiError(404, error_body(10063, "Unknown application command"))
    if request.method == "DELETE":
        registry.delete(scope, int(command["id"]))
        return no_content()
    if request.method == "PATCH":
        merged = {**command, **body_of(request).object}
        return json_response(registry.upsert(scope, _validated_commands(request, [merged])[0]))
    return json_response(command)


def add_core_routes(app: web.Application) -> None:
    api = API_PREFIX
    app.router.add_get(api + "/users/@me", get_me)
    app.router.add_get(api + "/users/{user_id:\\d+}", get_user)
    app.router.add_get(api + "/oauth2/applications/@me", get_application)
    app.router.add_get(api + "/applications/@me", get_application)
    app.router.add_get(api + "/gateway", get_gateway)
    app.router.add_get(api + "/gateway/bot", get_gateway_bot)
    app.router.add_get("/attachments/{tail:.+}", get_attachment)
    for prefix in ("/applications/{app_id}", "/applications/{app_id}/guilds/{guild_id}"):
        for method in ("GET", "PUT", "POST"):
            app.router.add_route(method, api + prefix + "/commands", commands_collection)
        for method in ("GET", "PATCH", "DELETE"):
            app.router.add_route(method, api + prefix + "/commands/{command_id:\\d+}", command_item)


def build_app(world: World) -> web.Application:
    from .rest_interactions import add_interaction_routes
    from .rest_messages import add_message_routes

    app = web.Application(middlewares=[record_middleware], client_max_size=64 * 1024**2)
    app[WORLD] = world
    app.router.add_get("/gateway", world.gateway.handle)
    add_core_routes(app)
    add_message_routes(app)
    add_interaction_routes(app)
    app.router.add_route("*", "/{tail:.*}", unknown_route)
    return app
