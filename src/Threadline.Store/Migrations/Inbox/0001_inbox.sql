-- Inbox 0001: the durable inbox of raw webhook bodies.
-- On SQLite the inbox is its own database file (threadline.inbox.db beside threadline.db) with its own write lock, so
-- acknowledging webhooks never waits behind the inbox worker's transactions. On PostgreSQL, which locks rows, it is a
-- table in the same database. Tokens: {id}, {blob} (see SqlDialect).

CREATE TABLE inbox (
    id              {id},
    received_at     BIGINT NOT NULL,
    body            {blob} NOT NULL,
    body_sha256     TEXT NOT NULL,          -- a byte-identical redelivery is stored once
    state           SMALLINT NOT NULL DEFAULT 0,  -- 0 pending, 1 processed, 2 dead-lettered
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NULL,
    processed_at    BIGINT NULL
);
CREATE UNIQUE INDEX ux_inbox_body_sha256 ON inbox (body_sha256);
CREATE INDEX ix_inbox_pending ON inbox (state, id);
