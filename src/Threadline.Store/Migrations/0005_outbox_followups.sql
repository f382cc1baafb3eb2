-- 0005: step 5 and the send path. Every outbound message is first an outbox row, written in the transaction of the
-- decision that caused it; follow-ups are rows with a due time that the scheduler turns into outbox rows; the
-- follow-up policy is data with versions.

CREATE TABLE outbox (
    id               {id},
    idempotency_key  TEXT NOT NULL,         -- one send per cause: reply:<key>, auto:<wamid>, followup:<id>
    contact_id       BIGINT NOT NULL,
    conversation_id  BIGINT NULL,
    recipient        TEXT NOT NULL,         -- the wa_id (digits) we send to
    kind             TEXT NOT NULL,         -- text | template | buttons | list | reaction | read
    content          TEXT NOT NULL,         -- JSON: what to send (OutboundContent)
    fallback         TEXT NULL,             -- JSON: the template to send instead when the 24-hour window has closed
    sent_by          TEXT NOT NULL,         -- human | automation
    agent            TEXT NULL,
    cause            TEXT NOT NULL,         -- agent_reply | automatic_answer | follow_up
    follow_up_id     BIGINT NULL,
    state            TEXT NOT NULL,         -- queued | sending | unconfirmed | needs_review | accepted | failed | cancelled
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    wa_message_id    TEXT NULL,             -- the wamid the Cloud API returned
    error_code       INTEGER NULL,
    error            TEXT NULL,             -- the last error, with the reaction chosen
    created_at       BIGINT NOT NULL,
    sending_at       BIGINT NULL,           -- when the current HTTP attempt started (durable before the call)
    accepted_at      BIGINT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_outbox_key ON outbox (idempotency_key);
CREATE INDEX ix_outbox_due ON outbox (next_attempt_at) WHERE state = 'queued';
CREATE INDEX ix_outbox_open ON outbox (state) WHERE state IN ('sending', 'unconfirmed');
CREATE INDEX ix_outbox_conversation ON outbox (conversation_id, id);
CREATE INDEX ix_outbox_wamid ON outbox (wa_message_id);

-- A status webhook echoes biz_opaque_callback_data: it confirms a send whose HTTP answer was lost.
CREATE INDEX ix_message_statuses_opaque ON message_statuses (biz_opaque) WHERE biz_opaque IS NOT NULL;

CREATE TABLE follow_ups (
    id               {id},
    conversation_id  BIGINT NOT NULL,
    contact_id       BIGINT NOT NULL,
    attempt          INTEGER NOT NULL,      -- 1 = the first follow-up of this silence
    silence_since    BIGINT NOT NULL,       -- our message the silence follows
    due_at           BIGINT NOT NULL,
    kind             TEXT NOT NULL,         -- freeform | template
    state            TEXT NOT NULL,         -- pending | fired | cancelled | skipped
    policy_version   INTEGER NOT NULL,
    replan           BOOLEAN NOT NULL DEFAULT FALSE,  -- the policy changed: recompute before firing
    reasons          TEXT NOT NULL,         -- JSON array of {rule, detail}: why this time and kind
    outcome          TEXT NULL,             -- why it was cancelled or skipped, or the outbox id it became
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
-- The due scan reads only pending rows in due order: its cost does not grow with how many are pending.
CREATE INDEX ix_follow_ups_due ON follow_ups (due_at, id) WHERE state = 'pending';
CREATE INDEX ix_follow_ups_conversation ON follow_ups (conversation_id, state);

CREATE TABLE follow_up_policies (
    version     INTEGER NOT NULL PRIMARY KEY,
    policy      TEXT NOT NULL,              -- JSON
    changed_by  TEXT NULL,
    note        TEXT NULL,
    created_at  BIGINT NOT NULL
);

ALTER TABLE contacts ADD COLUMN undeliverable_at BIGINT NULL;   -- 131026: not on WhatsApp / blocked us: do not send
ALTER TABLE contacts ADD COLUMN undeliverable_reason TEXT NULL;
