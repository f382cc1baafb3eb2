-- 0006: the sender's housekeeping looks, every second, for rows mid-call or in doubt (sending, unconfirmed,
-- needs_review) and their age. The partial index of 0005 left needs_review out, and SQLite does not use a partial index
-- unless the query repeats its WHERE exactly, so those looks scanned the whole outbox, which only grows. One plain
-- index on (state, sending_at) serves every such query on both stores; the outbox is written at the send rate, not
-- the inbound rate, so the extra entry per row is cheap.
DROP INDEX ix_outbox_open;
CREATE INDEX ix_outbox_state ON outbox (state, sending_at);
