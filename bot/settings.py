"""The bot's settings, read from the environment or a ``.env`` file by pydantic-settings."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import (
    DirectoryPath,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.sharding import ShardPlan, check_shards, parse_shard_count, parse_shard_ids
from bot.storage.dburl import check_database_url
from retrieval import DEFAULT_CORPUS, EngineOptions
from retrieval.cli import switch

__all__ = ["DEFAULT_CORPUS", "Settings", "describe_error", "env_name", "unknown_settings"]


# The retrieval engine's tuned defaults, so tuning there reaches the bot without a settings change.
_ENGINE = EngineOptions()

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

# Upper bounds: each is far beyond sensible use and still a value the bot can honour
# (a cooldown discord.py can schedule, a retention cutoff ``datetime`` can represent).
MAX_SNOWFLAKE = 2**63 - 1  # Discord ids are unsigned 64-bit numbers that fit SQLite's integer
MAX_CHUNK_TOKENS = 4096
MAX_COOLDOWN = 3600.0  # seconds; the same limit as /docqa config set
MAX_RETENTION_DAYS = 36_500  # a hundred years
TOKEN_CHARACTERS = "holds whitespace, a control or a non-ASCII character; a bot token has none"


class Settings(BaseSettings):
    """Every knob of the bot; the environment wins over ``.env``, which wins over defaults."""

    model_config = SettingsConfigDict(
        env_prefix="DOCQA_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # a copied .env.example leaves blanks: they mean "the default"
        extra="ignore",
    )

    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    discord_api_base: str = Field(
        default="https://discord.com/api/v10", validation_alias="DISCORD_API_BASE"
    )
    discord_gateway_url: str = Field(
        default="wss://gateway.discord.gg/", validation_alias="DISCORD_GATEWAY_URL"
    )
    dev_guild_id: Annotated[int, Field(gt=0, le=MAX_SNOWFLAKE)] | None = None
    corpus_dir: DirectoryPath = DEFAULT_CORPUS
    db_path: Path = Path("docqa.db")
    default_k: int = Field(default=5, ge=1, le=10)
    chunk_tokens: int = Field(default=_ENGINE.chunk_tokens, ge=16, le=MAX_CHUNK_TOKENS)
    chunk_overlap: int = Field(default=_ENGINE.overlap_tokens, ge=0, lt=MAX_CHUNK_TOKENS)
    ask_cooldown: float = Field(default=10.0, ge=0, le=MAX_COOLDOWN, allow_inf_nan=False)
    answer_dms: bool = True
    log_level: LogLevel = "INFO"
    retention_days: int = Field(default=90, ge=0, le=MAX_RETENTION_DAYS)
    max_upload_bytes: int = Field(default=10 * 2**20, ge=1, le=25_000_000)  # Discord: 10 MiB
    max_guild_docs: int = Field(default=20, ge=0, le=500)
    semantic: bool = _ENGINE.semantic  # the sentence-embedding stage (retrieval/semantic/)

    # Sharding (bot/sharding.py): unset, one unsharded connection as before.
    shard_count: int | Literal["auto"] | None = None
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = None

    _shard_count = field_validator("shard_count", mode="before")(parse_shard_count)
    _shard_ids = field_validator("shard_ids", mode="before")(parse_shard_ids)

    @model_validator(mode="after")
    def _shards_fit(self) -> Self:
        check_shards(self.shard_count, self.shard_ids)
        return self

    # The shared query log (bot/storage/database.py): unset, SQLite at ``db_path`` as before.
    database_url: SecretStr | None = None
    # Uploads: unset, ``docqa-uploads`` beside the database; a shared folder for processes
    # sharing one PostgreSQL log (bot/library/watch.py).
    uploads_dir: Path | None = None

    _database_url = field_validator("database_url")(check_database_url)

    @property
    def shards(self) -> ShardPlan:
        return ShardPlan(self.shard_count, self.shard_ids)

    @field_validator("discord_token")
    @classmethod
    def _printable(cls, value: SecretStr | None) -> SecretStr | None:
        """Surrounding whitespace (a copied line's newline) is dropped; whitespace, a control
        character or a non-ASCII one inside cannot be a token (Discord's are base64 and dots),
        and would break the HTTP header it is sent in."""
        if value is None:
            return None
        token = value.get_secret_value().strip()
        if not token:
            return None
        if not all(char.isascii() and char.isprintable() and not char.isspace() for char in token):
            raise ValueError(TOKEN_CHARACTERS)
        return SecretStr(token)

    @field_validator("semantic", mode="before")
    @classmethod
    def _on_off(cls, value: object) -> object:
        """The values ``python -m retrieval`` takes, and an error that names the value."""
        return switch(value) if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("discord_api_base", "discord_gateway_url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
            raise ValueError("expected an absolute http(s) or ws(s) URL")
        return value

    @field_validator("discord_api_base")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        # discord.py appends paths that start with "/" to this base.
        return value.rstrip("/")

    @model_validator(mode="after")
    def _engine_accepts_chunks(self) -> Self:
        """The engine checks its own options (:class:`EngineOptions`); here the one rule the
        bounds above leave to it is named by its settings."""
        try:
            self.engine_options  # noqa: B018 - built for its check
        except ValueError:
            raise ValueError(
                "DOCQA_CHUNK_OVERLAP must be smaller than DOCQA_CHUNK_TOKENS"
            ) from None
        return self

    @property
    def index_cache_dir(self) -> Path:
        """Where the built index is cached: beside the database."""
        return self.db_path.parent / "docqa-index"

    @property
    def engine_options(self) -> EngineOptions:
        return EngineOptions(
            chunk_tokens=self.chunk_tokens,
            overlap_tokens=self.chunk_overlap,
            semantic=self.semantic,
        )


def env_name(field: str) -> str:
    """The environment variable that sets ``field`` (a field name or its alias)."""
    info = Settings.model_fields.get(field)
    if info is None:  # validation errors name aliased fields by their alias
        return field
    if isinstance(info.validation_alias, str):
        return info.validation_alias
    prefix = Settings.model_config.get("env_prefix", "")
    return f"{prefix}{field}".upper()


def describe_error(error: ValidationError) -> str:
    """One line naming each bad variable and what is wrong with it (never its value)."""
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        message = item["msg"].removeprefix("Value error, ")
        if item["loc"]:
            problems.append(f"{env_name(str(item['loc'][0]))}: {message}")
        else:
            problems.append(message)
    return "invalid settings: " + "; ".join(problems)


def unknown_settings(environ: Mapping[str, str], env_file: Path = Path(".env")) -> list[str]:
    """The ``DOCQA_*`` names in ``environ`` or ``env_file`` that no setting reads, sorted,
    each with the closest known name when one is close: ``["DOCQA_DEFALT_K (did you mean
    DOCQA_DEFAULT_K?)"]``. Names compare without case, as the settings are read."""
    prefix = str(Settings.model_config.get("env_prefix", "")).upper()
    known = sorted(env_name(field).upper() for field in Settings.model_fields)
    unknown = {
        name for name in _names(environ, env_file)
        if name.upper().startswith(prefix) and name.upper() not in known
    }  # fmt: skip
    return [_with_closest(name, prefix, known) for name in sorted(unknown)]


def _names(environ: Mapping[str, str], env_file: Path) -> Iterable[str]:
    yield from environ
    if env_file.is_file():
        yield from dotenv_values(env_file, encoding="utf-8")


def _with_closest(name: str, prefix: str, known: list[str]) -> str:
    """``name``, and the known name most like it after the shared prefix (difflib's ratio,
    at least 0.6), so the prefix alone makes no name close."""
    bare = {known_name.removeprefix(prefix): known_name for known_name in known}
    closest = difflib.get_close_matches(name.upper().removeprefix(prefix), bare, n=1)
    return f"{name} (did you mean {bare[closest[0]]}?)" if closest else name
