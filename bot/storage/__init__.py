"""The only SQL: the query log in SQLite (``sqlite``) or PostgreSQL (``postgres``), their
connection, migrations (``*.sql``) and shared reads (``reports``: stats, export, guild
settings), the write-behind writer and its journal, and the record types (``records``).

Nothing is re-exported: importing ``bot.storage.records`` must not open a database driver.
"""
