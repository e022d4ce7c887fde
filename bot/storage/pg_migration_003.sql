-- Version 3 (PostgreSQL only): one row per server whose uploads changed, counting the changes.
-- A process that rebuilds a server's engine after an upload, a removal or a reindex adds one;
-- the others see the number move and rebuild that server's engine from the shared folder.

CREATE TABLE library_versions (
    guild_id BIGINT PRIMARY KEY,
    version  BIGINT NOT NULL
);
