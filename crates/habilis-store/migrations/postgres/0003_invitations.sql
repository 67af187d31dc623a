-- Invitations to join an organisation: the person follows a one-time link to create their
-- account and profile. Only the SHA-256 of the link's token is kept.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    email TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    language TEXT NOT NULL,
    invited_by TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT
);
CREATE INDEX invitations_organization ON invitations (organization_id);
