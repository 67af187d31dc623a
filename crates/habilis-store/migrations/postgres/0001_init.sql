-- The Habilis store, PostgreSQL dialect. Keep in step with ../sqlite/0001_init.sql: the same
-- tables, columns, indexes and names; only the types differ.

-- One row: the last committed revision and the head of the audit chain. Every writer
-- updates it, so it is also what serializes writers.
CREATE TABLE store_state (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL,
    audit_seq BIGINT NOT NULL,
    audit_head TEXT NOT NULL
);
INSERT INTO store_state (id, revision, audit_seq, audit_head)
VALUES (1, 0, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Every entity as a JSON document, with the columns it is looked up by.
CREATE TABLE entities (
    kind TEXT NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    organization_id TEXT,
    other_organization_id TEXT,
    user_id TEXT,
    application TEXT,
    natural_key TEXT,
    secondary_key TEXT,
    revision BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX entities_organization ON entities (kind, organization_id);
CREATE INDEX entities_other_organization ON entities (kind, other_organization_id);
CREATE INDEX entities_user ON entities (kind, user_id);
CREATE INDEX entities_application ON entities (kind, application);
CREATE UNIQUE INDEX entities_natural_key ON entities (kind, natural_key)
    WHERE natural_key IS NOT NULL;
CREATE UNIQUE INDEX entities_secondary_key ON entities (kind, secondary_key)
    WHERE secondary_key IS NOT NULL;

-- The hash-chained audit trail. `seq` is given by the writer from store_state, so it has no
-- gaps and is part of the hashed content.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    revision BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_user TEXT,
    actor_application TEXT,
    actor_level TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('committed', 'refused')),
    code TEXT,
    organization_id TEXT,
    application TEXT,
    subject_user TEXT,
    target TEXT,
    reason TEXT,
    detail TEXT NOT NULL,
    changes TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_revision ON audit_events (revision);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_organization ON audit_events (organization_id, seq);
CREATE INDEX audit_events_actor_user ON audit_events (actor_user, seq);
CREATE INDEX audit_events_subject_user ON audit_events (subject_user, seq);
CREATE INDEX audit_events_application ON audit_events (application, seq);

-- Bearer tokens: only the hash of the secret is kept.
CREATE TABLE tokens (
    id TEXT COLLATE "C" PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('personal', 'client')),
    user_id TEXT,
    application TEXT,
    secret_hash TEXT NOT NULL,
    label TEXT NOT NULL,
    level TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX tokens_user ON tokens (user_id);
CREATE INDEX tokens_application ON tokens (application);
