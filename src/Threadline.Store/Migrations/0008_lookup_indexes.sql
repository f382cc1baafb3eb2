-- 0008: for every batch the worker reads each contact's phone number and user id, the first identity value of each kind
-- (ConversationStore.ProfilesAsync). With an index on contact_id alone, PostgreSQL with young statistics (tables that
-- grew since autovacuum last analysed them: a new server, a burst) chose to AND it with the (kind, match_key) index,
-- reading every identity of that kind for each contact: 185 ms per batch of ~500 contacts, a quarter of the database's
-- time while the pipeline fell behind (bench ingest on PostgreSQL, seventh session). Keyed by (contact_id, kind, value),
-- each lookup is one probe of one index, whatever the statistics say; lookups by contact alone use its first column.
DROP INDEX ix_contact_identities_contact;
CREATE INDEX ix_contact_identities_contact ON contact_identities (contact_id, kind, value);

-- Edits and revokes that arrived before the message they change wait in messages until it comes; each batch looks for
-- them by the new messages' ids (CaptureWriter.ApplyLateArrivalsAsync). The index on ref_message_id held an entry for
-- every message (NULL for nearly all), and PostgreSQL read it at 14 ms per batch in the same runs. Only edits and
-- revokes are ever looked up this way: a partial index of those is small, written rarely, and matches the query's own
-- condition on both stores.
DROP INDEX ix_messages_ref;
CREATE INDEX ix_messages_changes ON messages (ref_message_id) WHERE type IN ('edit', 'revoke');
