"""Settings come from the environment (or .env), are validated, and never show the token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import (
    DEFAULT_CORPUS,
    TOKEN_CHARACTERS,
    Settings,
    describe_error,
    env_name,
)
from bot.storage.records import utc_now

TOKEN = "MTIz.secret-token-value"


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load(monkeypatch)
    assert settings.discord_token is None
    assert settings.corpus_dir == DEFAULT_CORPUS
    assert settings.db_path == Path("docqa.db")
    assert settings.discord_api_base == "https://discord.com/api/v10"
    assert settings.discord_gateway_url == "wss://gateway.discord.gg/"
    assert (settings.default_k, settings.dev_guild_id, settings.answer_dms) == (5, None, True)


def test_environment_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = load(
        monkeypatch, DISCORD_TOKEN=TOKEN, DOCQA_DEV_GUILD_ID="123", DOCQA_CORPUS_DIR=str(tmp_path),
        DOCQA_DB_PATH=str(tmp_path / "q.db"), DOCQA_DEFAULT_K="3", DOCQA_CHUNK_TOKENS="96",
        DOCQA_CHUNK_OVERLAP="16", DOCQA_ASK_COOLDOWN="2.5", DOCQA_ANSWER_DMS="false",
        DOCQA_LOG_LEVEL="debug", DOCQA_RETENTION_DAYS="0",
        DISCORD_API_BASE="http://127.0.0.1:9/api/v10/", DISCORD_GATEWAY_URL="ws://127.0.0.1:9/gw",
    )  # fmt: skip
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == TOKEN
    assert (settings.dev_guild_id, settings.default_k, settings.ask_cooldown) == (123, 3, 2.5)
    assert settings.engine_options.chunk_tokens == 96
    assert settings.engine_options.overlap_tokens == 16
    assert (settings.answer_dms, settings.log_level, settings.retention_days) == (False, "DEBUG", 0)
    assert settings.discord_api_base == "http://127.0.0.1:9/api/v10"
    assert settings.discord_gateway_url == "ws://127.0.0.1:9/gw"


def test_token_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load(monkeypatch, DISCORD_TOKEN=TOKEN)
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert TOKEN not in settings.model_dump_json()


def test_dotenv_is_read_and_blank_means_default(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"DISCORD_TOKEN={TOKEN}\nDOCQA_DEV_GUILD_ID=\nDOCQA_DEFAULT_K=7\n")
    settings = Settings(_env_file=env_file)
    assert settings.discord_token is not None
    assert (settings.dev_guild_id, settings.default_k) == (None, 7)


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("DOCQA_DEFAULT_K", "11", "DOCQA_DEFAULT_K: Input should be less than or equal to 10"),
        ("DOCQA_DEFAULT_K", "many", "DOCQA_DEFAULT_K: Input should be a valid integer"),
        ("DOCQA_CORPUS_DIR", "/no/such/folder", "DOCQA_CORPUS_DIR: Path does not point"),
        ("DOCQA_LOG_LEVEL", "loud", "DOCQA_LOG_LEVEL: Input should be 'DEBUG'"),
        ("DOCQA_RETENTION_DAYS", "-1", "DOCQA_RETENTION_DAYS: Input should be greater than"),
        ("DOCQA_CHUNK_OVERLAP", "500", "DOCQA_CHUNK_OVERLAP must be smaller than"),
        ("DISCORD_API_BASE", "discord.com", "DISCORD_API_BASE: expected an absolute"),
        ("DOCQA_ASK_COOLDOWN", "inf", "DOCQA_ASK_COOLDOWN: Input should be a finite number"),
        ("DOCQA_ASK_COOLDOWN", "nan", "DOCQA_ASK_COOLDOWN: Input should be a finite number"),
        ("DOCQA_ASK_COOLDOWN", "1e308", "DOCQA_ASK_COOLDOWN: Input should be less than or equal"),
        ("DOCQA_ASK_COOLDOWN", "-0.5", "DOCQA_ASK_COOLDOWN: Input should be greater than"),
        ("DOCQA_RETENTION_DAYS", "800000", "DOCQA_RETENTION_DAYS: Input should be less than"),
        ("DOCQA_CHUNK_TOKENS", "1000000000", "DOCQA_CHUNK_TOKENS: Input should be less than"),
        ("DOCQA_DEV_GUILD_ID", str(2**64), "DOCQA_DEV_GUILD_ID: Input should be less than"),
        ("DOCQA_MAX_UPLOAD_BYTES", "0", "DOCQA_MAX_UPLOAD_BYTES: Input should be greater than"),
        ("DOCQA_MAX_GUILD_DOCS", "501", "DOCQA_MAX_GUILD_DOCS: Input should be less than"),
        ("DOCQA_SEMANTIC", "maybe", "DOCQA_SEMANTIC: must be on or off, not 'maybe'"),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, complaint: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        load(monkeypatch, **{name: value})
    line = describe_error(caught.value)
    assert complaint in line
    assert "\n" not in line


@pytest.mark.parametrize("setting", sorted(
    name for name, info in Settings.model_fields.items()
    if info.annotation in (int, float, int | None, float | None)
))  # fmt: skip
def test_every_numeric_setting_has_bounds(setting: str) -> None:
    """A new number without an upper bound (or lower) fails here."""
    metadata = Settings.model_fields[setting].metadata
    found = {type(item).__name__ for item in metadata}
    assert found & {"Ge", "Gt"}, f"{setting} has no lower bound"
    assert found & {"Le", "Lt"}, f"{setting} has no upper bound"


def test_bounds_are_values_the_bot_can_honour(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load(monkeypatch, DOCQA_ASK_COOLDOWN="3600", DOCQA_RETENTION_DAYS="36500")
    assert utc_now() - timedelta(days=settings.retention_days) > datetime(1900, 1, 1, tzinfo=UTC)
    assert utc_now() + timedelta(seconds=settings.ask_cooldown) > utc_now()


@pytest.mark.parametrize(
    "token", [f"{TOKEN}\nX", f"MTIz.{chr(7)}bell", "MTIz. space", "a\x00b", "MTIz.\u20acuro"]
)
def test_a_token_with_whitespace_or_a_control_character_is_refused(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        load(monkeypatch, DISCORD_TOKEN=token.replace("\x00", "\x01"))
    line = describe_error(caught.value)
    assert line == f"invalid settings: DISCORD_TOKEN: {TOKEN_CHARACTERS}"


def test_a_token_s_surrounding_whitespace_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load(monkeypatch, DISCORD_TOKEN=f"  {TOKEN}\n")
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == TOKEN


def test_validation_message_never_shows_values(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError) as caught:
        load(monkeypatch, DISCORD_TOKEN=TOKEN, DOCQA_DEFAULT_K="secret-looking-value")
    assert "secret-looking-value" not in describe_error(caught.value)


def test_env_name() -> None:
    assert env_name("discord_token") == "DISCORD_TOKEN"
    assert env_name("db_path") == "DOCQA_DB_PATH"
    assert env_name("DISCORD_API_BASE") == "DISCORD_API_BASE"


@pytest.mark.parametrize(
    ("value", "on"), [("OFF", False), (" off ", False), ("0", False), ("on", True)]
)
def test_the_semantic_switch_reads_as_the_command_line_reads_it(
    monkeypatch: pytest.MonkeyPatch, value: str, on: bool
) -> None:
    assert load(monkeypatch, DOCQA_SEMANTIC=value).engine_options.semantic is on
