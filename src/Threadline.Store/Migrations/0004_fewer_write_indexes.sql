-- 0004: indexes that every message rewrote at a random place. Measured with `threadline bench pipeline`: each inbound
-- message wrote ~25 KiB of WAL, most of it index pages scattered over the file.
-- * A conversation's last_message_at changes with every message: indexing it moved the entry each time. Contacts have a
--   handful of conversations, so finding the latest by contact id alone reads a few rows.
-- * Decisions are found through their messages (conversation_messages knows each message's conversation).
DROP INDEX ix_conversations_contact;
CREATE INDEX ix_conversations_contact ON conversations (contact_id, id);
DROP INDEX ix_decisions_conversation;
