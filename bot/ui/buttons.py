"""The buttons under an answer: persistent, so they work after a restart.

Each button's custom id carries the query id (the asking interaction's or message's id);
a click re-reads the query and its hits from the log and rebuilds them with the engine.
"""

from __future__ import annotations

import re
from typing import Any, Self

import discord

from bot.answering import Answer
from bot.app import Interaction
from bot.storage.logstore import UnknownQueryError
from bot.ui.embeds import answer_embed, page_count, page_hits, passage_embed, vote_text
from bot.ui.refusals import report
from bot.ui.replies import Reply, edit, send
from retrieval import SearchResult

__all__ = ["BUTTONS", "FullButton", "MoreButton", "VoteButton", "answer_reply", "answer_view"]


GONE = Reply("That answer is no longer in the log (it may have been purged); please ask again.",
             ephemeral=True)  # fmt: skip


class _Button(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"docqa:.*"):
    """A button whose failures reach the user as one short message, like a command's."""

    def __init__(self, custom_id: str, row: int, **style: Any) -> None:
        super().__init__(discord.ui.Button(custom_id=custom_id, **style), row=row)

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        try:
            await self.run(interaction)
        except Exception as error:
            await report(interaction, error)

    async def run(self, interaction: Interaction) -> None:
        raise NotImplementedError

    async def _restore(self, interaction: Interaction, query_id: int) -> Answer | None:
        answer = await interaction.client.service.restore(query_id)
        if answer is None:
            await send(interaction, GONE)
        return answer


class MoreButton(_Button, template=r"docqa:more:(?P<query_id>[0-9]{1,20}):(?P<page>[0-9]{1,3})"):
    """Shows another page of the answer's hits in place (the last page leads back to the first)."""

    def __init__(self, query_id: int, page: int, label: str = "More") -> None:
        super().__init__(f"docqa:more:{query_id}:{page}", row=1, label=label, emoji="➡️")
        self.query_id, self.page = query_id, page

    @classmethod
    async def from_custom_id(cls, _i: Interaction, _item: Any, match: re.Match[str], /) -> Self:  # type: ignore[override]
        return cls(int(match["query_id"]), int(match["page"]))

    async def run(self, interaction: Interaction) -> None:
        await interaction.response.defer()
        if answer := await self._restore(interaction, self.query_id):
            await edit(interaction, answer_reply(answer.result, self.query_id, self.page))


class FullButton(_Button, template=r"docqa:full:(?P<query_id>[0-9]{1,20}):(?P<rank>[0-9]{1,3})"):
    """Shows one hit's whole passage, privately."""

    def __init__(self, query_id: int, rank: int) -> None:
        super().__init__(f"docqa:full:{query_id}:{rank}", row=0, label=f"Full passage [{rank}]")
        self.query_id, self.rank = query_id, rank

    @classmethod
    async def from_custom_id(cls, _i: Interaction, _item: Any, match: re.Match[str], /) -> Self:  # type: ignore[override]
        return cls(int(match["query_id"]), int(match["rank"]))

    async def run(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        answer = await self._restore(interaction, self.query_id)
        hit = next((h for h in answer.result.hits if h.rank == self.rank), None) if answer else None
        if answer and hit is None:
            await send(interaction, GONE)
        elif hit is not None:
            await send(interaction, Reply(embed=passage_embed(hit), ephemeral=True))


class VoteButton(_Button, template=r"docqa:vote:(?P<query_id>[0-9]{1,20}):(?P<vote>up|down)"):
    """👍 or 👎 on the answer: one vote per user per query, changeable."""

    def __init__(self, query_id: int, vote: int) -> None:
        name, emoji = ("up", "👍") if vote > 0 else ("down", "👎")
        super().__init__(f"docqa:vote:{query_id}:{name}", row=1, emoji=emoji)
        self.query_id, self.vote = query_id, vote

    @classmethod
    async def from_custom_id(cls, _i: Interaction, _item: Any, match: re.Match[str], /) -> Self:  # type: ignore[override]
        return cls(int(match["query_id"]), 1 if match["vote"] == "up" else -1)

    async def run(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            change = await interaction.client.service.vote(
                self.query_id, interaction.user.id, self.vote
            )
        except UnknownQueryError:
            await send(interaction, GONE)
            return
        await send(interaction, Reply(vote_text(change.previous, change.current), ephemeral=True))


BUTTONS: tuple[type[_Button], ...] = (MoreButton, FullButton, VoteButton)


def answer_view(result: SearchResult, query_id: int, page: int = 1) -> discord.ui.View:
    """Full-passage buttons for the hits on ``page``, then More and the two votes."""
    view = discord.ui.View(timeout=None)
    for hit in page_hits(result, page):
        view.add_item(FullButton(query_id, hit.rank))
    pages = page_count(len(result.hits))
    if pages > 1:
        view.add_item(
            MoreButton(query_id, page % pages + 1, "More" if page < pages else "Back to top")
        )
    view.add_item(VoteButton(query_id, 1))
    view.add_item(VoteButton(query_id, -1))
    return view


def answer_reply(
    result: SearchResult, query_id: int, page: int = 1, *, ephemeral: bool = False
) -> Reply:
    """One page of an answer with its buttons."""
    embed = answer_embed(result, page)
    return Reply(embed=embed, view=answer_view(result, query_id, page), ephemeral=ephemeral)
