//! Bearer tokens: personal API tokens and application credentials.
//!
//! A token reads `habilis_pat_<id>_<secret>` (personal) or `habilis_app_<id>_<secret>`
//! (application), so that it is recognisable when leaked. Only the SHA-256 of the whole token
//! is stored; tokens carry 160 random bits, so a fast hash is enough (a password would need
//! argon2). The stored hash is compared in constant time.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use habilis_domain::{Key, UserId};
use habilis_store::{TokenKind, TokenRecord};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::Error;
use crate::ids::random_text;
use crate::services::{Caller, Services};

/// A secret that never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub(crate) fn new(text: String) -> Secret {
        Secret(text)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

pub(crate) fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Makes a new token and the record to store for it.
pub(crate) fn new_token(
    kind: TokenKind,
    user: Option<UserId>,
    application: Option<Key>,
    label: String,
    level: Option<String>,
    now: habilis_domain::Timestamp,
) -> (Secret, TokenRecord) {
    let id = random_text(16);
    let marker = match kind {
        TokenKind::Personal => "pat",
        TokenKind::Client => "app",
    };
    let token = format!("habilis_{marker}_{id}_{}", random_text(32));
    let record = TokenRecord {
        id,
        kind,
        user,
        application,
        secret_hash: hash_token(&token),
        label,
        level,
        created_at: now,
        expires_at: None,
        revoked_at: None,
    };
    (Secret(token), record)
}

/// How long a token record read from the store is trusted without reading it again.
const TOKEN_CACHE_TTL: Duration = Duration::from_secs(1);
/// Beyond this many cached records the cache starts afresh, so that it cannot grow without
/// bound under a flood of made-up token ids (those are never cached anyway).
const TOKEN_CACHE_MAX: usize = 10_000;

/// Token records read in the last second, by token id. Applications send their credential
/// with every decision, and reading the store for each would cost more than the decision
/// itself. A token revoked or expired in the store stops working within a second; the
/// presented secret is still hashed and compared in constant time on every request.
#[derive(Default)]
pub(crate) struct TokenCache {
    entries: Mutex<HashMap<String, (TokenRecord, Instant)>>,
}

impl TokenCache {
    fn get(&self, id: &str) -> Option<TokenRecord> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(id)
            .filter(|(_, read_at)| read_at.elapsed() < TOKEN_CACHE_TTL)
            .map(|(record, _)| record.clone())
    }

    fn put(&self, id: &str, record: TokenRecord) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= TOKEN_CACHE_MAX {
            entries.clear();
        }
        entries.insert(id.to_owned(), (record, Instant::now()));
    }
}

impl Services {
    /// Who a bearer token belongs to. Every failure is the same `Unauthenticated`, so a
    /// caller learns nothing about which part was wrong.
    pub async fn authenticate(&self, bearer: &str) -> Result<Caller, Error> {
        let mut parts = bearer.trim().splitn(4, '_');
        let (Some("habilis"), Some(marker), Some(id), Some(_secret)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::Unauthenticated);
        };
        let record = match self.token_cache.get(id) {
            Some(record) => record,
            None => {
                let Some(record) = self.db.find_token(id).await? else {
                    return Err(Error::Unauthenticated);
                };
                self.token_cache.put(id, record.clone());
                record
            }
        };
        let presented = hash_token(bearer.trim());
        let matches: bool = presented
            .as_bytes()
            .ct_eq(record.secret_hash.as_bytes())
            .into();
        let now = self.now();
        let live =
            record.revoked_at.is_none() && record.expires_at.is_none_or(|expires| now < expires);
        let kind_matches = matches!(
            (marker, record.kind),
            ("pat", TokenKind::Personal) | ("app", TokenKind::Client)
        );
        if !matches || !live || !kind_matches {
            return Err(Error::Unauthenticated);
        }
        match (record.kind, record.user, record.application) {
            (TokenKind::Personal, Some(user), _) => {
                let snapshot = self.snapshot();
                let level = record.level.and_then(|name| {
                    snapshot
                        .levels()
                        .by_key(&name)
                        .map(|level| (level.rank, name))
                });
                Ok(Caller::user(user, level))
            }
            (TokenKind::Client, _, Some(application)) => Ok(Caller::application(application)),
            _ => Err(Error::Unauthenticated),
        }
    }
}
