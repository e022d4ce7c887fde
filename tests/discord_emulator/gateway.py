"""The gateway websocket: HELLO/IDENTIFY/READY, heartbeats, dispatch with sequence numbers,
RESUME with replay of missed events, scripted drops, and sharding (one session per shard,
each guild's events to its shard's session: see :mod:`.sessions`).

Frames are JSON text. When the client asks for ``compress=zlib-stream`` (discord.py 2.7 does
unless a zstd module is importable) and compression is enabled, every frame is instead sent as
a binary zlib chunk ending in Z_SYNC_FLUSH, exactly like Discord. ``zstd-stream`` is not
implemented: such clients get plain text frames, which discord.py also accepts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .payloads import JSON
from .recorder import EventLog
from .sessions import Session, Sessions, valid_shard

log = logging.getLogger(__name__)

HEARTBEAT, IDENTIFY, PRESENCE, RESUME, RECONNECT = 1, 2, 3, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11
RESUMABLE_CLOSE = 4000
INVALID_SHARD = 4010


@dataclass(frozen=True)
class GatewayEvent:
    """Something that happened on the gateway, e.g. kind='IDENTIFY', 'RESUME', 'DROP'."""

    kind: str
    session_id: str | None
    detail: JSON = field(default_factory=dict)


class Connection:
    """One websocket; frames go through a queue so they leave in sequence order."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, compress: bool) -> None:
        self.ws = ws
        self.request = request
        self.compressor = zlib.compressobj() if compress else None
        self.queue: asyncio.Queue[JSON | None] = asyncio.Queue()
        self.session: Session | None = None  # set by IDENTIFY or RESUME
        self.writer = asyncio.create_task(self._write_loop())

    def send(self, frame: JSON) -> None:
        self.queue.put_nowait(frame)

    async def _write_loop(self) -> None:
        while (frame := await self.queue.get()) is not None:
            text = json.dumps(frame, separators=(",", ":"))
            try:
                if self.compressor is None:
                    await self.ws.send_str(text)
                else:
                    chunk = self.compressor.compress(text.encode()) + self.compressor.flush(
                        zlib.Z_SYNC_FLUSH
                    )
                    await self.ws.send_bytes(chunk)
            except (ConnectionError, RuntimeError):
                log.debug("gateway write failed; connection is gone")
                return

    async def close(self, code: int, *, abort: bool = False) -> None:
        self.writer.cancel()
        if abort and self.request.transport is not None:
            self.request.transport.abort()
            return
        with contextlib.suppress(ConnectionError, RuntimeError, TimeoutError):
            await asyncio.wait_for(self.ws.close(code=code, message=b"emulator"), 2.0)


ReadyBuilder = Callable[[Session], list[tuple[str, JSON]]]


class Gateway:
    def __init__(
        self,
        *,
        token_ok: Callable[[str], bool],
        ready_events: ReadyBuilder,
        member_chunk: Callable[[int], JSON],
        heartbeat_interval_ms: int,
        compress: bool,
    ) -> None:
        self._token_ok = token_ok
        self._ready_events = ready_events
        self._member_chunk = member_chunk
        self._heartbeat_ms = heartbeat_interval_ms
        self._compress = compress
        self.sessions = Sessions()
        self.events: EventLog[GatewayEvent] = EventLog("gateway events")
        self.pending_drops = 0
        self.drop_code = RESUMABLE_CLOSE
        self.drop_abort = False
        self.heartbeats = 0

    def count(self, kind: str) -> int:
        return sum(1 for event in self.events.items if event.kind == kind)

    @property
    def connected(self) -> bool:
        return any(session.connection is not None for session in self.sessions)

    def dispatch(self, event: str, data: JSON, *, guild_id: int | None = None) -> int:
        """Send to the sessions holding ``guild_id``'s shard (None: shard 0, as for DMs).

        Returns the last sequence number used. Raises RuntimeError when no session holds it.
        """
        targets = self.sessions.for_guild(guild_id)
        if not targets:
            where = "" if not self.sessions else f" for guild {guild_id}'s shard"
            raise RuntimeError(f"cannot dispatch {event}: no bot has identified{where}")
        return [session.dispatch(event, data) for session in targets][-1]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, timeout=2.0)
        if not ws.can_prepare(request).ok:
            return web.json_response(
                {"message": "websocket upgrade required", "code": 0}, status=400
            )
        await ws.prepare(request)
        version, encoding = request.query.get("v", "10"), request.query.get("encoding", "json")
        compress = self._compress and request.query.get("compress") == "zlib-stream"
        connection = Connection(ws, request, compress)
        self.events.append(GatewayEvent("CONNECT", None, {"query": dict(request.query)}))
        if version != "10" or encoding != "json":
            await connection.close(4012 if version != "10" else 4002)
            return ws
        connection.send(
            {"op": HELLO, "d": {"heartbeat_interval": self._heartbeat_ms}, "s": None, "t": None}
        )
        try:
            await self._read_loop(connection)
        finally:
            await self._detach(connection)
        return ws

    async def _read_loop(self, connection: Connection) -> None:
        async for message in connection.ws:
            if message.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(message.data)
            if not await self._on_frame(connection, frame):
                return

    async def _detach(self, connection: Connection) -> None:
        session = connection.session
        if session is not None and session.connection is connection:
            session.connection = None
            self.events.append(GatewayEvent("DISCONNECT", session.id))
        connection.writer.cancel()

    async def _on_frame(self, connection: Connection, frame: JSON) -> bool:
        op, data = frame.get("op"), frame.get("d") or {}
        if op == HEARTBEAT:
            self.heartbeats += 1
            connection.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            return await self._identify(connection, data)
        elif op == RESUME:
            return await self._resume(connection, data)
        elif op == REQUEST_MEMBERS:
            self._request_members(connection.session, data)
        elif op == PRESENCE:
            session_id = connection.session.id if connection.session else None
            self.events.append(GatewayEvent("PRESENCE", session_id, data))
        else:
            log.warning("unknown gateway opcode %s", op)
            await connection.close(4001)
            return False
        return True

    def _request_members(self, session: Session | None, data: JSON) -> None:
        if session is None:
            return
        chunk = self._member_chunk(int(data["guild_id"]))
        session.dispatch("GUILD_MEMBERS_CHUNK", {**chunk, "nonce": data.get("nonce")})

    async def _maybe_drop(self, connection: Connection, session_id: str | None) -> bool:
        if self.pending_drops <= 0:
            return False
        self.pending_drops -= 1
        self.events.append(GatewayEvent("DROP", session_id, {"code": self.drop_code}))
        await connection.close(self.drop_code, abort=self.drop_abort)
        return True

    async def _identify(self, connection: Connection, data: JSON) -> bool:
        if not self._token_ok(str(data.get("token", ""))):
            await connection.close(4004)
            return False
        shard = data.get("shard") or [0, 1]
        if not valid_shard(shard):
            await connection.close(INVALID_SHARD)
            return False
        session = Session(int(data.get("intents", 0)), list(shard))
        self.events.append(GatewayEvent("IDENTIFY", session.id, data))
        if await self._maybe_drop(connection, session.id):
            return False
        old = self.sessions.replace(session)
        if old is not None and old.connection is not None:
            await old.connection.close(4005)
        session.connection, connection.session = connection, session
        for event, payload in self._ready_events(session):
            session.dispatch(event, payload)
        self.events.append(GatewayEvent("READY", session.id, {"shard": session.shard}))
        return True

    async def _resume(self, connection: Connection, data: JSON) -> bool:
        session_id = data.get("session_id")
        session = self.sessions.by_id(session_id)
        self.events.append(GatewayEvent("RESUME", session_id, {"seq": data.get("seq")}))
        if session is None or not self._token_ok(str(data.get("token", ""))):
            connection.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            self.events.append(GatewayEvent("INVALID_SESSION", session_id))
            return True
        if await self._maybe_drop(connection, session.id):
            return False
        if session.connection is not None:
            await session.connection.close(4000)
        replay = session.replay_after(int(data.get("seq") or 0))
        session.connection, connection.session = connection, session
        for frame in replay:
            connection.send(frame)
        session.dispatch("RESUMED", {"_trace": ["discord-emulator"]}, buffered=False)
        self.events.append(GatewayEvent("RESUMED", session.id, {"replayed": len(replay)}))
        return True

    async def drop(
        self,
        *,
        times: int = 1,
        code: int = RESUMABLE_CLOSE,
        abort: bool = False,
        shard: int | None = None,
    ) -> None:
        """Close the live connection now (the latest session's, or shard ``shard``'s), then
        close the next `times - 1` reconnects right after they IDENTIFY/RESUME. Events
        dispatched meanwhile are buffered for RESUME."""
        self.pending_drops = times
        self.drop_code, self.drop_abort = code, abort
        session = self.sessions.pick(shard)
        if session is None or session.connection is None:
            return
        connection, session.connection = session.connection, None
        await self._maybe_drop(connection, session.id)

    def send_op(self, op: int, data: Any, *, shard: int | None = None) -> None:
        """Send opcode ``op`` to the latest session's connection (or shard ``shard``'s)."""
        session = self.sessions.pick(shard)
        if session is None or session.connection is None:
            raise RuntimeError("no live gateway connection")
        session.connection.send({"op": op, "d": data, "s": None, "t": None})

    async def close(self) -> None:
        for session in self.sessions:
            if session.connection is not None:
                connection, session.connection = session.connection, None
                await connection.close(1001)
