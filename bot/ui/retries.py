"""One retry for Discord's server errors on a send, then give up so the caller can say so.

discord.py answers a 5xx by retrying the same request up to five times over some 25
seconds. A deferred answer shows "thinking…" all that while, and in an outage every
question holds its handler as long. :func:`one_retry` lets discord.py make its first retry
(after a second) and ends the send at the second server error with :class:`ServerErrorsError`.

The count comes from an aiohttp trace on the bot's HTTP session (:func:`http_trace`, passed
to the client): it sees each response, and a context variable ties it to the send whose
task made the request. Rate limits (429) are not server errors: they are waited out.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import Coroutine
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, TypeVar

import aiohttp

__all__ = ["RETRIES", "ServerErrorsError", "http_trace", "one_retry"]


RETRIES = 1
T = TypeVar("T")


class ServerErrorsError(Exception):
    """Discord answered a send with a server error, and its retry too."""

    def __init__(self, statuses: list[int]) -> None:
        super().__init__(f"Discord answered HTTP {' then '.join(map(str, statuses))}")
        self.statuses = statuses


@dataclass
class _Budget:
    statuses: list[int] = field(default_factory=list)
    spent: asyncio.Event = field(default_factory=asyncio.Event)


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("budget", default=None)


def http_trace() -> aiohttp.TraceConfig:
    """The trace to give the client (``http_trace=``) so :func:`one_retry` can count."""
    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(_count)
    return trace


async def _count(
    session: aiohttp.ClientSession, context: SimpleNamespace, end: aiohttp.TraceRequestEndParams
) -> None:
    budget = _budget.get()
    if budget is not None and end.response.status >= 500:
        budget.statuses.append(end.response.status)
        if len(budget.statuses) > RETRIES:
            budget.spent.set()


async def one_retry(send: Coroutine[Any, Any, T]) -> T:
    """Await ``send``, allowing it one retry after a server error; raise on the second."""
    budget = _Budget()
    context = contextvars.copy_context()
    context.run(_budget.set, budget)
    task = asyncio.create_task(send, context=context)
    spent = asyncio.ensure_future(budget.spent.wait())
    try:
        await asyncio.wait({task, spent}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        spent.cancel()
        if not task.done():  # the budget ran out (or we were cancelled): stop retrying
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if task.cancelled():
        raise ServerErrorsError(budget.statuses)
    return task.result()
