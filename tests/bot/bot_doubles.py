"""Doubles of discord.py's Interaction that record every response call, in order."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import discord

from bot.app import DocqaBot
from bot.ui.buttons import BUTTONS
from retrieval import SearchEngine, SearchResult

# make_bot(storage, **setting_overrides) -> a set-up bot (see conftest.py)
BotFactory = Callable[..., Coroutine[Any, Any, DocqaBot]]


@dataclass
class Calls:
    """Everything the code under test did, in order: (name, keyword arguments)."""

    log: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, name: str, **kwargs: Any) -> None:
        self.log.append((name, kwargs))

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.log]

    def last(self, name: str) -> dict[str, Any]:
        return next(kwargs for called, kwargs in reversed(self.log) if called == name)


class FakeResponse:
    """``interaction.response``: at most one of its methods may be called."""

    def __init__(self, calls: Calls) -> None:
        self.calls = calls
        self._done = False

    def is_done(self) -> bool:
        return self._done

    def _respond(self, name: str, **kwargs: Any) -> None:
        if self._done:
            raise discord.InteractionResponded(SimpleNamespace())  # type: ignore[arg-type]
        self._done = True
        self.calls.add(name, **kwargs)

    async def defer(self, *, ephemeral: bool = False, thinking: bool = False) -> None:
        self._respond("defer", ephemeral=ephemeral, thinking=thinking)

    async def send_message(self, **kwargs: Any) -> None:
        self._respond("send_message", **kwargs)

    async def edit_message(self, **kwargs: Any) -> None:
        self._respond("edit_message", **kwargs)


class FakeFollowup:
    def __init__(self, calls: Calls, response: FakeResponse) -> None:
        self.calls = calls
        self.response = response

    async def send(self, **kwargs: Any) -> None:
        assert self.response.is_done(), "a follow-up needs an acknowledged interaction"
        self.calls.add("followup.send", **kwargs)


class FakeInteraction:
    """The parts of ``discord.Interaction`` the bot uses, recording calls into ``calls``."""

    def __init__(
        self,
        client: DocqaBot,
        *,
        interaction_id: int = 1_100_000_000_000_000_001,
        user_id: int = 42,
        guild_id: int | None = 7,
        channel_id: int | None = 8,
        calls: Calls | None = None,
        custom_id: str | None = None,
    ) -> None:
        self.client = client
        self.id = interaction_id
        self.user = SimpleNamespace(id=user_id, bot=False)
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.channel = SimpleNamespace(id=channel_id, parent_id=None)
        self.command = None
        self.created_at = discord.utils.utcnow()
        self.data = {"custom_id": custom_id} if custom_id else {}
        self.extras: dict[str, Any] = {}  # as discord.Interaction.extras
        self.calls = calls or Calls()
        self.response = FakeResponse(self.calls)
        self.followup = FakeFollowup(self.calls, self.response)

    async def edit_original_response(self, **kwargs: Any) -> None:
        assert self.response.is_done(), "@original exists only once acknowledged"
        self.calls.add("edit_original_response", **kwargs)


async def click(client: DocqaBot, custom_id: str, *, user_id: int = 42) -> FakeInteraction:
    """Dispatch a button click the way discord.py does for dynamic items: by template."""
    interaction = FakeInteraction(client, user_id=user_id, custom_id=custom_id)
    for button in BUTTONS:
        match = button.__discord_ui_compiled_template__.fullmatch(custom_id)
        if match:
            item = await button.from_custom_id(interaction, None, match)  # type: ignore[arg-type]
            await item.callback(interaction)  # type: ignore[arg-type]
            return interaction
    raise AssertionError(f"no button handles {custom_id!r}")


def assert_pings_nobody(allowed: discord.AllowedMentions) -> None:
    assert allowed.to_dict() == {"parse": []}  # no everyone, users, roles or replied user


def custom_ids(view: discord.ui.View) -> list[str]:
    return [str(item.custom_id) for item in view.children]  # type: ignore[attr-defined]


def find_id(view: discord.ui.View, pattern: str) -> str:
    return next(cid for cid in custom_ids(view) if re.fullmatch(pattern, cid))


class RecordingEngine:
    """The real engine, with each search appended to ``calls`` (to check ordering)."""

    def __init__(self, engine: SearchEngine, calls: Calls) -> None:
        self._engine = engine
        self._calls = calls

    def search(self, question: str, k: int = 5) -> SearchResult:
        self._calls.add("engine.search", question=question, k=k)
        return self._engine.search(question, k)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)
