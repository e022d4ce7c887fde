"""Interaction doubles for the moderator commands, and a way to run a command like Discord does.

Commands run through :func:`invoke`, which does what discord.py's command tree does with an
interaction: run the checks (the group's and the cog's), then the callback, and hand any
error to the bot's one error translator.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

# The bot's own interaction doubles live in tests/bot/bot_doubles.py; that folder cannot be a
# package (it would shadow the real ``bot``): tests/bot/conftest.py, loaded first, puts it on
# sys.path.
import bot_doubles
import discord
from discord import app_commands

from bot.ui.refusals import report

GUILD = 1000
OTHER_GUILD = 2000
CHANNEL = 10
MODERATOR = 7
MEMBER = 8
SENDS = ("send_message", "followup.send")

Command = app_commands.Command[Any, ..., Any]


@dataclass
class Sent:
    """One message the bot sent in answer to an interaction."""

    content: str | None
    embeds: list[discord.Embed]
    file: discord.File | None
    ephemeral: bool
    allowed_mentions: discord.AllowedMentions | None

    @classmethod
    def of(cls, kwargs: dict[str, Any]) -> Sent:
        embeds = list(kwargs.get("embeds") or ([kwargs["embed"]] if kwargs.get("embed") else []))
        return cls(
            kwargs.get("content"), embeds, kwargs.get("file"),
            bool(kwargs.get("ephemeral", False)), kwargs.get("allowed_mentions"),
        )  # fmt: skip

    @property
    def file_bytes(self) -> bytes:
        assert self.file is not None
        self.file.fp.seek(0)
        return self.file.fp.read()


class ModResponse(bot_doubles.FakeResponse):
    """The bot tests' response double, plus autocomplete."""

    async def autocomplete(self, choices: list[app_commands.Choice[Any]]) -> None:
        self._respond("autocomplete", choices=choices)


class FakeInteraction(bot_doubles.FakeInteraction):
    """The bot tests' interaction double, plus what moderation reads: the member's resolved
    permissions, the guild's upload limit, the channel and a mention for the user."""

    def __init__(
        self,
        client: Any = None,
        *,
        user_id: int = MODERATOR,
        guild_id: int | None = GUILD,
        channel_id: int | None = CHANNEL,
        manage_guild: bool = True,
        filesize_limit: int = 10 * 2**20,
    ) -> None:
        super().__init__(client, user_id=user_id, guild_id=guild_id, channel_id=channel_id)
        self.response = ModResponse(self.calls)
        self.extras: dict[str, Any] = {}  # as discord.Interaction.extras
        self.followup = bot_doubles.FakeFollowup(self.calls, self.response)
        self.user = SimpleNamespace(id=user_id, bot=False, mention=f"<@{user_id}>")
        self.permissions = discord.Permissions(manage_guild=manage_guild)
        self.channel = SimpleNamespace(id=channel_id)
        self.guild = None if guild_id is None else SimpleNamespace(
            id=guild_id, filesize_limit=filesize_limit
        )  # fmt: skip

    @property
    def sent(self) -> list[Sent]:
        return [Sent.of(kw) for name, kw in self.calls.log if name in SENDS]

    @property
    def only(self) -> Sent:
        """The one message sent (asserting there was exactly one)."""
        assert len(self.sent) == 1, self.calls.names
        return self.sent[0]

    @property
    def deferred(self) -> bool | None:
        """The defer's ephemeral flag, or None if the interaction was not deferred."""
        return self.calls.last("defer")["ephemeral"] if "defer" in self.calls.names else None

    @property
    def choices(self) -> list[app_commands.Choice[Any]] | None:
        names = self.calls.names
        return self.calls.last("autocomplete")["choices"] if "autocomplete" in names else None


@dataclass
class FakeAttachment:
    filename: str
    data: bytes
    reads: int = 0

    @property
    def size(self) -> int:
        return len(self.data)

    async def read(self) -> bytes:
        self.reads += 1
        return self.data


async def invoke(command: Command, interaction: Any, **params: Any) -> None:
    """Run ``command`` the way the command tree does: checks, callback, error translator."""
    interaction.command = command
    try:
        if not await command._check_can_run(interaction):
            raise app_commands.CheckFailure(f"the checks for {command.name!r} failed")
        await command._do_call(interaction, params)
    except app_commands.AppCommandError as error:
        await report(interaction, error)


def find(group: app_commands.Group, path: str) -> Command:
    """The subcommand at ``path`` under ``group``, e.g. ``"docs add"``."""
    node: Any = group
    for name in path.split():
        node = node.get_command(name)
        assert node is not None, f"no /{group.name} {path}"
    assert isinstance(node, app_commands.Command)
    return node
