-- Inbox 0003: the rows waiting for a retry, apart.
-- On SQLite the worker's processed rows stay pending until their writes are on disk (ProcessedMarks), and its claims
-- start after its last claim: new rows by id, plus rows that failed before and are due again. Finding those through
-- the pending index meant reading every pending row, the ones waiting for their marks included; this index holds only
-- rows that failed at least once and are pending, normally none. Tokens: none.

CREATE INDEX ix_inbox_retry ON inbox (id) WHERE state = 0 AND attempts > 0;
