"""Asking: ``/ask``, mentions and DMs, each answered with cited passages and result buttons.

Each handler makes one service call (:meth:`~bot.answering.AskService.answer`, which checks
the question, searches and logs it) and then only renders and sends. The server's settings
are looked up once per question: for ``/ask``, the channel check, the cooldown and the
command share the lookup through the interaction's ``extras``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering import Origin
from bot.app import DocqaBot, Interaction
from bot.storage.guild_settings import where_to_ask
from bot.storage.records import GuildConfig, Source
from bot.ui.buttons import BUTTONS, answer_reply
from bot.ui.refusals import report_to_message
from bot.ui.replies import Reply, reply_to, send
from retrieval import MAX_QUESTION_CHARS

__all__ = ["AskCog", "mention_question"]


HINT = "Ask me something after the mention, for example: who founded Nosotek?"
_CONFIG = "docqa.guild_config"  # the key of the settings looked up for an interaction


async def _guild_config(interaction: Interaction) -> GuildConfig:
    """The settings of the interaction's server, looked up on first use and then reused."""
    config = interaction.extras.get(_CONFIG)
    if not isinstance(config, GuildConfig):
        config = await interaction.client.guild_configs.get(interaction.guild_id)
        interaction.extras[_CONFIG] = config
    return config


def _rate(config: GuildConfig, fallback: float) -> app_commands.Cooldown | None:
    """One question per ``per`` seconds per member, as the server chose (None: no cooldown)."""
    per = config.cooldown_or(fallback)
    return app_commands.Cooldown(1, per) if per > 0 else None


async def _ask_cooldown(interaction: Interaction) -> app_commands.Cooldown | None:
    return _rate(await _guild_config(interaction), interaction.client.settings.ask_cooldown)


async def _in_answer_channel(interaction: Interaction) -> bool:
    """Refuse, with a pointer, /ask outside the channels the guild's moderators chose."""
    config = await _guild_config(interaction)
    if config.allows(interaction.channel_id, getattr(interaction.channel, "parent_id", None)):
        return True
    raise app_commands.CheckFailure(where_to_ask(config))


def mention_question(text: str, bot_id: int) -> str | None:
    """``text`` without the bot's mentions if it mentions the bot, else None."""
    tokens = (f"<@{bot_id}>", f"<@!{bot_id}>")
    if not any(token in text for token in tokens):
        return None
    for token in tokens:
        text = text.replace(token, " ")
    return " ".join(text.split())


def _slash_origin(interaction: Interaction) -> Origin:
    return Origin(
        "slash", interaction.user.id, interaction.guild_id, interaction.channel_id, interaction.id
    )


@dataclass(frozen=True, slots=True)
class _Asked:
    """A question put by message, with the settings of the server it was asked in."""

    message: discord.Message
    question: str
    config: GuildConfig

    @property
    def member(self) -> tuple[int | None, int]:
        """The cooldown's bucket: the author in this server (or in DMs)."""
        return (self.message.guild.id if self.message.guild else None, self.message.author.id)

    def origin(self) -> Origin:
        message = self.message
        source: Source = "dm" if message.guild is None else "mention"
        return Origin(source, message.author.id, self.member[0], message.channel.id, message.id)


class AskCog(commands.Cog):
    """Questions in, cited passages out; every answer is logged as it is sent (just before)."""

    def __init__(self, bot: DocqaBot) -> None:
        self.bot = bot
        self._mention_cooldown = commands.DynamicCooldownMapping[_Asked](
            self._mention_rate, lambda asked: asked.member
        )

    def _mention_rate(self, asked: _Asked) -> commands.Cooldown | None:
        return _rate(asked.config, self.bot.settings.ask_cooldown)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*BUTTONS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*BUTTONS)

    @app_commands.command()
    @app_commands.describe(
        question="What you want to know",
        k="How many passages to find (1-10)",
        private="Show the answer only to you (default: as this server chose)",
    )
    @app_commands.checks.dynamic_cooldown(_ask_cooldown, key=lambda i: (i.guild_id, i.user.id))
    @app_commands.check(_in_answer_channel)  # first, so a refused question costs no cooldown
    async def ask(
        self,
        interaction: Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        k: app_commands.Range[int, 1, 10] | None = None,
        private: bool | None = None,
    ) -> None:
        """Ask a question and get the passages from the group's documents that answer it."""
        config = await _guild_config(interaction)
        private = config.private if private is None else private
        defer = functools.partial(interaction.response.defer, ephemeral=private, thinking=True)
        answer = await self.bot.service.answer(
            question, _slash_origin(interaction), k or config.default_k, before_search=defer
        )
        await send(interaction, answer_reply(answer.result, answer.query_id, ephemeral=private))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        asked = await self._question_in(message)
        if asked is None:
            return
        if (retry := self._cooldown(asked)) is not None:
            await reply_to(message, Reply(f"You're asking quickly: try again in {retry} s."))
            return
        try:
            answer = await self.bot.service.answer(
                asked.question, asked.origin(), asked.config.default_k
            )
        except Exception as error:
            await report_to_message(message, error, "" if asked.question else HINT)
            return
        await reply_to(message, answer_reply(answer.result, answer.query_id))

    async def _question_in(self, message: discord.Message) -> _Asked | None:
        """The question a message puts to the bot, if it puts one (a mention or a DM) where
        the server lets the bot answer."""
        me = self.bot.user
        if me is None or message.author.bot:
            return None
        question = mention_question(message.content, me.id)
        if message.guild is None:
            if not self.bot.settings.answer_dms:
                return None
            question = message.content if question is None else question
        if question is None or await self._is_owner_command(message):
            return None
        config = await self.bot.guild_configs.get(message.guild.id if message.guild else None)
        parent = getattr(message.channel, "parent_id", None)
        return (
            _Asked(message, question, config) if config.allows(message.channel.id, parent) else None
        )

    async def _is_owner_command(self, message: discord.Message) -> bool:
        context = await self.bot.get_context(message)
        return context.valid and await self.bot.is_owner(message.author)

    def _cooldown(self, asked: _Asked) -> int | None:
        """Seconds to wait if the author is on cooldown, else None (and the use is counted)."""
        retry = self._mention_cooldown.update_rate_limit(asked)
        return math.ceil(retry) if retry else None


async def setup(bot: DocqaBot) -> None:
    await bot.add_cog(AskCog(bot))
