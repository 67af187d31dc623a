//! Bearer tokens as stored: the hash of the secret, never the secret.

use std::fmt;

use habilis_domain::{Key, Timestamp, UserId};

use crate::StoreError;
use crate::sql::{Bind, Statement, TOKEN_COLUMNS, TokenRow};

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TokenKind {
    /// A person's API token.
    Personal,
    /// An application's client credential.
    Client,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Personal => "personal",
            TokenKind::Client => "client",
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: String,
    pub kind: TokenKind,
    pub user: Option<UserId>,
    pub application: Option<Key>,
    pub secret_hash: String,
    pub label: String,
    /// The security level the token acts with, by key.
    pub level: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

impl TokenRecord {
    /// Whether the token may be used at `at`: not revoked, not expired.
    pub fn is_usable(&self, at: Timestamp) -> bool {
        self.revoked_at.is_none_or(|revoked| at < revoked)
            && self.expires_at.is_none_or(|expires| at < expires)
    }
}

impl fmt::Debug for TokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRecord")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("user", &self.user)
            .field("application", &self.application)
            .field("secret_hash", &"[redacted]")
            .field("label", &self.label)
            .field("level", &self.level)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("revoked_at", &self.revoked_at)
            .finish()
    }
}

pub(crate) fn insert_statement(token: &TokenRecord) -> Statement {
    let mut statement = Statement::new(&format!("INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES "));
    statement.bind_list([
        Bind::text(token.id.clone()),
        Bind::text(token.kind.as_str()),
        Bind::Text(token.user.as_ref().map(|user| user.as_str().to_owned())),
        Bind::Text(
            token
                .application
                .as_ref()
                .map(|key| key.as_str().to_owned()),
        ),
        Bind::text(token.secret_hash.clone()),
        Bind::text(token.label.clone()),
        Bind::Text(token.level.clone()),
        Bind::int(token.created_at.0),
        Bind::Int(token.expires_at.map(|at| at.0)),
        Bind::Int(token.revoked_at.map(|at| at.0)),
    ]);
    statement
}

pub(crate) fn record_of(row: TokenRow) -> Result<TokenRecord, StoreError> {
    let kind = match row.kind.as_str() {
        "personal" => TokenKind::Personal,
        "client" => TokenKind::Client,
        other => {
            return Err(StoreError::Corrupt(format!(
                "token `{}` has kind `{}`",
                row.id.escape_debug(),
                other.escape_debug()
            )));
        }
    };
    let application = row
        .application
        .map(|text| Key::parse("application", &text))
        .transpose()
        .map_err(|error| StoreError::Corrupt(format!("token application: {error}")))?;
    Ok(TokenRecord {
        id: row.id,
        kind,
        user: row.user_id.map(UserId::new),
        application,
        secret_hash: row.secret_hash,
        label: row.label,
        level: row.level,
        created_at: Timestamp(row.created_at),
        expires_at: row.expires_at.map(Timestamp),
        revoked_at: row.revoked_at.map(Timestamp),
    })
}

/// Maps a duplicate token id to a conflict.
pub(crate) fn conflict_of(error: &sqlx::Error) -> Option<StoreError> {
    match error {
        sqlx::Error::Database(database_error)
            if matches!(
                database_error.kind(),
                sqlx::error::ErrorKind::UniqueViolation
            ) =>
        {
            Some(StoreError::Conflict {
                what: "token.id".into(),
            })
        }
        _ => None,
    }
}
