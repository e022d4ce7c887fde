"""Fault injection for REST routes: scripted 429s and 5xx answers."""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass

from aiohttp import web

from .recorder import route_matches

log = logging.getLogger(__name__)


@dataclass
class FaultRule:
    """Answer the next `remaining` requests matching method + route pattern with a fault."""

    method: str | None
    pattern: str
    status: int
    remaining: int
    retry_after: float = 0.0
    is_global: bool = False
    fired: int = 0

    def matches(self, method: str, route: str) -> bool:
        return self.remaining > 0 and route_matches(method, route, self.method, self.pattern)


class FaultInjector:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def take(self, method: str, route: str) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(method, route):
                rule.remaining -= 1
                rule.fired += 1
                return rule
        return None


def rate_limited_response(rule: FaultRule) -> web.Response:
    """A 429 discord.py obeys: JSON retry_after plus a Via header (without Via it assumes a
    Cloudflare ban and raises instead of retrying)."""
    body = {
        "message": "You are being rate limited.",
        "retry_after": rule.retry_after,
        "global": rule.is_global,
        "code": 0,
    }
    headers = {
        "Content-Type": "application/json",
        "Via": "1.1 google",
        "Retry-After": str(max(1, math.ceil(rule.retry_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + rule.retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{rule.retry_after:.3f}",
        "X-RateLimit-Bucket": "emulated-bucket",
        "X-RateLimit-Scope": "global" if rule.is_global else "user",
    }
    if rule.is_global:
        headers["X-RateLimit-Global"] = "true"
    return web.Response(status=429, body=json.dumps(body).encode(), headers=headers)


def server_error_response(rule: FaultRule) -> web.Response:
    body = {"message": f"{rule.status}: Emulated server error", "code": 0}
    headers = {"Content-Type": "application/json"}
    return web.Response(status=rule.status, body=json.dumps(body).encode(), headers=headers)


def fault_response(rule: FaultRule) -> web.Response:
    if rule.status == 429:
        return rate_limited_response(rule)
    return server_error_response(rule)
