-- Inbox 0002: the bodies apart from the queue's state, and no unique key on the body's hash.
-- Measured with `threadline bench ingest` (5,000 webhooks/s while the whole pipeline ran): each group commit of ~15
-- bodies wrote ~19 pages to the inbox's log, 13 of them random leaf pages of the unique index on body_sha256; and
-- marking 1,024 rows processed rewrote every page holding their bodies (~4 per page), ~300 pages under the inbox's
-- write turn. Now a commit appends to three b-trees (~7 pages), and a mark rewrites the narrow state rows (~7 pages).
-- A byte-identical redelivery is caught in memory by InboxWriter (the recent bodies), and whatever gets past it (after a
-- restart) is stored as a second row whose processing changes nothing: every write of the pipeline is idempotent.
-- Tokens: {id}, {key}, {blob} (see SqlDialect).

CREATE TABLE inbox_bodies (
    id          {key} REFERENCES inbox (id),    -- the inbox row's id
    body        {blob} NOT NULL,
    body_sha256 TEXT NOT NULL                   -- hex SHA-256 of the body (identical redeliveries share it)
);
INSERT INTO inbox_bodies (id, body, body_sha256) SELECT id, body, body_sha256 FROM inbox;

DROP INDEX ux_inbox_body_sha256;
DROP INDEX ix_inbox_pending;
ALTER TABLE inbox DROP COLUMN body;
ALTER TABLE inbox DROP COLUMN body_sha256;

-- Only the rows still to do (and the dead letters, for `threadline inbox dead`): claiming needs no more, and a mark
-- deletes an entry instead of moving it.
CREATE INDEX ix_inbox_pending ON inbox (id) WHERE state = 0;
CREATE INDEX ix_inbox_dead ON inbox (id) WHERE state = 2;
