-- 0007: the agents' load (open conversations per assignee) was counted through an index on (assignee, state). A
-- conversation's state flips between waiting_on_us and waiting_on_them with almost every message, so every message
-- moved its entry in that index: a random page (0.8 per message, measured from the write-ahead log's frames). Whether a
-- conversation is open is also told by closed_at (set when it is closed, cleared when a reply reopens it), which only
-- changes when a conversation is closed or reopened, and the writer now sets assignee and closed_at only when they
-- change. Rows that broke the rule "closed exactly when closed_at is set" are mended first.
UPDATE conversations SET closed_at = updated_at WHERE state = 'closed' AND closed_at IS NULL;
UPDATE conversations SET closed_at = NULL WHERE state <> 'closed' AND closed_at IS NOT NULL;
DROP INDEX ix_conversations_assignee;
CREATE INDEX ix_conversations_assignee ON conversations (assignee, closed_at);
