"""What the emulator saw: every HTTP request, unknown routes and rule violations."""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class EventLog(Generic[T]):
    """An append-only list that coroutines can wait on for a matching item."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[T] = []
        self._waiters: list[tuple[Callable[[T], bool], asyncio.Future[T]]] = []

    def append(self, item: T) -> None:
        self.items.append(item)
        for predicate, future in list(self._waiters):
            if not future.done() and predicate(item):
                future.set_result(item)

    def clear(self) -> None:
        self.items.clear()

    async def wait_for(
        self, predicate: Callable[[T], bool] | None = None, *, timeout: float = 5.0, start: int = 0
    ) -> T:
        """Return the first item (at index >= start) matching predicate, waiting if needed."""
        check = predicate or (lambda _item: True)
        for item in self.items[start:]:
            if check(item):
                return item
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        entry = (check, future)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"nothing matching arrived in {self.name} within {timeout}s"
            ) from None
        finally:
            self._waiters.remove(entry)


@dataclass(frozen=True)
class RecordedFile:
    field: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # full path, e.g. /api/v10/channels/1/messages
    route: str  # path relative to the API base, e.g. /channels/1/messages
    query: dict[str, str]
    json: Any  # JSON body, or the parsed payload_json of a multipart body
    files: tuple[RecordedFile, ...]
    status: int
    received_at: float  # loop.time() when the request arrived
    fault: str | None = None  # "429" / "500" when the answer was injected

    def matches(self, method: str | None, pattern: str) -> bool:
        return route_matches(self.method, self.route, method, pattern)


@dataclass(frozen=True)
class Violation:
    rule: str  # e.g. ack_timeout, double_ack, invalid_form_body, followup_before_ack
    detail: str
    at: float
    interaction_id: int | None = None
    method: str | None = None
    path: str | None = None

    def __str__(self) -> str:
        where = f" [{self.method} {self.path}]" if self.method else ""
        return f"{self.rule}: {self.detail}{where}"


def route_matches(method: str, route: str, want_method: str | None, pattern: str) -> bool:
    """fnmatch-style route pattern ('/channels/*/messages'); method None or '*' matches any."""
    if want_method not in (None, "*") and want_method.upper() != method:
        return False
    return fnmatch.fnmatchcase(route, pattern)


class Recorder:
    def __init__(self) -> None:
        self.requests: EventLog[RecordedRequest] = EventLog("requests")
        self.unknown_routes: EventLog[RecordedRequest] = EventLog("unknown routes")
        self.violations: EventLog[Violation] = EventLog("violations")

    def record_request(self, request: RecordedRequest, *, unknown: bool) -> None:
        self.requests.append(request)
        if unknown:
            log.warning("unknown route hit: %s %s", request.method, request.path)
            self.unknown_routes.append(request)

    def violate(self, violation: Violation) -> None:
        log.warning("discord rule violated: %s", violation)
        self.violations.append(violation)

    def assert_no_violations(self) -> None:
        if self.violations.items:
            lines = "\n  ".join(str(v) for v in self.violations.items)
            raise AssertionError(
                f"{len(self.violations.items)} Discord rule violation(s):\n  {lines}"
            )

    def assert_no_unknown_routes(self) -> None:
        if self.unknown_routes.items:
            lines = "\n  ".join(f"{r.method} {r.path}" for r in self.unknown_routes.items)
            raise AssertionError(f"the bot hit unknown Discord routes:\n  {lines}")


def percentiles(
    values: Iterable[float], points: Iterable[float] = (50, 90, 95, 99)
) -> dict[str, float]:
    """Nearest-rank percentiles, e.g. {'p50': ..., 'p95': ..., 'max': ..., 'n': ...}."""
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}
    out: dict[str, float] = {"n": len(ordered), "max": ordered[-1]}
    for point in points:
        rank = max(1, math.ceil(point / 100 * len(ordered)))
        out[f"p{point:g}"] = ordered[rank - 1]
    return out
