"""``/docqa config``: per-guild settings (migration 2), shown and changed, on both backends."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from doubles import CHANNEL, GUILD, MEMBER, OTHER_GUILD, FakeInteraction, find, invoke
from storage_backends import read_rows

from bot.cogs.moderation import AdminCog
from bot.cogs.moderation_config import change_channels
from bot.storage.database import Database
from bot.storage.guild_settings import GuildConfigs
from bot.storage.records import GuildConfig
from bot.storage.sqlite import Storage


async def config_rows(storage: Database) -> list[tuple[Any, ...]]:
    return await read_rows(
        storage, "SELECT guild_id, default_k, private, cooldown_s FROM guild_config"
    )


async def channel_rows(storage: Database) -> list[tuple[Any, ...]]:
    return await read_rows(storage, "SELECT guild_id, channel_id FROM guild_channels ORDER BY 1, 2")


async def run(
    services: SimpleNamespace, path: str, interaction: FakeInteraction, **kw: Any
) -> None:
    await invoke(find(AdminCog(services).docqa, path), interaction, **kw)


def fields(interaction: FakeInteraction) -> dict[str, str]:
    (embed,) = interaction.only.embeds
    return {field.name or "": field.value or "" for field in embed.fields}


def test_defaults_follow_the_bot() -> None:
    config = GuildConfig(GUILD)
    assert config.allows(123)
    assert config.allows(None)
    assert (config.k_or(5), config.cooldown_or(10.0), config.private) == (5, 10.0, False)
    limited = GuildConfig(GUILD, frozenset({1, 2}), default_k=3, cooldown=0)
    assert limited.allows(1)
    assert limited.allows(99, 2)  # a thread (99) in an allowed channel (2)
    assert not limited.allows(99)
    assert not limited.allows(None)
    assert (limited.k_or(5), limited.cooldown_or(10.0)) == (3, 0)


def test_change_channels() -> None:
    config = change_channels(GuildConfig(GUILD), "add", 1)
    config = change_channels(config, "add", 2)
    assert config.channels == {1, 2}
    assert change_channels(config, "remove", 1).channels == {2}
    assert change_channels(config, "clear", 0).channels == frozenset()


async def test_round_trip_through_storage(storage: Storage) -> None:
    config = GuildConfig(GUILD, frozenset({11, 12}), default_k=3, private=True, cooldown=2.5)
    await storage.save_guild_config(config)
    await storage.save_guild_config(GuildConfig(OTHER_GUILD))
    assert await storage.guild_config(GUILD) == config
    assert await storage.guild_config(999) is None
    assert set(await storage.guild_configs()) == {config, GuildConfig(OTHER_GUILD)}
    await storage.save_guild_config(GuildConfig(GUILD, frozenset({12})))
    assert await channel_rows(storage) == [(GUILD, 12)]
    await storage.delete_guild_config(GUILD)
    assert (await config_rows(storage), await channel_rows(storage)) == (
        [(OTHER_GUILD, None, 0, None)],
        [],
    )


async def test_a_version_1_database_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    with monkeypatch.context() as patch:
        patch.setattr("bot.storage.sqlite_driver.MIGRATIONS", ("migration_001.sql",))
        async with await Storage.open(path) as old:
            assert await old.schema_version() == 1
    async with await Storage.open(path) as new:
        assert await new.schema_version() == 2
        await new.save_guild_config(GuildConfig(GUILD, default_k=4))
        assert await new.guild_config(GUILD) == GuildConfig(GUILD, default_k=4)


async def test_the_cache_reads_once_and_writes_through(storage: Storage) -> None:
    await storage.save_guild_config(GuildConfig(GUILD, default_k=2))
    configs = GuildConfigs(storage)
    assert configs.cached(GUILD) == GuildConfig(GUILD)  # not loaded yet: defaults
    assert await configs.get(GUILD) == GuildConfig(GUILD, default_k=2)
    assert configs.cached(GUILD) == GuildConfig(GUILD, default_k=2)
    await configs.save(GuildConfig(GUILD, private=True))
    assert await GuildConfigs(storage).get(GUILD) == GuildConfig(GUILD, private=True)
    assert configs.cached(None) == GuildConfig(0)


async def test_show_the_defaults(services: SimpleNamespace, storage: Database) -> None:
    interaction = FakeInteraction()
    await run(services, "config show", interaction)
    assert interaction.only.ephemeral
    assert fields(interaction) == {
        "Answers in": "every channel",
        "Passages per answer": "5 (bot default)",
        "Private by default": "no",
        "Cooldown per member": "10 s (bot default)",
    }
    assert await config_rows(storage) == []  # showing writes nothing


async def test_set_writes_one_row(services: SimpleNamespace, storage: Database) -> None:
    interaction = FakeInteraction()
    await run(services, "config set", interaction, default_k=3, private=True, cooldown=2.5)
    assert await config_rows(storage) == [(GUILD, 3, 1, 2.5)]
    assert fields(interaction)["Passages per answer"] == "3"
    assert fields(interaction)["Cooldown per member"] == "2.5 s"
    again = FakeInteraction()
    await run(services, "config set", again, private=False)  # other values are kept
    assert await config_rows(storage) == [(GUILD, 3, 0, 2.5)]
    assert await services.guild_configs.get(GUILD) == GuildConfig(GUILD, default_k=3, cooldown=2.5)


async def test_channels_are_added_removed_and_cleared(
    services: SimpleNamespace, storage: Database
) -> None:
    await run(services, "config channel", FakeInteraction(), action="add")  # this channel
    await run(services, "config channel", FakeInteraction(), action="add",
              channel=SimpleNamespace(id=77))  # fmt: skip
    assert await channel_rows(storage) == [(GUILD, CHANNEL), (GUILD, 77)]
    shown = FakeInteraction()
    await run(services, "config channel", shown, action="remove", channel=SimpleNamespace(id=77))
    assert fields(shown)["Answers in"] == f"<#{CHANNEL}>"
    assert await channel_rows(storage) == [(GUILD, CHANNEL)]
    await run(services, "config channel", FakeInteraction(), action="clear")
    assert await channel_rows(storage) == []
    assert services.guild_configs.cached(GUILD).allows(12345)


async def test_reset_deletes_the_rows(services: SimpleNamespace, storage: Database) -> None:
    await run(services, "config set", FakeInteraction(), default_k=2)
    await run(services, "config channel", FakeInteraction(), action="add")
    await run(services, "config reset", FakeInteraction())
    assert (await config_rows(storage), await channel_rows(storage)) == ([], [])
    assert services.guild_configs.cached(GUILD) == GuildConfig(GUILD)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("config show", {}),
        ("config set", {"default_k": 1}),
        ("config channel", {"action": "add"}),
        ("config reset", {}),
    ],
)
async def test_members_cannot_change_settings(
    services: SimpleNamespace, storage: Database, path: str, params: dict[str, Any]
) -> None:
    await services.storage.save_guild_config(GuildConfig(GUILD, default_k=4))
    interaction = FakeInteraction(user_id=MEMBER, manage_guild=False)
    await run(services, path, interaction, **params)
    assert interaction.only.ephemeral
    assert "missing manage server permission" in (interaction.only.content or "").lower()
    assert interaction.deferred is None
    assert (await config_rows(storage), await channel_rows(storage)) == ([(GUILD, 4, 0, None)], [])
