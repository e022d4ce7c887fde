-- Version 2 (PostgreSQL): per-guild settings, as migration_002.sql.
-- A NULL setting means "the bot-wide default", so changing the environment still reaches it.

CREATE TABLE guild_config (
    guild_id   BIGINT           PRIMARY KEY,
    default_k  INTEGER          NULL CHECK (default_k BETWEEN 1 AND 10),
    private    BOOLEAN          NOT NULL DEFAULT FALSE,
    cooldown_s DOUBLE PRECISION NULL CHECK (cooldown_s >= 0),
    updated_at TIMESTAMPTZ      NOT NULL
);

-- The channels where the bot answers; none listed means every channel.
CREATE TABLE guild_channels (
    guild_id   BIGINT NOT NULL REFERENCES guild_config (guild_id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);

CREATE INDEX queries_guild_answered ON queries (guild_id, answered, created_at);
