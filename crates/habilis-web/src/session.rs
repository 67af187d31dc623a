//! Browser sessions: a random token in a secure, HttpOnly, SameSite=Lax cookie; the server
//! keeps only the token's SHA-256 and the session's state. Each session has its own CSRF
//! token, checked on every form; sessions end after an idle time and an absolute time.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use habilis_domain::{Language, UserId};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::util::random_token;

/// The cookie that carries the session token.
pub const SESSION_COOKIE: &str = "habilis_session";
/// The cookie that remembers the chosen language, logged in or not.
pub const LANGUAGE_COOKIE: &str = "habilis_lang";

/// A login under way at the identity provider: what the callback must find again.
#[derive(Clone, Debug)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// The level asked for (a step-up), by rank.
    pub wanted_rank: Option<u8>,
    /// Where to go afterwards (a path of this site).
    pub return_to: String,
    pub started: Instant,
}

/// A form that a step-up interrupted: shown again, filled in, once the level is reached.
#[derive(Clone, Debug)]
pub struct Interrupted {
    pub action: String,
    pub fields: Vec<(String, String)>,
    pub summary: String,
}

/// A message shown once on the next page.
#[derive(Clone, Debug)]
pub struct Flash {
    pub success: bool,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Session {
    pub user: Option<UserId>,
    /// The session's security level: rank and key.
    pub level: Option<(u8, String)>,
    pub acr: Option<String>,
    pub id_token: Option<String>,
    pub csrf: String,
    pub language: Option<Language>,
    pub login: Option<PendingLogin>,
    pub interrupted: Option<Interrupted>,
    pub flash: Option<Flash>,
    created: Instant,
    last_seen: Instant,
}

impl Session {
    fn new(now: Instant) -> Session {
        Session {
            user: None,
            level: None,
            acr: None,
            id_token: None,
            csrf: random_token(),
            language: None,
            login: None,
            interrupted: None,
            flash: None,
            created: now,
            last_seen: now,
        }
    }

    /// Whether `presented` is this session's CSRF token (constant time).
    pub fn csrf_matches(&self, presented: &str) -> bool {
        !presented.is_empty() && bool::from(self.csrf.as_bytes().ct_eq(presented.as_bytes()))
    }
}

/// How long sessions live.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
        }
    }
}

/// The sessions of this server process, by the SHA-256 of their token.
#[derive(Debug)]
pub struct Sessions {
    sessions: Mutex<HashMap<[u8; 32], Session>>,
    timeouts: Timeouts,
}

/// Beyond this many sessions, expired ones are swept before a new one is made.
const SWEEP_ABOVE: usize = 10_000;

fn key_of(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Sessions {
    pub fn new(timeouts: Timeouts) -> Sessions {
        Sessions {
            sessions: Mutex::new(HashMap::new()),
            timeouts,
        }
    }

    fn live(&self, session: &Session, now: Instant) -> bool {
        now.duration_since(session.last_seen) < self.timeouts.idle
            && now.duration_since(session.created) < self.timeouts.absolute
    }

    /// The session of `token`, touched; `None` when unknown or timed out (and then gone).
    pub fn get(&self, token: &str) -> Option<Session> {
        self.get_at(token, Instant::now())
    }

    fn get_at(&self, token: &str, now: Instant) -> Option<Session> {
        let key = key_of(token);
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let live = sessions.get(&key).is_some_and(|s| self.live(s, now));
        if !live {
            sessions.remove(&key);
            return None;
        }
        let session = sessions.get_mut(&key)?;
        session.last_seen = now;
        Some(session.clone())
    }

    /// A new empty session and its token.
    pub fn create(&self) -> (String, Session) {
        let now = Instant::now();
        let token = random_token();
        let session = Session::new(now);
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        if sessions.len() > SWEEP_ABOVE {
            sessions.retain(|_, s| self.live(s, now));
        }
        sessions.insert(key_of(&token), session.clone());
        (token, session)
    }

    /// Stores `session` under `token` again after a change.
    pub fn save(&self, token: &str, session: Session) {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.insert(key_of(token), session);
    }

    /// A fresh token for the same session, the old one forgotten: done at login so that a
    /// token planted before it is worth nothing after (session fixation).
    pub fn renew(&self, old_token: &str, mut session: Session) -> String {
        let now = Instant::now();
        let token = random_token();
        session.csrf = random_token();
        session.created = now;
        session.last_seen = now;
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.remove(&key_of(old_token));
        sessions.insert(key_of(&token), session);
        token
    }

    pub fn end(&self, token: &str) {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.remove(&key_of(token));
    }
}

/// Login attempts per client address within a window: beyond the limit, refused until the
/// window has passed.
#[derive(Debug)]
pub struct RateLimiter {
    attempts: Mutex<HashMap<String, (Instant, u32)>>,
    limit: u32,
    window: Duration,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            attempts: Mutex::new(HashMap::new()),
            limit,
            window,
        }
    }

    /// Counts an attempt from `client`; false when over the limit.
    pub fn allow(&self, client: &str) -> bool {
        let now = Instant::now();
        let mut attempts = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
        if attempts.len() > SWEEP_ABOVE {
            attempts.retain(|_, (since, _)| now.duration_since(*since) < self.window);
        }
        let entry = attempts.entry(client.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_found_by_its_token_only_and_renewal_forgets_the_old_token() {
        let sessions = Sessions::new(Timeouts::default());
        let (token, session) = sessions.create();
        assert!(sessions.get(&token).is_some());
        assert!(sessions.get("not-a-token").is_none());
        let renewed = sessions.renew(&token, session.clone());
        assert!(sessions.get(&token).is_none());
        let after = sessions.get(&renewed).unwrap();
        assert_ne!(after.csrf, session.csrf, "a new CSRF token at login");
        assert!(after.csrf_matches(&after.csrf.clone()));
        assert!(!after.csrf_matches(""));
        assert!(!after.csrf_matches(&session.csrf));
    }

    #[test]
    fn an_idle_session_times_out() {
        let sessions = Sessions::new(Timeouts {
            idle: Duration::from_millis(30),
            absolute: Duration::from_secs(60),
        });
        let (token, _) = sessions.create();
        let now = Instant::now();
        assert!(sessions.get_at(&token, now).is_some());
        assert!(
            sessions
                .get_at(&token, now + Duration::from_millis(60))
                .is_none()
        );
        assert!(
            sessions.get(&token).is_none(),
            "a timed-out session is gone"
        );
    }

    #[test]
    fn login_attempts_are_limited_per_client() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        assert!((0..3).all(|_| limiter.allow("10.0.0.1")));
        assert!(!limiter.allow("10.0.0.1"));
        assert!(limiter.allow("10.0.0.2"));
    }
}
