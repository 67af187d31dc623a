//! The audit trail: one event per committed change or refused attempt, chained by hashes so
//! that an edited, deleted or reordered event is detected.
//!
//! # The hash
//!
//! `hash = hex(sha256(prev_hash ‖ "\n" ‖ canonical))`, lower-case hex, where `prev_hash` is
//! the previous event's `hash` (64 ASCII zeros for the first event) and `canonical` is the
//! compact JSON array (serde_json, no white space) of every other column in this order:
//!
//! ```text
//! [seq, revision, at, actor_user, actor_application, actor_level, action, outcome, code,
//!  organization_id, application, subject_user, target, reason, detail, changes]
//! ```
//!
//! Integers are JSON numbers, text columns JSON strings or `null`, and `detail` and
//! `changes` are the stored column text as one JSON *string* each (not re-parsed), so the
//! hash does not depend on how a JSON value would be re-serialized. `seq` is hashed, so
//! moving an event changes its hash.
//!
//! The writer gives `seq` as the previous one plus one and keeps the last `seq` and `hash`
//! in `store_state`, so `verify` also finds a gap (a deleted event) and a missing tail.

use habilis_domain::{Change, Key, OrganizationId, Timestamp, UserId};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::StoreError;
use crate::sql::{AUDIT_COLUMNS, AuditRow, Bind, Conn, StateRow, Statement, revision_of};

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What the core knows of an event before it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditDraft {
    pub at: Timestamp,
    pub actor_user: Option<UserId>,
    pub actor_application: Option<Key>,
    /// The actor's security level, by key.
    pub actor_level: Option<String>,
    /// What was done or attempted, e.g. `grant.create`.
    pub action: String,
    pub organization: Option<OrganizationId>,
    pub application: Option<Key>,
    pub subject_user: Option<UserId>,
    /// What the action was about, e.g. a grant id.
    pub target: Option<String>,
    pub reason: Option<String>,
    /// For refusals: the refusal code.
    pub code: Option<String>,
    /// Anything else worth keeping (before/after, request fields).
    pub detail: serde_json::Value,
}

impl AuditDraft {
    /// A draft with only a moment and an action; fill the rest with struct update syntax.
    pub fn new(at: Timestamp, action: impl Into<String>) -> AuditDraft {
        AuditDraft {
            at,
            actor_user: None,
            actor_application: None,
            actor_level: None,
            action: action.into(),
            organization: None,
            application: None,
            subject_user: None,
            target: None,
            reason: None,
            code: None,
            detail: serde_json::Value::Null,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    Committed,
    Refused,
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Committed => "committed",
            AuditOutcome::Refused => "refused",
        }
    }
}

/// An event as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    /// The revision the event committed, or the current one for a refusal.
    pub revision: u64,
    pub at: Timestamp,
    pub actor_user: Option<UserId>,
    pub actor_application: Option<Key>,
    pub actor_level: Option<String>,
    pub action: String,
    pub outcome: AuditOutcome,
    pub code: Option<String>,
    pub organization: Option<OrganizationId>,
    pub application: Option<Key>,
    pub subject_user: Option<UserId>,
    pub target: Option<String>,
    pub reason: Option<String>,
    pub detail: serde_json::Value,
    /// What a committed event changed; empty for refusals.
    pub changes: Vec<Change>,
    pub prev_hash: String,
    pub hash: String,
}

/// Which events a list reads. Every given field must match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditFilter {
    pub organization: Option<OrganizationId>,
    /// Matches the acting user or the user acted upon.
    pub user: Option<UserId>,
    pub application: Option<Key>,
    /// Events at or after this moment.
    pub since: Option<Timestamp>,
    /// Events strictly before this moment.
    pub until: Option<Timestamp>,
    /// The cursor: events after this `seq` in the listing order (greater when ascending,
    /// smaller when `newest_first`).
    pub after_seq: Option<i64>,
    /// List newest first instead of oldest first.
    pub newest_first: bool,
    /// At most this many events.
    pub limit: u32,
}

impl Default for AuditFilter {
    fn default() -> AuditFilter {
        AuditFilter {
            organization: None,
            user: None,
            application: None,
            since: None,
            until: None,
            after_seq: None,
            newest_first: false,
            limit: 100,
        }
    }
}

/// The result of walking the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// How many events were read.
    pub events: u64,
    /// The first `seq` where the chain does not hold: an event whose content or link is
    /// wrong, or the position of a missing event. `None` when the chain is intact.
    pub first_broken: Option<i64>,
    /// The `hash` of the last event (the genesis hash for an empty trail): a value that may be
    /// kept outside the database to anchor the chain.
    pub head: String,
}

/// The hash of an event whose columns are `row` (its own `hash` is ignored).
pub(crate) fn event_hash(row: &AuditRow) -> String {
    let canonical = serde_json::json!([
        row.seq,
        row.revision,
        row.at,
        row.actor_user,
        row.actor_application,
        row.actor_level,
        row.action,
        row.outcome,
        row.code,
        row.organization_id,
        row.application,
        row.subject_user,
        row.target,
        row.reason,
        row.detail,
        row.changes,
    ]);
    let mut hasher = Sha256::new();
    hasher.update(row.prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

/// Appends an event after `state`'s head and returns the new `store_state` values
/// `(audit_seq, audit_head)`. The caller holds the writer lock and updates `store_state`.
pub(crate) async fn append(
    conn: &mut Conn<'_>,
    state: &StateRow,
    revision: i64,
    outcome: AuditOutcome,
    draft: AuditDraft,
    changes: &[Change],
) -> Result<(i64, String), StoreError> {
    let detail = draft.detail.to_string();
    let changes = serde_json::to_string(changes).map_err(|error| {
        StoreError::Corrupt(format!("BUG: a change does not serialize: {error}"))
    })?;
    let mut row = AuditRow {
        seq: state.audit_seq.saturating_add(1),
        revision,
        at: draft.at.0,
        actor_user: draft.actor_user.map(|user| user.as_str().to_owned()),
        actor_application: draft.actor_application.map(String::from),
        actor_level: draft.actor_level,
        action: draft.action,
        outcome: outcome.as_str().to_owned(),
        code: draft.code,
        organization_id: draft
            .organization
            .map(|organization| organization.as_str().to_owned()),
        application: draft.application.map(String::from),
        subject_user: draft.subject_user.map(|user| user.as_str().to_owned()),
        target: draft.target,
        reason: draft.reason,
        detail,
        changes,
        prev_hash: state.audit_head.clone(),
        hash: String::new(),
    };
    row.hash = event_hash(&row);
    let mut statement = Statement::new(&format!(
        "INSERT INTO audit_events ({AUDIT_COLUMNS}) VALUES "
    ));
    statement.bind_list([
        Bind::int(row.seq),
        Bind::int(row.revision),
        Bind::int(row.at),
        Bind::Text(row.actor_user),
        Bind::Text(row.actor_application),
        Bind::Text(row.actor_level),
        Bind::text(row.action),
        Bind::text(row.outcome),
        Bind::Text(row.code),
        Bind::Text(row.organization_id),
        Bind::Text(row.application),
        Bind::Text(row.subject_user),
        Bind::Text(row.target),
        Bind::Text(row.reason),
        Bind::text(row.detail),
        Bind::text(row.changes),
        Bind::text(row.prev_hash),
        Bind::text(row.hash.clone()),
    ]);
    conn.execute(statement).await?;
    Ok((row.seq, row.hash))
}

/// Reads a stored row back as an event.
pub(crate) fn event_of(row: AuditRow) -> Result<AuditEvent, StoreError> {
    let corrupt = |what: &str, error: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("audit event {}: {what}: {error}", row.seq))
    };
    let key = |text: Option<String>| -> Result<Option<Key>, StoreError> {
        text.map(|text| Key::parse("application", &text))
            .transpose()
            .map_err(|error| corrupt("application", &error))
    };
    let outcome = match row.outcome.as_str() {
        "committed" => AuditOutcome::Committed,
        "refused" => AuditOutcome::Refused,
        other => return Err(corrupt("outcome", &other)),
    };
    let detail = serde_json::from_str(&row.detail).map_err(|error| corrupt("detail", &error))?;
    let changes = serde_json::from_str(&row.changes).map_err(|error| corrupt("changes", &error))?;
    Ok(AuditEvent {
        seq: row.seq,
        revision: revision_of(row.revision)?,
        at: Timestamp(row.at),
        actor_user: row.actor_user.map(UserId::new),
        actor_application: key(row.actor_application.clone())?,
        actor_level: row.actor_level.clone(),
        action: row.action.clone(),
        outcome,
        code: row.code.clone(),
        organization: row.organization_id.clone().map(OrganizationId::new),
        application: key(row.application.clone())?,
        subject_user: row.subject_user.clone().map(UserId::new),
        target: row.target.clone(),
        reason: row.reason.clone(),
        detail,
        changes,
        prev_hash: row.prev_hash.clone(),
        hash: row.hash.clone(),
    })
}

/// The statement listing events for `filter`.
pub(crate) fn filter_statement(filter: &AuditFilter) -> Statement {
    let mut statement = Statement::new(&format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE 1 = 1"
    ));
    if let Some(organization) = &filter.organization {
        statement
            .push(" AND organization_id = ")
            .bind(Bind::text(organization.as_str()));
    }
    if let Some(user) = &filter.user {
        statement
            .push(" AND (actor_user = ")
            .bind(Bind::text(user.as_str()));
        let placeholder = statement.binds.len();
        statement.push(&format!(" OR subject_user = ${placeholder})"));
    }
    if let Some(application) = &filter.application {
        statement
            .push(" AND application = ")
            .bind(Bind::text(application.as_str()));
    }
    if let Some(since) = filter.since {
        statement.push(" AND at >= ").bind(Bind::int(since.0));
    }
    if let Some(until) = filter.until {
        statement.push(" AND at < ").bind(Bind::int(until.0));
    }
    if let Some(after) = filter.after_seq {
        let comparison = if filter.newest_first {
            " AND seq < "
        } else {
            " AND seq > "
        };
        statement.push(comparison).bind(Bind::int(after));
    }
    statement.push(if filter.newest_first {
        " ORDER BY seq DESC LIMIT "
    } else {
        " ORDER BY seq LIMIT "
    });
    statement.bind(Bind::int(i64::from(filter.limit)));
    statement
}

/// Walks the chain up to the head recorded in `state`. Call it inside a snapshot that also
/// read `state`.
pub(crate) async fn verify(
    conn: &mut Conn<'_>,
    state: &StateRow,
) -> Result<AuditVerification, StoreError> {
    const PAGE: i64 = 1000;
    let mut events: u64 = 0;
    let mut expected_seq: i64 = 1;
    let mut expected_prev = GENESIS_HASH.to_owned();
    loop {
        let mut statement = Statement::new(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE seq >= "
        ));
        statement
            .bind(Bind::int(expected_seq))
            .push(" AND seq <= ")
            .bind(Bind::int(state.audit_seq))
            .push(" ORDER BY seq LIMIT ")
            .bind(Bind::int(PAGE));
        let rows = conn.audit_rows(statement).await?;
        let page_len = rows.len();
        for row in rows {
            events = events.saturating_add(1);
            let broken = if row.seq != expected_seq {
                Some(expected_seq)
            } else if row.prev_hash != expected_prev || event_hash(&row) != row.hash {
                Some(row.seq)
            } else {
                None
            };
            if broken.is_some() {
                return Ok(AuditVerification {
                    events,
                    first_broken: broken,
                    head: state.audit_head.clone(),
                });
            }
            expected_seq = row.seq.saturating_add(1);
            expected_prev = row.hash;
        }
        if i64::try_from(page_len).unwrap_or(i64::MAX) < PAGE {
            break;
        }
    }
    // The events must reach the head that the last writer recorded, and nothing may follow
    // it (`state` and the events are read from one snapshot, so a later writer's events are
    // not seen here).
    let mut beyond = Statement::new("SELECT COUNT(*) FROM audit_events WHERE seq > ");
    beyond.bind(Bind::int(state.audit_seq));
    let forged_tail = conn.integer(beyond).await?.unwrap_or(0) > 0;
    let first_broken =
        if expected_seq <= state.audit_seq || expected_prev != state.audit_head || forged_tail {
            Some(expected_seq)
        } else {
            None
        };
    Ok(AuditVerification {
        events,
        first_broken,
        head: state.audit_head.clone(),
    })
}
