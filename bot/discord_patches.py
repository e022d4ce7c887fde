"""Where docqa changes discord.py from outside, because discord.py 2.x offers no public way.

- :func:`use_endpoints`: the REST base and the gateway URL (a local Discord API for tests,
  a proxy in production). discord.py (2.7) keeps both as class attributes, and none of the
  client's options reaches them: ``proxy`` and ``connector`` route the same ``https://`` URLs,
  ``http._set_api_version`` is private and fixes the host. So they are assigned here.
- :func:`drop_unreadable`: the parsers of the gateway events users cause are wrapped, so an
  unreadable event costs that event, not the connection, and a member's permissions count
  only when Discord sent an integer (:func:`integer_permissions`).

Everything else the bot asks of discord.py goes through its public API (the one retry of a
send, :mod:`bot.ui.retries`, uses the client's documented ``http_trace`` option).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.settings import Settings

__all__ = ["drop_unreadable", "integer_permissions", "use_endpoints"]

log = logging.getLogger(__name__)

USER_EVENTS = ("INTERACTION_CREATE", "MESSAGE_CREATE")  # gateway events users cause
_INTEGER = re.compile(r"-?[0-9]+")  # Discord sends a permission set as a string of digits


def use_endpoints(settings: Settings) -> None:
    """Point discord.py at the configured REST base and gateway (Discord's own by default).

    discord.py keeps both as class attributes: ``Route.BASE`` serves every REST call,
    including interaction callbacks and webhooks, and a non-sharded client connects
    straight to ``DEFAULT_GATEWAY`` without asking ``/gateway/bot``; so does a sharded one
    told its shard count (``DOCQA_SHARD_COUNT=auto`` asks ``/gateway/bot`` for count and URL).
    """
    Route.BASE = settings.discord_api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def drop_unreadable(parsers: dict[str, Callable[[Any], None]]) -> None:
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


def integer_permissions(parse: Callable[[Any], None]) -> Callable[[Any], None]:
    """Wrap the INTERACTION_CREATE parser so a member's permissions count only as an integer.

    discord.py reads them with ``int()``, which truncates a float (``32.9`` becomes 32,
    Manage Server) and accepts ``True``, ``"3_2"`` or other scripts' digits. Any value that
    is not an integer or a string of ASCII digits becomes ``"0"``: no permissions.
    """

    def parse_strictly(data: Any) -> None:
        member = data.get("member") if isinstance(data, dict) else None
        if isinstance(member, dict) and "permissions" in member:
            value = member["permissions"]
            exact = type(value) is int or (isinstance(value, str) and _INTEGER.fullmatch(value))
            if not exact:
                member["permissions"] = "0"
        parse(data)

    return parse_strictly
