"""The answer's buttons, clicked through their custom ids, including after a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot_doubles import BotFactory, FakeInteraction, assert_pings_nobody, click, custom_ids, find_id

from bot.storage.sqlite import Storage
from bot.ui.embeds import PAGE_SIZE

QUESTION = "How many North Koreans have mobile phones?"


async def answered(make_bot: BotFactory, storage: Storage, k: int = 5) -> FakeInteraction:
    """A bot that has answered QUESTION with ``k`` hits, logged."""
    bot = await make_bot(storage)
    interaction = FakeInteraction(bot)
    cog: Any = bot.get_cog("AskCog")
    await cog.ask.callback(cog, interaction, QUESTION, k=k)
    await bot.service.drain()
    return interaction


def first_view_ids(interaction: FakeInteraction) -> list[str]:
    return custom_ids(interaction.calls.last("followup.send")["view"])


async def test_answer_has_stable_custom_ids(make_bot: BotFactory, storage: Storage) -> None:
    asked = await answered(make_bot, storage)
    qid = asked.id
    assert first_view_ids(asked) == [
        *(f"docqa:full:{qid}:{rank}" for rank in range(1, PAGE_SIZE + 1)),
        f"docqa:more:{qid}:2",
        f"docqa:vote:{qid}:up",
        f"docqa:vote:{qid}:down",
    ]


async def test_more_pages_through_the_hits_in_place(make_bot: BotFactory, storage: Storage) -> None:
    asked = await answered(make_bot, storage)
    more = await click(asked.client, f"docqa:more:{asked.id}:2")
    assert more.calls.names == ["defer", "edit_original_response"]
    edited = more.calls.last("edit_original_response")
    assert_pings_nobody(edited["allowed_mentions"])
    [embed] = edited["embeds"]
    assert [field.name[:3] for field in embed.fields] == ["[4]", "[5]"]
    assert "page 2 of 2" in (embed.footer.text or "")
    back = find_id(edited["view"], r"docqa:more:\d+:\d+")
    assert back == f"docqa:more:{asked.id}:1"  # the last page leads back to the first
    assert f"docqa:full:{asked.id}:4" in custom_ids(edited["view"])


async def test_full_passage_is_private_and_cited(make_bot: BotFactory, storage: Storage) -> None:
    asked = await answered(make_bot, storage)
    full = await click(asked.client, f"docqa:full:{asked.id}:2")
    assert full.calls.names == ["defer", "followup.send"]
    assert full.calls.last("defer") == {"ephemeral": True, "thinking": True}
    sent = full.calls.last("followup.send")
    assert sent["ephemeral"] is True
    [embed] = sent["embeds"]
    assert (embed.title or "").startswith("[2] ")
    assert "characters" in (embed.footer.text or "")


async def test_votes_are_recorded_and_changeable(make_bot: BotFactory, storage: Storage) -> None:
    asked = await answered(make_bot, storage)
    replies = []
    for custom_id, user in [("up", 1), ("up", 1), ("down", 1), ("down", 2)]:
        vote = await click(asked.client, f"docqa:vote:{asked.id}:{custom_id}", user_id=user)
        assert vote.calls.names == ["defer", "followup.send"]
        assert vote.calls.last("followup.send")["ephemeral"] is True
        replies.append(vote.calls.last("followup.send")["content"])
    assert replies == [
        "Thanks: your 👍 is recorded.",
        "You had already voted 👍 on this answer.",
        "Changed your vote to 👎.",
        "Thanks: your 👎 is recorded.",
    ]
    assert (await storage.record_vote(asked.id, 1, -1)).previous == -1


async def test_unknown_query_gets_a_polite_refusal(make_bot: BotFactory, storage: Storage) -> None:
    bot = await make_bot(storage)
    for custom_id in ("docqa:more:555:2", "docqa:full:555:1", "docqa:vote:555:up"):
        clicked = await click(bot, custom_id)
        content = clicked.calls.last("followup.send")["content"]
        assert content.startswith("That answer is no longer in the log")


async def test_buttons_work_after_a_restart(
    make_bot: BotFactory, storage: Storage, db_path: Path
) -> None:
    asked = await answered(make_bot, storage)
    page_two = await click(asked.client, f"docqa:more:{asked.id}:2")
    before = page_two.calls.last("edit_original_response")["embeds"][0].to_dict()
    await asked.client.close()
    await storage.close()

    async with await Storage.open(db_path) as reopened:
        restarted = await make_bot(reopened)
        again = await click(restarted, f"docqa:more:{asked.id}:2")
        assert again.calls.last("edit_original_response")["embeds"][0].to_dict() == before
        full = await click(restarted, f"docqa:full:{asked.id}:1")
        assert full.calls.last("followup.send")["embeds"][0].title.startswith("[1] ")
        vote = await click(restarted, f"docqa:vote:{asked.id}:up", user_id=3)
        assert vote.calls.last("followup.send")["content"] == "Thanks: your 👍 is recorded."
