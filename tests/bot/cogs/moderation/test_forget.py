"""``/docqa forget user:`` and ``/forget-me``: exact rows deleted, everything else kept."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from doubles import GUILD, MEMBER, FakeInteraction, invoke
from sample_log import count_rows, query_ids
from storage_backends import read_rows

from bot.answering import Origin, query_log
from bot.cogs.moderation import AdminCog
from bot.cogs.privacy import PrivacyCog
from bot.storage.database import Database
from bot.storage.records import RowCounts, utc_now
from bot.storage.sqlite import Storage

USER = SimpleNamespace(id=1, mention="<@1>", display_name="ann_b")


async def votes(storage: Database) -> list[tuple[Any, ...]]:
    return await read_rows(storage, "SELECT query_id, user_id, vote FROM feedback ORDER BY 1, 2")


async def forget(services: SimpleNamespace, interaction: FakeInteraction) -> None:
    await invoke(AdminCog(services).docqa.get_command("forget"), interaction, user=USER)  # type: ignore[arg-type]


async def test_storage_forgets_a_member_in_one_guild(sample: Storage, storage: Database) -> None:
    counts = await sample.delete_user_in_guild(1, GUILD)
    # 101 (2 hits, votes of u2 and u3) and 102 (1 hit, u1's own vote); u1's vote on 103.
    assert counts == RowCounts(queries=2, hits=3, feedback=4)
    assert await query_ids(storage) == [103, 104, 105, 201, 301]  # the other guild and the DM stay
    assert await votes(storage) == [(201, 1, 1), (201, 2, -1)]


async def test_the_moderator_command_reports_the_counts(
    sample: Storage, services: SimpleNamespace, storage: Database
) -> None:
    interaction = FakeInteraction()
    await forget(services, interaction)
    reply = interaction.only
    assert reply.ephemeral
    assert reply.content == (
        "Deleted everything logged about ann\\_b (1): 2 questions, 3 cited passages and 4 votes."
    )
    assert reply.allowed_mentions is not None
    assert reply.allowed_mentions.users is False  # the mention pings nobody
    assert await count_rows(storage) == {"queries": 5, "hits": 4, "feedback": 2}


async def test_forgetting_someone_with_no_rows(
    sample: Storage, services: SimpleNamespace, storage: Database
) -> None:
    before = await count_rows(storage)
    interaction = FakeInteraction()
    await invoke(
        AdminCog(services).docqa.get_command("forget"),  # type: ignore[arg-type]
        interaction,
        user=SimpleNamespace(id=424242, mention="<@424242>", display_name="zed"),
    )
    assert interaction.only.content == "Nothing was logged about zed (424242); no rows deleted."
    assert await count_rows(storage) == before


async def test_members_cannot_forget_others(
    sample: Storage, services: SimpleNamespace, storage: Database
) -> None:
    before = await count_rows(storage)
    interaction = FakeInteraction(user_id=MEMBER, manage_guild=False)
    await forget(services, interaction)
    assert interaction.only.ephemeral
    assert "missing manage server permission" in (interaction.only.content or "").lower()
    assert await count_rows(storage) == before


async def test_forget_me_deletes_everything_about_the_caller_everywhere(
    sample: Storage, services: SimpleNamespace, storage: Database
) -> None:
    interaction = FakeInteraction(user_id=1, manage_guild=False)  # any member may
    await invoke(PrivacyCog(services).forget_me, interaction)
    # Questions 101, 102, 201, 301; hits 2+1+1+1; u1's votes on 102, 103, 201 and the votes of
    # others on u1's questions (u2 and u3 on 101, u2 on 201).
    assert interaction.only.content == (
        "Deleted everything logged about you: 4 questions, 5 cited passages and 6 votes."
    )
    assert interaction.only.ephemeral
    assert await query_ids(storage) == [103, 104, 105]
    assert await votes(storage) == []


async def test_forget_me_works_in_a_dm(
    sample: Storage, services: SimpleNamespace, storage: Database
) -> None:
    interaction = FakeInteraction(user_id=3, guild_id=None, manage_guild=False)
    await invoke(PrivacyCog(services).forget_me, interaction)
    # Question 104 with its one hit, and u3's +1 on 101.
    assert interaction.only.content == (
        "Deleted everything logged about you: 1 question, 1 cited passage and 1 vote."
    )
    assert 104 not in await query_ids(storage)


async def test_forget_me_waits_for_a_log_write_in_flight(
    storage: Storage, services: SimpleNamespace
) -> None:
    result = services.engines.for_guild(GUILD).search("Who founded Nosotek?", 5)
    origin = Origin("slash", 5, GUILD, 10, 777)
    services.service.writer.submit(query_log(result, 5, 1.0, utc_now(), origin))  # not awaited
    interaction = FakeInteraction(user_id=5, manage_guild=False)
    await invoke(PrivacyCog(services).forget_me, interaction)
    assert "1 question," in (interaction.only.content or "")
    assert (await count_rows(storage))["queries"] == 0
