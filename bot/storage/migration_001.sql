-- Version 1: the query log. Other tools read these names; add columns, never rename.

CREATE TABLE queries (
    id          INTEGER PRIMARY KEY,  -- the Discord id of the asking interaction or message
    created_at  TEXT    NOT NULL,     -- UTC, ISO-8601
    guild_id    INTEGER NULL,
    channel_id  INTEGER NULL,
    user_id     INTEGER NOT NULL,     -- 0 for the console
    source      TEXT    NOT NULL CHECK (source IN ('slash', 'mention', 'dm', 'console')),
    question    TEXT    NOT NULL,
    k           INTEGER NOT NULL,
    answered    INTEGER NOT NULL,
    latency_ms  REAL    NOT NULL,
    hit_count   INTEGER NOT NULL,
    top_score   REAL
);

CREATE TABLE hits (
    query_id      INTEGER NOT NULL REFERENCES queries (id) ON DELETE CASCADE,
    rank          INTEGER NOT NULL,
    doc           TEXT    NOT NULL,
    chunk_start   INTEGER NOT NULL,
    chunk_end     INTEGER NOT NULL,
    excerpt_start INTEGER NOT NULL,
    excerpt_end   INTEGER NOT NULL,
    score         REAL    NOT NULL,
    PRIMARY KEY (query_id, rank)
);

CREATE TABLE feedback (
    query_id   INTEGER NOT NULL REFERENCES queries (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    vote       INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    created_at TEXT    NOT NULL,
    PRIMARY KEY (query_id, user_id)
);

CREATE INDEX queries_created_at ON queries (created_at);
CREATE INDEX queries_guild_created_at ON queries (guild_id, created_at);
CREATE INDEX queries_user_id ON queries (user_id);
CREATE INDEX feedback_user_id ON feedback (user_id);
CREATE INDEX hits_doc ON hits (doc);
