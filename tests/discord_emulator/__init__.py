"""A local stand-in for the parts of Discord (HTTP API v10 + gateway) a discord.py bot uses.

Tests only (import it as ``discord_emulator``: pytest puts tests/ on the path). Everything runs
in-process on 127.0.0.1 with a random free port::

    async with Emulator(ack_deadline=0.5) as emu:
        async with running_client(emu, MyClient(intents=..., guild_ready_timeout=0.05)):
            handle = await emu.send_slash("ask", {"question": "what is BM25?"})
            answer = await handle.wait_response(timeout=5)
        emu.assert_clean()

What a discord.py (2.7.1) client must set to talk to the emulator
-------------------------------------------------------------------
1. ``discord.http.Route.BASE = emu.api_base`` (``http://127.0.0.1:PORT/api/v10``). All REST
   calls use it, including interaction callbacks, follow-ups and @original edits (the webhook
   adapter builds its URLs from the same ``Route`` class).
2. ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)``
   (``ws://127.0.0.1:PORT/gateway``). A plain ``discord.Client`` does *not* call
   ``GET /gateway/bot``: it connects straight to ``DEFAULT_GATEWAY``, so setting only the REST
   base is not enough. (An ``AutoShardedClient`` given no ``shard_count`` calls
   ``/gateway/bot``, which answers with the emulator's URL; given one, it connects straight
   to ``DEFAULT_GATEWAY`` too.) Resumes use READY's ``resume_gateway_url``, which is the emulator's.
   After an INVALID_SESSION discord.py falls back to ``DEFAULT_GATEWAY`` again.
3. Any token: the emulator accepts any non-empty token unless ``Emulator(token=...)`` is given.
4. Optional, for speed: ``guild_ready_timeout=0.05`` in the client's options, else on_ready
   fires 2 s after the last GUILD_CREATE.

:func:`point_discord_py_at` sets and restores 1 and 2; :func:`running_client` also logs in,
connects and waits for on_ready.

Wire details the emulator honours (discord.py depends on them)
---------------------------------------------------------------
* JSON responses carry ``Content-Type: application/json`` exactly; discord.py compares the
  header for equality and treats anything else (e.g. ``; charset=utf-8``) as text.
* A 429 must carry a ``Via`` header, else discord.py assumes a Cloudflare ban and raises
  instead of sleeping ``retry_after`` (taken from the JSON body) and retrying.
* discord.py asks for ``compress=zlib-stream`` (zstd-stream if a zstd module is installed).
  The emulator sends zlib-stream binary frames when asked (``compress_gateway=True``) and
  plain text frames otherwise; discord.py accepts both.
* Callbacks are POSTed with ``?with_response=1``; the answer is
  ``{"interaction": {...,"response_message_id"}, "resource": {"type", "message"}}`` and views
  sent with a type 4 response are bound to ``response_message_id``.
* Message payloads always include ``components`` (discord.py's Message needs the key).
* GUILD_CREATE carries ``member_count == len(members)`` so discord.py never requests chunks
  (op 8 is answered with one GUILD_MEMBERS_CHUNK anyway).
* After a type 5 defer, the first follow-up edits the loading message (same id), as Discord does.
* discord.py sleeps 5 s before every non-initial IDENTIFY (``Client.before_identify_hook``),
  e.g. after ``send_invalid_session()``; override that hook in tests that re-identify.
* discord.py's HTTPClient retries 500/502/504/524 after 1 + 2*try seconds; its webhook
  adapter (follow-ups, @original) retries any 5xx the same way.
* Sharding: IDENTIFY's ``shard: [id, count]`` (default ``[0, 1]``) decides which guilds a
  session gets, in READY, GUILD_CREATE and every later event: those with
  ``(guild_id >> 22) % count == id``; DMs go to shard 0. ``GET /gateway/bot`` answers
  ``shards = Emulator(recommended_shards=...)`` (1 by default). A shard outside ``[0, count)``
  is closed with 4010.
* Intents are honoured: no MESSAGE_CREATE without GUILD_MESSAGES / DIRECT_MESSAGES, and
  content/embeds/attachments/components are blanked without MESSAGE_CONTENT unless the bot
  is mentioned, the message is a DM, or the bot wrote it.
"""

from __future__ import annotations

import logging

from .emulator import Emulator
from .faults import FaultRule
from .gateway import GatewayEvent
from .harness import point_discord_py_at, running_client
from .interactions import InteractionHandle
from .payloads import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_MEMBER_PERMISSIONS,
    MANAGE_GUILD,
    EmuChannel,
    EmuFile,
    EmuGuild,
    EmuMember,
    EmuUser,
    GuildSpec,
)
from .recorder import RecordedFile, RecordedRequest, Violation, percentiles
from .sessions import shard_of, spread_guild_ids
from .store import StoredMessage

log = logging.getLogger(__name__)

__all__ = [
    "ADMINISTRATOR",
    "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_MEMBER_PERMISSIONS",
    "MANAGE_GUILD",
    "EmuChannel",
    "EmuFile",
    "EmuGuild",
    "EmuMember",
    "EmuUser",
    "Emulator",
    "FaultRule",
    "GatewayEvent",
    "GuildSpec",
    "InteractionHandle",
    "RecordedFile",
    "RecordedRequest",
    "StoredMessage",
    "Violation",
    "percentiles",
    "point_discord_py_at",
    "running_client",
    "shard_of",
    "spread_guild_ids",
]
