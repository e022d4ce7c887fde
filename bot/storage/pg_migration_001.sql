-- Version 1 (PostgreSQL): the query log, with the names and meaning of migration_001.sql.
-- Times are timestamptz (UTC); "answered" is a boolean. Add columns, never rename.

CREATE TABLE queries (
    id          BIGINT           PRIMARY KEY,  -- the Discord id of the asking interaction or message
    created_at  TIMESTAMPTZ      NOT NULL,
    guild_id    BIGINT           NULL,
    channel_id  BIGINT           NULL,
    user_id     BIGINT           NOT NULL,     -- 0 for the console
    source      TEXT             NOT NULL CHECK (source IN ('slash', 'mention', 'dm', 'console')),
    question    TEXT             NOT NULL,
    k           INTEGER          NOT NULL,
    answered    BOOLEAN          NOT NULL,
    latency_ms  DOUBLE PRECISION NOT NULL,
    hit_count   INTEGER          NOT NULL,
    top_score   DOUBLE PRECISION
);

CREATE TABLE hits (
    query_id      BIGINT           NOT NULL REFERENCES queries (id) ON DELETE CASCADE,
    rank          INTEGER          NOT NULL,
    doc           TEXT             NOT NULL,
    chunk_start   INTEGER          NOT NULL,
    chunk_end     INTEGER          NOT NULL,
    excerpt_start INTEGER          NOT NULL,
    excerpt_end   INTEGER          NOT NULL,
    score         DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (query_id, rank)
);

CREATE TABLE feedback (
    query_id   BIGINT      NOT NULL REFERENCES queries (id) ON DELETE CASCADE,
    user_id    BIGINT      NOT NULL,
    vote       INTEGER     NOT NULL CHECK (vote IN (-1, 1)),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (query_id, user_id)
);

CREATE INDEX queries_created_at ON queries (created_at);
CREATE INDEX queries_guild_created_at ON queries (guild_id, created_at);
CREATE INDEX queries_user_id ON queries (user_id);
CREATE INDEX feedback_user_id ON feedback (user_id);
CREATE INDEX hits_doc ON hits (doc);
