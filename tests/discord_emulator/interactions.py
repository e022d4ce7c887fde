"""Interaction state: a test-facing handle per dispatched interaction, and the registry."""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable
from typing import Any

from .payloads import JSON, EmuUser
from .recorder import EventLog

log = logging.getLogger(__name__)

APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4

# Callback types.
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
EPHEMERAL_FLAG = 1 << 6


class InteractionHandle:
    """One INTERACTION_CREATE the emulator dispatched, and what the bot did about it.

    Times are `loop.time()` seconds. `ack_latency` is dispatch -> accepted callback;
    `response_latency` is dispatch -> first message the user sees with content (a type 4/7
    callback, the first follow-up or an edit of @original); `final_latency` is dispatch ->
    the latest such message.
    """

    def __init__(
        self,
        *,
        interaction_id: int,
        token: str,
        interaction_type: int,
        name: str,
        payload: JSON,
        user: EmuUser,
        channel_id: int,
        guild_id: int | None,
        dispatched_at: float,
        component_message_id: int | None = None,
    ) -> None:
        self.id = interaction_id
        self.token = token
        self.type = interaction_type
        self.name = name
        self.payload = payload
        self.user = user
        self.channel_id = channel_id
        self.guild_id = guild_id
        self.dispatched_at = dispatched_at
        self.component_message_id = component_message_id
        self.acked_at: float | None = None
        self.ack_type: int | None = None
        self.ephemeral = False
        self.expired = False
        self.callback_attempts = 0
        self.original_message_id: int | None = None
        self.followup_ids: list[int] = []
        self.choices: list[JSON] | None = None
        self.messages: EventLog[JSON] = EventLog(f"responses to interaction {name!r}")
        self.message_times: list[float] = []
        self._acked = asyncio.Event()

    def __repr__(self) -> str:
        return f"<InteractionHandle {self.name!r} id={self.id} ack_type={self.ack_type}>"

    @property
    def acked(self) -> bool:
        return self.ack_type is not None

    @property
    def deferred(self) -> bool:
        return self.ack_type in (DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE)

    @property
    def ack_latency(self) -> float | None:
        return None if self.acked_at is None else self.acked_at - self.dispatched_at

    @property
    def response_latency(self) -> float | None:
        return self.message_times[0] - self.dispatched_at if self.message_times else None

    @property
    def final_latency(self) -> float | None:
        return self.message_times[-1] - self.dispatched_at if self.message_times else None

    @property
    def response(self) -> JSON | None:
        """The latest message payload the user sees as the answer, if any."""
        return self.messages.items[-1] if self.messages.items else None

    def record_ack(self, callback_type: int, ephemeral: bool, now: float) -> None:
        self.ack_type = callback_type
        self.ephemeral = ephemeral
        self.acked_at = now
        self._acked.set()

    def record_message(self, payload: JSON, now: float) -> None:
        self.message_times.append(now)
        self.messages.append(copy.deepcopy(payload))  # as it was then: later edits change the store

    def owns_message(self, message_id: int) -> bool:
        return message_id == self.original_message_id or message_id in self.followup_ids

    async def wait_ack(self, timeout: float = 5.0) -> int:
        """Wait for an accepted callback; returns its type (4, 5, 6, 7 or 8)."""
        try:
            await asyncio.wait_for(self._acked.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"interaction {self.name!r} not acknowledged within {timeout}s"
            ) from None
        assert self.ack_type is not None
        return self.ack_type

    async def wait_response(
        self, timeout: float = 5.0, predicate: Callable[[JSON], bool] | None = None
    ) -> JSON:
        """The first (matching) message payload sent as the answer: type 4/7 callback,
        follow-up, or edit of @original."""
        return await self.messages.wait_for(predicate, timeout=timeout)

    async def wait_choices(self, timeout: float = 5.0) -> list[JSON]:
        await self.wait_ack(timeout)
        return list(self.choices or [])


class InteractionRegistry:
    def __init__(self) -> None:
        self.handles: list[InteractionHandle] = []
        self._by_id: dict[int, InteractionHandle] = {}
        self._by_token: dict[str, InteractionHandle] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}

    def add(
        self,
        handle: InteractionHandle,
        deadline: float,
        on_expire: Callable[[InteractionHandle], Any],
    ) -> None:
        self.handles.append(handle)
        self._by_id[handle.id] = handle
        self._by_token[handle.token] = handle
        loop = asyncio.get_running_loop()
        self._timers[handle.id] = loop.call_later(deadline, self._expire, handle, on_expire)

    def _expire(
        self, handle: InteractionHandle, on_expire: Callable[[InteractionHandle], Any]
    ) -> None:
        self._timers.pop(handle.id, None)
        if not handle.acked:
            handle.expired = True
            on_expire(handle)

    def acknowledged(self, handle: InteractionHandle) -> None:
        timer = self._timers.pop(handle.id, None)
        if timer is not None:
            timer.cancel()

    def by_id(self, interaction_id: int) -> InteractionHandle | None:
        return self._by_id.get(interaction_id)

    def by_token(self, token: str) -> InteractionHandle | None:
        return self._by_token.get(token)

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
