-- Version 2: per-guild settings that moderators change with /docqa config.
-- A NULL setting means "the bot-wide default", so changing the environment still reaches it.

CREATE TABLE guild_config (
    guild_id   INTEGER PRIMARY KEY,
    default_k  INTEGER NULL CHECK (default_k BETWEEN 1 AND 10),
    private    INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    cooldown_s REAL    NULL CHECK (cooldown_s >= 0),
    updated_at TEXT    NOT NULL  -- UTC, ISO-8601
);

-- The channels where the bot answers; none listed means every channel.
CREATE TABLE guild_channels (
    guild_id   INTEGER NOT NULL REFERENCES guild_config (guild_id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);

-- For the moderator reports: hits by query, votes by query (the primary keys lead with
-- query_id already), and queries by guild and answer state for the "not answered" list.
CREATE INDEX queries_guild_answered ON queries (guild_id, answered, created_at);
