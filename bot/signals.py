"""Ctrl-C and ``SIGTERM``: one clean shutdown for the bot and the console alike."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

__all__ = ["SHUTDOWN_SIGNALS", "on_shutdown_signals"]

log = logging.getLogger(__name__)

SHUTDOWN_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def on_shutdown_signals(shut_down: Callable[[], object]) -> None:
    """Call ``shut_down`` on the running loop at SIGINT or SIGTERM instead of dying there, so
    pending log writes are flushed and the process exits 0 (not 130 or 143)."""
    loop = asyncio.get_running_loop()

    def stop() -> None:
        log.info("Shutting down")
        shut_down()

    for sig in SHUTDOWN_SIGNALS:
        loop.add_signal_handler(sig, stop)
