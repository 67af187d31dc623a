//! The in-memory decision engine: an indexed projection of the world that answers
//! decisions, and the reverse questions, without reading a database.
//!
//! The world enters as `habilis_domain::Change`s, one entity state at a time: at start every
//! stored entity, later every committed change. `EngineHost` applies them to a copy of the
//! current `Snapshot` and publishes the result atomically; readers hold an
//! `Arc<Snapshot>` and never wait for the writer.
//!
//! Design, for a million grants and a million resources:
//! - names are interned to dense `u32` ids (users, organisations, and one table for every
//!   key: applications, roles, actions, subject-matters, categories, resource types);
//! - each user's record holds their grants, memberships and suspensions, so a check is one
//!   lookup and a short scan; resources are found by (application, type, id), and indexed
//!   by (application, type, organisation, matter, category) for resource search; grant
//!   holders by (application, organisation) for subject search; national numbers, e-mails,
//!   enterprise numbers, external and subject ids by hash;
//! - every container is split into shards behind `Arc`s (`shards`), so applying a change
//!   clones the few small shards it touches, never the world.
//!
//! Answers are the reference evaluator's (`habilis_domain::decision`), check for check.

mod apply;
mod grants;
mod prefetch;
mod runs;
mod shards;
mod slots;
mod snapshot;

use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwap;
use habilis_domain::Change;

pub use snapshot::{Asked, Entitlement, Snapshot};

/// A hold on the published snapshot that counts no reference (`EngineHost::current`).
pub type SnapshotGuard = arc_swap::Guard<std::sync::Arc<Snapshot>>;

/// Counts for `/metrics` and diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Registered users.
    pub users: usize,
    /// Registered organisations.
    pub organizations: usize,
    /// Registered applications.
    pub applications: usize,
    /// Active grants, in force or not at any given moment (revoked, pending and rejected
    /// grants are not kept).
    pub grants: usize,
    /// Registered resources.
    pub resources: usize,
}

/// Holds the published snapshot. One writer (`apply`, serialised by a lock), any number of
/// readers (`snapshot`, lock-free).
#[derive(Debug)]
pub struct EngineHost {
    published: ArcSwap<Snapshot>,
    writer: Mutex<WriterState>,
}

#[derive(Debug, Default)]
struct WriterState {
    writer: apply::Writer,
    /// Whether a batch was applied: the first batch is taken whatever its revision, so that
    /// a store still at revision 0 can load its entities.
    started: bool,
}

/// The first snapshot, built from the stored world chunk by chunk before any reader sees
/// it; `EngineHost::loaded` publishes it whole. The chunks can then be dropped as they are
/// applied, so that a load never holds the whole world twice.
#[derive(Debug, Default)]
pub struct Loading {
    snapshot: Snapshot,
    writer: apply::Writer,
}

/// How many entities of the kinds that fill the large tables a load is about to bring,
/// as the store counts them: a hint, so that `Loading::expecting` can size those tables
/// once instead of growing them by doubling (which is slower, and leaves every smaller
/// table it grew through behind as freed memory the process still holds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    pub users: usize,
    pub grants: usize,
    pub resources: usize,
}

impl Loading {
    /// A load with its large tables sized for `expected`.
    pub fn expecting(expected: Expected) -> Loading {
        let mut loading = Loading::default();
        loading.snapshot.reserve(expected);
        loading.writer.reserve(expected);
        loading
    }

    pub fn apply(&mut self, changes: &[Change]) {
        for change in changes {
            self.writer.apply(&mut self.snapshot, change);
        }
    }
}

impl Default for EngineHost {
    fn default() -> EngineHost {
        EngineHost::new()
    }
}

impl EngineHost {
    pub fn new() -> EngineHost {
        EngineHost {
            published: ArcSwap::from_pointee(Snapshot::default()),
            writer: Mutex::new(WriterState::default()),
        }
    }

    /// An engine that starts from what `loading` built, current at `revision`.
    pub fn loaded(loading: Loading, revision: u64) -> EngineHost {
        let Loading {
            mut snapshot,
            mut writer,
        } = loading;
        snapshot.revision = revision;
        snapshot.compact();
        writer.compact();
        EngineHost {
            published: ArcSwap::from_pointee(snapshot),
            writer: Mutex::new(WriterState {
                writer,
                started: true,
            }),
        }
    }

    /// Applies the changes committed at `revision` and publishes a new snapshot. Revisions
    /// only go up: once a batch was applied, a batch at a revision <= the current one is
    /// ignored (already applied).
    pub fn apply(&self, revision: u64, changes: &[Change]) {
        // A poisoned lock means a previous apply panicked before publishing; the writer's
        // bookkeeping may then be ahead of the published snapshot. Nothing here panics, and
        // refusing every later change would be worse than carrying on.
        let mut state = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let current = self.published.load_full();
        if state.started && revision <= current.revision() {
            return;
        }
        let mut next = Snapshot::clone(&current);
        for change in changes {
            state.writer.apply(&mut next, change);
        }
        next.revision = revision;
        state.started = true;
        self.published.store(Arc::new(next));
    }

    /// The current snapshot; hold it for the duration of one request so that all its
    /// answers come from the same revision.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.published.load_full()
    }

    /// The current snapshot, held without counting a reference to it: for a request's
    /// work that does not wait on anything (it must not be held across an `.await`).
    /// Every request on every core would otherwise add to and take from the same count,
    /// and the cores would take turns at its cache line.
    pub fn current(&self) -> SnapshotGuard {
        self.published.load()
    }

    pub fn revision(&self) -> u64 {
        self.published.load().revision()
    }
}

#[cfg(test)]
mod tests;
