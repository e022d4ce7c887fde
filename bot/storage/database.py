"""Which database holds the query log: SQLite (``DOCQA_DB_PATH``, the default) or PostgreSQL
(``DOCQA_DATABASE_URL``), behind the one interface the bot uses (:data:`Database`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from bot.settings import Settings
from bot.sharding import ShardPlan
from bot.storage.logstore import StorageError
from bot.storage.sqlite import Storage

if TYPE_CHECKING:  # asyncpg is an optional extra: imported when a URL asks for it
    from bot.storage.postgres import PgStorage

__all__ = ["Database", "open_database", "pg_journal_path"]

# Both classes have the same methods, raising the errors of bot/storage/logstore.py.
Database: TypeAlias = "Storage | PgStorage"

NO_DRIVER = "DOCQA_DATABASE_URL needs the postgres extra: pip install -e '.[postgres]'"


async def open_database(settings: Settings) -> Database:
    """Open (and migrate) the database ``settings`` name; raises StorageError saying why not."""
    url = settings.database_url
    if url is None:
        return await Storage.open(settings.db_path)
    try:
        from bot.storage.postgres import PgStorage  # noqa: PLC0415 - asyncpg is an optional extra
    except ImportError:
        raise StorageError(NO_DRIVER) from None
    journal = pg_journal_path(settings.db_path, settings.shards)
    return await PgStorage.open(url.get_secret_value(), journal)


def pg_journal_path(db_path: Path, shards: ShardPlan) -> Path:
    """Where a process journals the rows PostgreSQL cannot take now: in its data folder (the
    folder of ``DOCQA_DB_PATH``), named for the shards it runs, so processes sharing a folder
    keep one journal each and a restarted process finds its own, e.g.
    ``docqa-postgres-shards-0-1.pending``."""
    if shards.ids is not None:
        suffix = "-shards-" + "-".join(map(str, shards.ids))
    else:
        suffix = "" if not shards.sharded else "-shards-all"
    return db_path.with_name(f"{db_path.stem}-postgres{suffix}.pending")
