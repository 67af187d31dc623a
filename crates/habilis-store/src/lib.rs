//! Persistence for Habilis on SQLite and PostgreSQL: entities, revisions, the hash-chained
//! audit trail and tokens. The only crate that knows SQL.
//!
//! - `Db` is an enum over the two pools; every query is written once with `$N` parameters
//!   (which sqlx's SQLite driver accepts too) and run on either through the `dispatch!`
//!   macro of `sql`.
//! - Entities are JSON documents in one `entities` table, with the columns they are looked
//!   up by (`entities`). Every `Change` of the domain maps to an upsert or a delete there.
//! - A write is a `Tx`: it takes the writer lock (`BEGIN IMMEDIATE` on SQLite, `SELECT ... FOR
//!   UPDATE` of the single `store_state` row on PostgreSQL), and `Tx::commit_change` writes
//!   the changes, the next revision and one hash-chained audit event in that transaction.
//! - Refusals are audited in their own transaction (`Db::record_refusal`), chained like the
//!   rest, at the current revision.

mod accounts;
mod audit;
mod db;
mod entities;
mod reads;
mod sql;
mod tokens;
mod tx;

pub use accounts::{Invitation, LocalAccount};
pub use audit::{
    AuditDraft, AuditEvent, AuditFilter, AuditOutcome, AuditVerification, GENESIS_HASH,
};
pub use db::{Db, LOAD_CHUNK};
pub use entities::{
    EntityFilter, EntityKind, KEY_SEPARATOR, LegalRepresentativeRecord, OperatorRecord,
    SubjectIdRecord, composite_key,
};
pub use tokens::{TokenKind, TokenRecord};
pub use tx::{CommittedChanges, Tx};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule refused the write; `what` names it as `kind.field`, for example
    /// `user.national_number`, `user.email`, `organization.enterprise_number`,
    /// `organization.external_id` or `token.id`. Nothing of the transaction was written.
    #[error("`{what}` is already taken")]
    Conflict { what: String },
    #[error("not found")]
    NotFound,
    /// The database holds something this code cannot read back.
    #[error("the store holds unreadable data: {0}")]
    Corrupt(String),
    /// The URL names no supported database.
    #[error("unsupported database url: {0}")]
    Url(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[cfg(test)]
mod tests;
