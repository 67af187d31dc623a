-- Local accounts of the web interface (off unless enabled): the argon2id hash of the
-- password (PHC string, salt included) and, when set, the base32 TOTP secret of the
-- person's authenticator app ("security code").
CREATE TABLE local_accounts (
    user_id TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    updated_at BIGINT NOT NULL
);
