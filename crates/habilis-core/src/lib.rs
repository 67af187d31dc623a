//! The use cases of Habilis: one function per command.
//!
//! Every change follows the same steps: open a write transaction (which serializes writers),
//! load the slice of the world the rule needs, ask `habilis_domain::powers`, write the change
//! with its audit event and a new revision, commit, then bring the engine up to that revision
//! before answering. A refusal is audited in its own transaction and returned as
//! `Error::Refused`. The HTTP API, the web interface and the CLI all call these functions, so
//! every path checks the same rules.

pub mod auth;
pub mod clock;
pub mod commands;
pub mod error;
pub mod ids;
pub mod services;

pub use clock::{Clock, SystemClock, TestClock};
pub use error::Error;
/// The audit trail's types, as the store keeps them.
pub use habilis_store::{AuditEvent, AuditFilter, AuditOutcome};
pub use services::{Caller, Committed, Services};
