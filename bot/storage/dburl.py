"""``DOCQA_DATABASE_URL``: a PostgreSQL URL, checked before anything connects."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import SecretStr

__all__ = ["MAX_URL_LENGTH", "check_database_url"]

MAX_URL_LENGTH = 2048  # far beyond a real URL; bounds what a typo can feed the driver
SCHEMES = ("postgresql", "postgres")


def check_database_url(value: SecretStr | None) -> SecretStr | None:
    """The URL without surrounding whitespace, or None when blank. Raises ValueError (never
    repeating the URL, which may hold a password) unless it is a ``postgresql://`` URL naming
    a database, of at most :data:`MAX_URL_LENGTH` characters, without whitespace."""
    if value is None or not (url := value.get_secret_value().strip()):
        return None
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"longer than {MAX_URL_LENGTH} characters")
    if any(char.isspace() or not char.isprintable() for char in url):
        raise ValueError("holds whitespace or a control character")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError("not a URL: expected postgresql://user@host:port/database") from None
    if parts.scheme not in SCHEMES:
        raise ValueError("expected postgresql://user@host:port/database (SQLite needs no URL)")
    if not parts.path.strip("/"):
        raise ValueError("names no database: expected postgresql://user@host:port/database")
    return SecretStr(url)
