//! Bearer tokens: personal API tokens and application credentials.
//!
//! A token reads `habilis_pat_<id>_<secret>` (personal) or `habilis_app_<id>_<secret>`
//! (application), so that it is recognisable when leaked. Only the SHA-256 of the whole token
//! is stored; tokens carry 160 random bits, so a fast hash is enough (a password would need
//! argon2). The stored hash is compared in constant time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
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
///
/// Every request reads the cache and few write it, so it is read without a lock, as the
/// engine's snapshots are: a read writes no memory that the other cores' requests read too,
/// where a mutex had both cores take turns at one cache line. Each token has its own slot,
/// which a refresh (once a second for a token in use) replaces alone; the map of slots is
/// copied only when a token id is seen for the first time, so that a thousand tokens in use
/// do not make every refresh copy a thousand entries.
#[derive(Default)]
pub(crate) struct TokenCache {
    slots: ArcSwap<HashMap<Box<str>, Arc<ArcSwap<CachedToken>>>>,
    /// One writer at a time, so that two misses at once do not lose one of their entries.
    writer: Mutex<()>,
}

/// A token record as the cache keeps it: what a request needs, with the stored hash as bytes.
struct CachedToken {
    record: TokenRecord,
    secret_digest: [u8; 32],
    read_at: Instant,
}

impl CachedToken {
    fn is_fresh(&self) -> bool {
        self.read_at.elapsed() < TOKEN_CACHE_TTL
    }
}

impl TokenCache {
    /// What `read` makes of the fresh record cached for `id`, or `None` when there is none.
    fn with<T>(&self, id: &str, read: impl FnOnce(&TokenRecord, &[u8; 32]) -> T) -> Option<T> {
        let slots = self.slots.load();
        let cached = slots.get(id)?.load();
        cached
            .is_fresh()
            .then(|| read(&cached.record, &cached.secret_digest))
    }

    fn put(&self, record: TokenRecord) {
        // A stored hash that is not 64 hex digits matches no presented token: not cached.
        let Some(secret_digest) = digest_of_hex(&record.secret_hash) else {
            return;
        };
        let id: Box<str> = record.id.as_str().into();
        let cached = Arc::new(CachedToken {
            record,
            secret_digest,
            read_at: Instant::now(),
        });
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let current = self.slots.load();
        if let Some(slot) = current.get(&id) {
            slot.store(cached);
            return;
        }
        let mut slots: HashMap<_, _> = if current.len() >= TOKEN_CACHE_MAX {
            HashMap::new()
        } else {
            // Tokens no longer in use are left behind as the map is copied.
            current
                .iter()
                .filter(|(_, slot)| slot.load().is_fresh())
                .map(|(id, slot)| (id.clone(), Arc::clone(slot)))
                .collect()
        };
        slots.insert(id, Arc::new(ArcSwap::new(cached)));
        self.slots.store(Arc::new(slots));
    }
}

/// The 32 bytes a SHA-256 hash written in hex stands for.
fn digest_of_hex(text: &str) -> Option<[u8; 32]> {
    let mut digest = [0_u8; 32];
    hex::decode_to_slice(text, &mut digest).ok()?;
    Some(digest)
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
        let presented: [u8; 32] = Sha256::digest(bearer.trim().as_bytes()).into();
        let now = self.now();
        let caller = |record: &TokenRecord, stored: &[u8; 32]| {
            let matches: bool = presented.ct_eq(stored).into();
            let live = record.revoked_at.is_none()
                && record.expires_at.is_none_or(|expires| now < expires);
            let kind_matches = matches!(
                (marker, record.kind),
                ("pat", TokenKind::Personal) | ("app", TokenKind::Client)
            );
            if !matches || !live || !kind_matches {
                return Err(Error::Unauthenticated);
            }
            match (record.kind, &record.user, &record.application) {
                (TokenKind::Personal, Some(user), _) => {
                    let snapshot = self.current_snapshot();
                    let level = record.level.as_ref().and_then(|name| {
                        snapshot
                            .levels()
                            .by_key(name)
                            .map(|level| (level.rank, name.clone()))
                    });
                    Ok(Caller::user(user.clone(), level))
                }
                (TokenKind::Client, _, Some(application)) => {
                    Ok(Caller::application(application.clone()))
                }
                _ => Err(Error::Unauthenticated),
            }
        };
        if let Some(answer) = self.token_cache.with(id, caller) {
            return answer;
        }
        let Some(record) = self.db.find_token(id).await? else {
            return Err(Error::Unauthenticated);
        };
        let stored = digest_of_hex(&record.secret_hash).ok_or(Error::Unauthenticated)?;
        let answer = caller(&record, &stored);
        self.token_cache.put(record);
        answer
    }
}

#[cfg(test)]
mod tests {
    use habilis_domain::Timestamp;

    use super::*;

    fn record(id: &str, token: &str) -> TokenRecord {
        TokenRecord {
            id: id.to_owned(),
            kind: TokenKind::Client,
            user: None,
            application: None,
            secret_hash: hash_token(token),
            label: "test".to_owned(),
            level: None,
            created_at: Timestamp(0),
            expires_at: None,
            revoked_at: None,
        }
    }

    fn cached_digest(cache: &TokenCache, id: &str) -> Option<[u8; 32]> {
        cache.with(id, |_, digest| *digest)
    }

    fn digest(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    #[test]
    fn the_cache_answers_with_the_newest_record_of_each_token() {
        let cache = TokenCache::default();
        assert_eq!(cached_digest(&cache, "a"), None);
        cache.put(record("a", "first"));
        assert_eq!(cached_digest(&cache, "a"), Some(digest("first")));
        // A refresh replaces the token's record; other tokens keep theirs.
        cache.put(record("b", "other"));
        cache.put(record("a", "second"));
        assert_eq!(cached_digest(&cache, "a"), Some(digest("second")));
        assert_eq!(cached_digest(&cache, "b"), Some(digest("other")));
        assert_eq!(cached_digest(&cache, "c"), None);
    }

    #[test]
    fn a_record_whose_hash_is_unreadable_is_not_cached() {
        let cache = TokenCache::default();
        let mut broken = record("a", "first");
        broken.secret_hash = "not hex".to_owned();
        cache.put(broken);
        assert_eq!(cached_digest(&cache, "a"), None);
    }
}
