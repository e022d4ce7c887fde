"""``DOCQA_DATABASE_URL`` picks PostgreSQL; unset (or blank) the log stays in SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from storage_backends import fresh_pg_url

from bot.settings import Settings, describe_error
from bot.sharding import ShardPlan
from bot.storage.database import open_database, pg_journal_path
from bot.storage.postgres import PgStorage
from bot.storage.sqlite import Storage

SECRET = "hunter2"


def load(monkeypatch: pytest.MonkeyPatch, url: str) -> Settings:
    monkeypatch.setenv("DOCQA_DATABASE_URL", url)
    return Settings(_env_file=None)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (f"mysql://docqa:{SECRET}@db/docqa", "expected postgresql://"),
        (f"postgresql://docqa:{SECRET}@db/", "names no database"),
        (f"postgresql://docqa:{SECRET}@db:port/docqa", "not a URL"),
        (f"postgresql://docqa:{SECRET}@db/doc qa", "whitespace"),
        (f"postgresql://docqa:{SECRET}@db/" + "d" * 2100, "longer than 2048"),
    ],
)
def test_a_bad_url_is_one_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch, url: str, problem: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        load(monkeypatch, url)
    message = describe_error(caught.value)
    assert message.startswith("invalid settings: DOCQA_DATABASE_URL: ")
    assert problem in message
    assert SECRET not in message
    assert "\n" not in message


def test_a_good_url_is_kept_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load(monkeypatch, f" postgresql://docqa:{SECRET}@db:5432/docqa ")
    assert settings.database_url is not None
    assert settings.database_url.get_secret_value() == f"postgresql://docqa:{SECRET}@db:5432/docqa"
    assert SECRET not in repr(settings)
    assert load(monkeypatch, "   ").database_url is None  # blank: SQLite


async def test_the_url_picks_the_backend(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    pg_url = fresh_pg_url(request)
    monkeypatch.setenv("DOCQA_DB_PATH", str(tmp_path / "data" / "docqa.db"))
    async with await open_database(Settings(_env_file=None)) as sqlite:
        assert isinstance(sqlite, Storage)
        assert sqlite.journal_path == tmp_path / "data" / "docqa.db.pending"
    monkeypatch.setenv("DOCQA_SHARD_COUNT", "4")
    monkeypatch.setenv("DOCQA_SHARD_IDS", "2,3")
    async with await open_database(load(monkeypatch, pg_url)) as postgres:
        assert isinstance(postgres, PgStorage)
        assert postgres.journal_path == tmp_path / "data" / "docqa-postgres-shards-2-3.pending"


def test_each_process_has_its_own_journal() -> None:
    db = Path("/srv/docqa/docqa.db")
    names = {
        pg_journal_path(db, plan).name
        for plan in (ShardPlan(None), ShardPlan(4), ShardPlan(4, (0, 1)), ShardPlan(4, (2, 3)))
    }
    assert names == {
        "docqa-postgres.pending", "docqa-postgres-shards-all.pending",
        "docqa-postgres-shards-0-1.pending", "docqa-postgres-shards-2-3.pending",
    }  # fmt: skip
