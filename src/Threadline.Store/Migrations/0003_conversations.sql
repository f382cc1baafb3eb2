-- 0003: context and routing. Conversations (threads), each message's place in one, the per-contact history summary
-- context reads (one row per contact instead of the whole history), every routing decision with its reasons and
-- inputs, the agents routing assigns to, and the chat-export files imported as history.

CREATE TABLE agents (
    id            TEXT NOT NULL PRIMARY KEY,
    name          TEXT NULL,
    languages     TEXT NOT NULL,            -- comma-separated ISO 639-1 codes, preferred first
    away          BOOLEAN NOT NULL DEFAULT FALSE,   -- the explicit away switch
    working_days  TEXT NULL,                -- "Mon,Tue,…"; NULL: no working hours of their own (available unless away)
    work_open     TEXT NULL,                -- HH:mm
    work_close    TEXT NULL,                -- HH:mm (24:00 allowed)
    time_zone     TEXT NULL,                -- NULL: the business's
    updated_at    BIGINT NOT NULL
);

CREATE TABLE conversations (
    id                  {id},
    contact_id          BIGINT NOT NULL,
    state               TEXT NOT NULL,      -- waiting_on_us | waiting_on_them | snoozed | closed
    opened_at           BIGINT NOT NULL,
    last_message_at     BIGINT NOT NULL,
    last_inbound_at     BIGINT NULL,
    last_outbound_at    BIGINT NULL,
    last_from           TEXT NOT NULL,      -- contact | agent | automation
    last_intent         TEXT NULL,          -- the contact's last message's intent
    message_count       INTEGER NOT NULL,
    pending_since       BIGINT NULL,        -- the contact's first message since our last one
    reply_owed_since    BIGINT NULL,        -- the first of those that needs a reply: the SLA clock's start
    pending_intents     TEXT NOT NULL,      -- comma-separated
    pending_cues        TEXT NOT NULL,      -- '|'-separated urgency cues
    language            TEXT NULL,
    window_from_ad      BOOLEAN NOT NULL DEFAULT FALSE,
    snoozed_until       BIGINT NULL,
    closed_at           BIGINT NULL,
    assignee            TEXT NULL,
    outcome             TEXT NULL,
    last_outbound_text  TEXT NULL,
    needs_reply         BOOLEAN NOT NULL DEFAULT FALSE,   -- the latest decision, for inbox views
    urgency             TEXT NULL,
    handler             TEXT NULL,
    respond_by          BIGINT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX ix_conversations_contact ON conversations (contact_id, last_message_at, id);
CREATE INDEX ix_conversations_assignee ON conversations (assignee, state);

CREATE TABLE conversation_messages (
    message_id       TEXT NOT NULL,         -- the wamid, or import:<contact>:<fingerprint> for imported history
    conversation_id  BIGINT NOT NULL,
    contact_id       BIGINT NOT NULL,
    party            TEXT NOT NULL,         -- contact | agent | automation
    agent            TEXT NULL,
    type             TEXT NOT NULL,
    text             TEXT NULL,             -- imported messages only: captured ones keep their text in messages
    at               BIGINT NOT NULL,
    intent           TEXT NULL,
    language         TEXT NULL,
    source           TEXT NOT NULL,         -- webhook | import
    created_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_conversation_messages ON conversation_messages (message_id);
CREATE INDEX ix_conversation_messages_conversation ON conversation_messages (conversation_id, at);

CREATE TABLE contact_context (
    contact_id            BIGINT NOT NULL PRIMARY KEY,
    conversations         INTEGER NOT NULL,
    last_outcome          TEXT NULL,
    reply_delays          TEXT NOT NULL,    -- JSON array of seconds, oldest first
    inquiries             TEXT NOT NULL,    -- JSON array of {intent, at}
    last_inbound_at       BIGINT NULL,
    last_outbound_at      BIGINT NULL,
    awaiting_reply_since  BIGINT NULL,
    language              TEXT NULL,
    updated_at            BIGINT NOT NULL
);

CREATE TABLE decisions (
    id               {id},
    message_id       TEXT NOT NULL,
    conversation_id  BIGINT NOT NULL,
    contact_id       BIGINT NOT NULL,
    decided_at       BIGINT NOT NULL,
    intent           TEXT NOT NULL,
    language         TEXT NOT NULL,
    needs_reply      BOOLEAN NOT NULL,
    urgency          TEXT NOT NULL,
    handler          TEXT NOT NULL,
    assignee         TEXT NULL,
    respond_by       BIGINT NULL,
    rule             TEXT NOT NULL,          -- the rule that settled it
    reasons          TEXT NOT NULL,          -- JSON array of {rule, detail}
    context          TEXT NOT NULL,          -- JSON: the context object
    inputs           TEXT NOT NULL           -- JSON: how the message was read, and the agents as routing saw them
);
CREATE UNIQUE INDEX ux_decisions_message ON decisions (message_id);
CREATE INDEX ix_decisions_conversation ON decisions (conversation_id, id);

CREATE TABLE chat_imports (
    id            {id},
    contact_id    BIGINT NOT NULL,
    file_sha256   TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    messages      INTEGER NOT NULL,         -- messages this import added
    skipped       INTEGER NOT NULL,         -- already imported, or already captured live
    unreadable    INTEGER NOT NULL,
    imported_at   BIGINT NOT NULL
);
CREATE INDEX ix_chat_imports_contact ON chat_imports (contact_id, file_sha256);
