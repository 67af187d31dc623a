//! `Services`: the store, the engine and the clock, and the steps every command shares.

use std::sync::Arc;
use std::time::Duration;

use habilis_domain::powers::Actor;
use habilis_domain::{Change, Key, OrganizationId, Refusal, Timestamp, UserId};
use habilis_engine::{EngineHost, Expected, Loading, Snapshot};
use habilis_store::{AuditDraft, CommittedChanges, Db, Tx};
use tokio::sync::{Mutex, watch};

use crate::clock::Clock;
use crate::error::Error;

/// Who is calling: a person (with the security level of their session or token) or an
/// application's credential.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Caller {
    pub user: Option<UserId>,
    pub application: Option<Key>,
    /// The level's rank, and its key for the audit trail.
    pub level: Option<u8>,
    pub level_name: Option<String>,
}

impl Caller {
    pub fn user(user: UserId, level: Option<(u8, String)>) -> Caller {
        let (level, level_name) = match level {
            Some((rank, name)) => (Some(rank), Some(name)),
            None => (None, None),
        };
        Caller {
            user: Some(user),
            application: None,
            level,
            level_name,
        }
    }

    pub fn application(application: Key) -> Caller {
        Caller {
            user: None,
            application: Some(application),
            level: None,
            level_name: None,
        }
    }

    /// The platform itself, for the CLI's bootstrap commands (`init`, `token create`,
    /// `demo`): these run with access to the database, which is the stronger credential.
    pub fn system() -> Caller {
        Caller {
            user: None,
            application: None,
            level: None,
            level_name: None,
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user: self.user.clone(),
            application: self.application.clone(),
            level: self.level,
        }
    }
}

/// A committed change: what it made and the revision it committed.
#[derive(Clone, Debug)]
pub struct Committed<T> {
    pub value: T,
    pub revision: u64,
}

/// What an audit event says about a command, beyond who acted.
#[derive(Clone, Debug, Default)]
pub(crate) struct AuditContext {
    pub action: &'static str,
    pub organization: Option<OrganizationId>,
    pub application: Option<Key>,
    pub subject_user: Option<UserId>,
    pub target: Option<String>,
    pub reason: Option<String>,
    pub detail: serde_json::Value,
}

impl AuditContext {
    pub fn new(action: &'static str) -> AuditContext {
        AuditContext {
            action,
            detail: serde_json::Value::Null,
            ..AuditContext::default()
        }
    }
}

/// The store's counts of the entities that fill the engine's large tables, read before a
/// load so that the tables are sized once (stored grants include ended ones: an upper
/// bound).
async fn expected_sizes(db: &Db) -> Result<Expected, Error> {
    use habilis_store::{EntityFilter, EntityKind};
    let all = EntityFilter::default();
    let count = async |kind| -> Result<usize, Error> {
        let counted = db.count_entities(kind, &all).await?;
        Ok(usize::try_from(counted).unwrap_or(usize::MAX))
    };
    Ok(Expected {
        users: count(EntityKind::User).await?,
        grants: count(EntityKind::Grant).await?,
        resources: count(EntityKind::Resource).await?,
    })
}

pub struct Services {
    pub(crate) db: Db,
    pub(crate) engine: Arc<EngineHost>,
    pub(crate) clock: Arc<dyn Clock>,
    revision: watch::Sender<u64>,
    catch_up_lock: Mutex<()>,
    pub(crate) token_cache: crate::auth::TokenCache,
}

impl Services {
    /// Builds the engine from the store and returns the services.
    pub async fn open(db: Db, clock: Arc<dyn Clock>) -> Result<Arc<Services>, Error> {
        // The engine is built on a thread of its own while the store is read and decoded,
        // so that the two overlap; a few chunks in flight bound the memory.
        let expected = expected_sizes(&db).await?;
        let (chunks, received) = std::sync::mpsc::sync_channel::<Vec<Change>>(4);
        let builder = std::thread::spawn(move || {
            let mut loading = Loading::expecting(expected);
            for chunk in received {
                loading.apply(&chunk);
            }
            loading
        });
        let read = db
            .load_changes_into(habilis_store::LOAD_CHUNK, |chunk| {
                // The builder only stops when `chunks` is dropped; a send cannot fail before.
                let _ = chunks.send(chunk);
            })
            .await;
        drop(chunks);
        let loading = builder.join().map_err(|_| {
            Error::Internal(anyhow::anyhow!(
                "the engine builder stopped while loading the store"
            ))
        })?;
        let engine = Arc::new(EngineHost::loaded(loading, read?));
        let (sender, _) = watch::channel(engine.revision());
        Ok(Arc::new(Services {
            db,
            engine,
            clock,
            revision: sender,
            catch_up_lock: Mutex::new(()),
            token_cache: crate::auth::TokenCache::default(),
        }))
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The current snapshot of the decision engine.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.engine.snapshot()
    }

    /// The current snapshot, for work that does not await (see `EngineHost::current`).
    pub fn current_snapshot(&self) -> habilis_engine::SnapshotGuard {
        self.engine.current()
    }

    pub fn revision(&self) -> u64 {
        self.engine.revision()
    }

    /// Applies to the engine, in order, every change committed since its revision, by this
    /// server or any other process sharing the database.
    pub async fn catch_up(&self) -> Result<u64, Error> {
        let guard = self.catch_up_lock.lock().await;
        self.catch_up_holding(guard).await
    }

    /// `catch_up` for the holder of `catch_up_lock`.
    async fn catch_up_holding(
        &self,
        _guard: tokio::sync::MutexGuard<'_, ()>,
    ) -> Result<u64, Error> {
        let batches = self.db.changes_since(self.engine.revision()).await?;
        for (revision, changes) in batches {
            self.engine.apply(revision, &changes);
        }
        let revision = self.engine.revision();
        self.revision.send_replace(revision);
        Ok(revision)
    }

    /// Follows the store so that changes made by other processes (the CLI, other servers)
    /// reach this engine.
    pub fn spawn_follower(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let services = Arc::clone(self);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            loop {
                interval.tick().await;
                if let Err(error) = services.catch_up().await {
                    tracing::warn!(%error, "could not follow the store");
                }
            }
        })
    }

    /// Waits until the engine has applied `min_revision`, at most `timeout` in all: reading
    /// the store for revisions other processes committed counts in it, so a slow or
    /// unreachable store cannot hold the caller longer. A revision the store has not
    /// committed yet is not waited for longer than that either.
    pub async fn wait_for(&self, min_revision: u64, timeout: Duration) -> Result<(), Error> {
        if self.engine.revision() >= min_revision {
            return Ok(());
        }
        let mut receiver = self.revision.subscribe();
        let reached = tokio::time::timeout(timeout, async {
            // One read of the store at a time serves every waiter: a catch-up already
            // running publishes what it finds to all of them, and the follower reads again
            // soon, so requests asking for revisions the store does not have cannot queue
            // up reads behind each other (nor delay the writes' own read-back). Failing to
            // read the store now leaves the follower to bring the revision.
            if let Ok(guard) = self.catch_up_lock.try_lock() {
                let _ = self.catch_up_holding(guard).await;
            }
            receiver
                .wait_for(|revision| *revision >= min_revision)
                .await
                .map(|_| ())
        })
        .await;
        match reached {
            Ok(Ok(_)) => Ok(()),
            _ if self.engine.revision() >= min_revision => Ok(()),
            _ => Err(Error::Stale { min_revision }),
        }
    }

    pub(crate) fn draft(
        &self,
        caller: &Caller,
        context: &AuditContext,
        code: Option<&Refusal>,
    ) -> AuditDraft {
        AuditDraft {
            at: self.now(),
            actor_user: caller.user.clone(),
            actor_application: caller.application.clone(),
            actor_level: caller.level_name.clone(),
            action: context.action.to_owned(),
            organization: context.organization.clone(),
            application: context.application.clone(),
            subject_user: context.subject_user.clone(),
            target: context.target.clone(),
            reason: context.reason.clone(),
            code: code.map(|refusal| refusal.code.as_str().to_owned()),
            detail: match code {
                Some(refusal) => {
                    serde_json::json!({ "refusal": refusal.detail, "request": context.detail })
                }
                None => context.detail.clone(),
            },
        }
    }

    /// Commits `changes` with their audit event, then brings the engine up to the new
    /// revision, so that a decision made after the caller hears of the write sees it.
    pub(crate) async fn commit(
        &self,
        tx: Tx,
        caller: &Caller,
        context: &AuditContext,
        changes: Vec<Change>,
    ) -> Result<u64, Error> {
        let draft = self.draft(caller, context, None);
        let committed = tx.commit_changes(draft, changes).await?;
        self.apply_committed(&committed).await;
        Ok(committed.revision())
    }

    /// Brings the engine up to the revision this process just committed. The store numbers
    /// the writes it serialises one after another, so when the engine holds the revision
    /// before, this write's changes are the next ones and are applied as they are in hand,
    /// within microseconds of the commit; otherwise another process wrote in between, and
    /// the engine reads the store from its revision on, in order.
    ///
    /// The write is done whatever happens here, so its caller always hears of it and of its
    /// revision: a failed answer would invite a retry of a write that took place. Should the
    /// store not answer the read-back after a few tries, the follower brings the revision
    /// later, and until then a decision asked with `min_revision` waits or answers 503 rather
    /// than answering from older state.
    pub async fn apply_committed(&self, committed: &CommittedChanges) {
        let revision = committed.revision();
        {
            let _guard = self.catch_up_lock.lock().await;
            let applied = self.engine.revision();
            if applied >= revision {
                return;
            }
            if applied.checked_add(1) == Some(revision) {
                self.engine.apply(revision, committed.changes());
                self.revision.send_replace(revision);
                return;
            }
        }
        for pause_ms in [0, 20, 100, 500] {
            // No timer before the first try: a write's way to the decisions is counted in
            // microseconds, and the timer's granularity is a millisecond.
            if pause_ms > 0 {
                tokio::time::sleep(Duration::from_millis(pause_ms)).await;
            }
            match self.catch_up().await {
                Ok(applied) if applied >= revision => return,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, revision, "could not read back a write"),
            }
        }
        tracing::error!(
            revision,
            "a committed write is not in the decision engine yet; the follower will apply it"
        );
    }

    /// Rolls back, audits the refusal in its own transaction, and returns it as the error.
    pub(crate) async fn refuse<T>(
        &self,
        tx: Tx,
        caller: &Caller,
        context: &AuditContext,
        refusal: Refusal,
    ) -> Result<T, Error> {
        tx.rollback().await?;
        self.record_refusal(caller, context, &refusal).await?;
        Err(Error::Refused(refusal))
    }

    /// Audits a refusal that happened outside a write transaction (a read the caller may not
    /// make).
    pub(crate) async fn record_refusal(
        &self,
        caller: &Caller,
        context: &AuditContext,
        refusal: &Refusal,
    ) -> Result<(), Error> {
        let draft = self.draft(caller, context, Some(refusal));
        self.db.record_refusal(draft).await?;
        tracing::info!(
            action = context.action,
            code = refusal.code.as_str(),
            "refused"
        );
        Ok(())
    }
}
