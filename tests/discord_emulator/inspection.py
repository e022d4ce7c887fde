"""Read-side of the emulator: stored messages, recorded requests, violations, latencies,
plus fault injection. Mixed into :class:`~.emulator.Emulator`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from .faults import FaultRule
from .interactions import InteractionHandle
from .payloads import JSON, EmuChannel, EmuUser
from .recorder import RecordedRequest, Violation, percentiles
from .store import MessageEvent, StoredMessage
from .world import World

log = logging.getLogger(__name__)


class EmulatorInspection:
    world: World

    @property
    def bot_user(self) -> EmuUser:
        return self.world.bot

    @property
    def channel(self) -> EmuChannel:
        """The first text channel of the first guild: the default for user actions."""
        return self.world.guilds[0].text_channel

    # -- messages ---------------------------------------------------------------------------------

    def messages(self, channel_id: int | None = None) -> list[JSON]:
        """Messages (not deleted) in a channel, oldest first."""
        return [m.payload for m in self.world.store.in_channel(channel_id or self.channel.id)]

    def message(self, message_id: int) -> JSON | None:
        stored = self.world.store.get(message_id)
        return None if stored is None else stored.payload

    def stored_message(self, message_id: int) -> StoredMessage | None:
        """The message with its bookkeeping: allowed_mentions, ephemeral, source, edits."""
        return self.world.store.get(message_id)

    def allowed_mentions(self, message_id: int) -> JSON | None:
        stored = self.world.store.get(message_id)
        return None if stored is None else stored.allowed_mentions

    async def wait_for_message(
        self,
        *,
        channel_id: int | None = None,
        after: JSON | int | None = None,
        predicate: Callable[[JSON], bool] | None = None,
        from_bot: bool = True,
        kind: str = "create",
        timeout: float = 5.0,
    ) -> JSON:
        """Wait for a message event (create/update/delete), by default one the bot created."""
        after_id = (
            (after if isinstance(after, int) else int(after["id"])) if after is not None else 0
        )
        bot_id = str(self.bot_user.id)

        def matches(event: MessageEvent) -> bool:
            message = event.message
            return (
                event.kind == kind
                and int(message["id"]) > after_id
                and (channel_id is None or event.channel_id == channel_id)
                and (not from_bot or message["author"]["id"] == bot_id)
                and (predicate is None or predicate(message))
            )

        return (await self.world.store.events.wait_for(matches, timeout=timeout)).message

    # -- records and assertions -----------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return list(self.world.recorder.requests.items)

    @property
    def unknown_routes(self) -> list[RecordedRequest]:
        return list(self.world.recorder.unknown_routes.items)

    @property
    def violations(self) -> list[Violation]:
        return list(self.world.recorder.violations.items)

    @property
    def interactions(self) -> list[InteractionHandle]:
        return list(self.world.interactions.handles)

    def requests_to(self, method: str | None, pattern: str) -> list[RecordedRequest]:
        """Recorded requests by method and fnmatch route pattern.

        E.g. ``emu.requests_to("POST", "/channels/*/messages")``; method None matches any.
        """
        return [r for r in self.world.recorder.requests.items if r.matches(method, pattern)]

    async def wait_for_request(
        self, method: str | None, pattern: str, *, timeout: float = 5.0
    ) -> RecordedRequest:
        return await self.world.recorder.requests.wait_for(
            lambda r: r.matches(method, pattern), timeout=timeout
        )

    async def wait_for_violation(self, rule: str, *, timeout: float = 5.0) -> Violation:
        return await self.world.recorder.violations.wait_for(
            lambda v: v.rule == rule, timeout=timeout
        )

    def take_violations(self) -> list[Violation]:
        """Return and forget the violations so far (for tests that provoke them on purpose)."""
        taken = list(self.world.recorder.violations.items)
        self.world.recorder.violations.clear()
        return taken

    def assert_no_violations(self) -> None:
        self.world.recorder.assert_no_violations()

    def assert_no_unknown_routes(self) -> None:
        self.world.recorder.assert_no_unknown_routes()

    def assert_clean(self) -> None:
        self.assert_no_violations()
        self.assert_no_unknown_routes()

    def latency_summary(self) -> dict[str, dict[str, float]]:
        """Percentiles (seconds) of ack and first/final answer latency over all interactions."""
        handles = self.world.interactions.handles
        return {
            "ack": percentiles(h.ack_latency for h in handles if h.ack_latency is not None),
            "response": percentiles(
                h.response_latency for h in handles if h.response_latency is not None
            ),
            "final": percentiles(h.final_latency for h in handles if h.final_latency is not None),
        }

    # -- fault injection -------------------------------------------------------------------

    def inject_rate_limit(
        self,
        method: str | None,
        pattern: str,
        *,
        count: int = 1,
        retry_after: float = 0.2,
        is_global: bool = False,
    ) -> FaultRule:
        """Answer the next `count` matching requests with 429 + retry_after.

        discord.py sleeps retry_after (from the JSON body) and retries the same request.
        """
        rule = FaultRule(method, pattern, 429, count, retry_after=retry_after, is_global=is_global)
        return self.world.faults.add(rule)

    def inject_server_error(
        self, method: str | None, pattern: str, *, status: int = 500, count: int = 1
    ) -> FaultRule:
        """Answer the next `count` matching requests with a 5xx. discord.py's HTTPClient retries
        500/502/504/524 after 1 + 2*try seconds and raises on others; its webhook adapter
        (follow-ups, @original) retries any 5xx."""
        return self.world.faults.add(FaultRule(method, pattern, status, count))
