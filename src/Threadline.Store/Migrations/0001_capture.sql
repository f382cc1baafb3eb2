-- 0001: what capture stores from webhook bodies (the bodies themselves live in the inbox store: Inbox/0001_inbox.sql).
-- Tokens: {id} = auto-increment primary key, {blob} = byte array; SqlDialect replaces them per provider.
-- Times are unix milliseconds (BIGINT) so both providers compare them the same way.

-- WhatsApp users as webhooks name them (wa_id and/or business-scoped user id). Identity resolution links them to CRM contacts.
CREATE TABLE wa_users (
    id                     {id},
    wa_id                  TEXT NULL,
    user_id                TEXT NULL,
    parent_user_id         TEXT NULL,
    username               TEXT NULL,
    profile_name           TEXT NULL,
    marketing_preference   TEXT NULL,      -- last user_preferences value for marketing_messages: stop | resume | signup …
    marketing_preference_at BIGINT NULL,
    first_seen_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_wa_users_wa_id ON wa_users (wa_id);
CREATE UNIQUE INDEX ux_wa_users_user_id ON wa_users (user_id);

CREATE TABLE messages (
    id                   {id},
    wa_message_id        TEXT NOT NULL,
    direction            TEXT NOT NULL,          -- in | out
    sent_by              TEXT NOT NULL,          -- contact | human | automation
    wa_id                TEXT NULL,
    user_id              TEXT NULL,
    phone_number_id      TEXT NULL,
    type                 TEXT NOT NULL,
    text                 TEXT NULL,
    original_text        TEXT NULL,              -- the text before the first edit
    timestamp            BIGINT NOT NULL,        -- WhatsApp's time of the message
    status               TEXT NOT NULL,
    status_rank          INTEGER NOT NULL,
    status_at            BIGINT NULL,
    reply_to_message_id  TEXT NULL,
    ref_message_id       TEXT NULL,              -- what an edit, revoke or reaction refers to
    forwarded            BOOLEAN NOT NULL DEFAULT FALSE,
    edited_at            BIGINT NULL,
    revoked_at           BIGINT NULL,
    error_code           INTEGER NULL,
    raw_json             TEXT NOT NULL,
    stored_at            BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_messages_wa_message_id ON messages (wa_message_id);
CREATE INDEX ix_messages_wa_id ON messages (wa_id, timestamp);
CREATE INDEX ix_messages_user_id ON messages (user_id, timestamp);
CREATE INDEX ix_messages_ref ON messages (ref_message_id);

-- Every status WhatsApp reported, once per (message, status); kept even before the message itself is known.
CREATE TABLE message_statuses (
    id                 {id},
    wa_message_id      TEXT NOT NULL,
    status             TEXT NOT NULL,
    status_rank        INTEGER NOT NULL,
    timestamp          BIGINT NOT NULL,
    recipient_id       TEXT NULL,
    recipient_user_id  TEXT NULL,
    biz_opaque         TEXT NULL,
    error_code         INTEGER NULL,
    error_title        TEXT NULL,
    error_details      TEXT NULL,
    raw_json           TEXT NOT NULL,
    stored_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_message_statuses ON message_statuses (wa_message_id, status);

-- Everything kept as an event: templates, account updates, calls, preferences, system errors, unknown fields.
CREATE TABLE events (
    id           {id},
    field        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    waba_id      TEXT NULL,
    occurred_at  BIGINT NULL,
    dedup_key    TEXT NOT NULL,
    raw_json     TEXT NOT NULL,
    stored_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_events_dedup ON events (dedup_key);
