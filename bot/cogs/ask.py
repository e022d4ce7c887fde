"""Asking: ``/ask``, mentions and DMs, each answered with cited passages and result buttons."""

from __future__ import annotations

import logging
import math

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import DocqaBot
from bot.cogs.errors import report_to_message
from bot.guild_config import where_to_ask
from bot.records import Source
from bot.replies import Reply, reply_to, send
from bot.service import Origin, check_question
from bot.views import BUTTONS, answer_reply
from retrieval import MAX_QUESTION_CHARS

__all__ = ["AskCog", "mention_question"]

log = logging.getLogger(__name__)

Interaction = discord.Interaction[DocqaBot]
HINT = "Ask me something after the mention, for example: who founded Nosotek?"


async def _ask_cooldown(interaction: Interaction) -> app_commands.Cooldown | None:
    bot = interaction.client
    config = await bot.guild_configs.get(interaction.guild_id)
    per = config.cooldown_or(bot.settings.ask_cooldown)
    return app_commands.Cooldown(1, per) if per > 0 else None


async def _in_answer_channel(interaction: Interaction) -> bool:
    """Refuse, with a pointer, /ask outside the channels the guild's moderators chose."""
    config = await interaction.client.guild_configs.get(interaction.guild_id)
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


def _message_origin(message: discord.Message) -> Origin:
    source: Source = "dm" if message.guild is None else "mention"
    guild_id = message.guild.id if message.guild else None
    return Origin(source, message.author.id, guild_id, message.channel.id, message.id)


class AskCog(commands.Cog):
    """Questions in, cited passages out; every answer is logged as it is sent (just before)."""

    def __init__(self, bot: DocqaBot) -> None:
        self.bot = bot
        self._mention_cooldown = commands.DynamicCooldownMapping(
            self._mention_rate, commands.BucketType.member
        )

    def _mention_rate(self, message: discord.Message) -> commands.Cooldown | None:
        config = self.bot.guild_configs.cached(message.guild.id if message.guild else None)
        per = config.cooldown_or(self.bot.settings.ask_cooldown)
        return commands.Cooldown(1, per) if per > 0 else None

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
        text = check_question(question)
        config = self.bot.guild_configs.cached(interaction.guild_id)
        private = config.private if private is None else private
        await interaction.response.defer(ephemeral=private, thinking=True)
        answer = await self.bot.service.ask(text, k or config.default_k, interaction.guild_id)
        await self.bot.service.record(answer, _slash_origin(interaction))  # before: crash-safe
        await send(interaction, answer_reply(answer.result, interaction.id, ephemeral=private))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        question = await self._question_in(message)
        if question is None:
            return
        if (retry := self._cooldown(message)) is not None:
            await reply_to(message, Reply(f"You're asking quickly: try again in {retry} s."))
            return
        guild_id = message.guild.id if message.guild else None
        try:
            k = self.bot.guild_configs.cached(guild_id).default_k
            answer = await self.bot.service.ask(question, k, guild_id)
        except Exception as error:
            await report_to_message(message, error, "" if question else HINT)
            return
        await self.bot.service.record(answer, _message_origin(message))
        await reply_to(message, answer_reply(answer.result, message.id))

    async def _question_in(self, message: discord.Message) -> str | None:
        """The question a message puts to the bot, if it puts one (a mention or a DM)."""
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
        return question if config.allows(message.channel.id, parent) else None

    async def _is_owner_command(self, message: discord.Message) -> bool:
        context = await self.bot.get_context(message)
        return context.valid and await self.bot.is_owner(message.author)

    def _cooldown(self, message: discord.Message) -> int | None:
        """Seconds to wait if the author is on cooldown, else None (and the use is counted)."""
        retry = self._mention_cooldown.update_rate_limit(message)
        return math.ceil(retry) if retry else None


async def setup(bot: DocqaBot) -> None:
    await bot.add_cog(AskCog(bot))
