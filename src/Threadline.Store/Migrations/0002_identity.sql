-- 0002: CRM identity. Contacts (people), the identities WhatsApp knows them by (business-scoped user ids and phone
-- numbers, matched by a canonical key that joins WhatsApp's forms of one number), companies, deals, and for every
-- message the contact, company and deal it was linked to and how.

CREATE TABLE companies (
    id          {id},
    name        TEXT NOT NULL,
    domain      TEXT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE contacts (
    id          {id},
    name        TEXT NULL,
    email       TEXT NULL,
    language    TEXT NULL,
    time_zone   TEXT NULL,
    owner       TEXT NULL,
    tags        TEXT NULL,
    vip         BOOLEAN NOT NULL DEFAULT FALSE,
    opted_out   BOOLEAN NOT NULL DEFAULT FALSE,
    company_id  BIGINT NULL,
    merged_into BIGINT NULL,          -- set while this contact is merged into another (undone by unmerge)
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE contact_identities (
    id          {id},
    contact_id  BIGINT NOT NULL,
    kind        TEXT NOT NULL,        -- user_id | phone
    value       TEXT NOT NULL,        -- the BSUID, or the number in E.164
    match_key   TEXT NOT NULL,        -- the BSUID, or PhoneNumberNormaliser.CanonicalKey(value)
    source      TEXT NOT NULL,        -- how it was learned: new_contact, user_id, wa_id, identity_change, …
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_contact_identities ON contact_identities (kind, match_key);
CREATE INDEX ix_contact_identities_contact ON contact_identities (contact_id);

CREATE TABLE deals (
    id                {id},
    contact_id        BIGINT NULL,
    company_id        BIGINT NULL,
    title             TEXT NOT NULL,
    stage             TEXT NOT NULL,
    value             NUMERIC NULL,
    currency          TEXT NULL,
    owner             TEXT NULL,
    status            TEXT NOT NULL,  -- open | won | lost
    last_activity_at  BIGINT NOT NULL,
    created_at        BIGINT NOT NULL
);
CREATE INDEX ix_deals_contact ON deals (contact_id, status);

CREATE TABLE message_links (
    wa_message_id   TEXT NOT NULL,
    contact_id      BIGINT NOT NULL,
    company_id      BIGINT NULL,
    deal_id         BIGINT NULL,
    deal_ambiguous  BOOLEAN NOT NULL DEFAULT FALSE,  -- several open deals: linked to the most recently active, a human should check
    matched_by      TEXT NOT NULL,
    linked_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_message_links ON message_links (wa_message_id);
CREATE INDEX ix_message_links_contact ON message_links (contact_id);

-- An identity seen with one contact that already belongs to another: a possible duplicate, for a human to decide.
CREATE TABLE identity_conflicts (
    id                {id},
    contact_id        BIGINT NOT NULL,
    other_contact_id  BIGINT NOT NULL,
    kind              TEXT NOT NULL,
    value             TEXT NOT NULL,
    detected_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_identity_conflicts ON identity_conflicts (contact_id, other_contact_id, kind, value);

-- Every merge, with what it moved and the survivor's fields before it, so a human can undo it exactly.
CREATE TABLE contact_merges (
    id               {id},
    survivor_id      BIGINT NOT NULL,
    merged_id        BIGINT NOT NULL,
    survivor_before  TEXT NOT NULL,   -- JSON: the survivor's fields before the merge
    moved            TEXT NOT NULL,   -- JSON: identity ids, deal ids and message ids moved to the survivor
    merged_by        TEXT NOT NULL,
    merged_at        BIGINT NOT NULL,
    undone_at        BIGINT NULL
);
CREATE INDEX ix_contact_merges_merged ON contact_merges (merged_id, undone_at);
