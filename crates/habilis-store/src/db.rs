//! `Db`: opening either database, migrating it, and the reads made outside write
//! transactions.

use std::str::FromStr;
use std::time::Duration;

use habilis_domain::{Change, Key, Organization, OrganizationId, Timestamp, User, UserId, World};
use serde::de::DeserializeOwned;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use crate::StoreError;
use crate::audit::{self, AuditDraft, AuditEvent, AuditFilter, AuditVerification, event_of};
use crate::entities::{EntityFilter, EntityKind};
use crate::reads;
use crate::sql::{AUDIT_COLUMNS, Bind, Pooled, Statement, Transact, revision_of, stored_revision};
use crate::tokens::TokenRecord;
use crate::tx::Tx;

static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a SQLite writer waits for the write lock before failing.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A pool of connections to the store's database.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// How many changes a load hands over at a time: large enough that the per-chunk work is
/// negligible, small enough to be a few megabytes.
pub const LOAD_CHUNK: usize = 10_000;

impl Db {
    /// Opens a pool; does not migrate. Accepts `postgres://...` and `postgresql://...`
    /// (libpq-style parameters, e.g. `?options[search_path]=habilis` to use a schema), and
    /// for SQLite `sqlite://path`, `sqlite:path`, a bare file path, or `sqlite::memory:`. A
    /// SQLite file is created if missing and opened in WAL mode with foreign keys on and a
    /// 10 s busy timeout. An in-memory database gets a single connection (it lives as long as
    /// the pool), so it must not be read through `Db` while a `Tx` is open.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .connect_with(options)
                .await?;
            return Ok(Db::Postgres(pool));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"));
        let options = match path {
            Some(_) => SqliteConnectOptions::from_str(url)?,
            None if url.is_empty() || url.contains("://") => {
                return Err(StoreError::Url(url.to_owned()));
            }
            None => SqliteConnectOptions::new().filename(url),
        };
        let in_memory = path.is_some_and(|path| {
            path.is_empty() || path.starts_with(":memory:") || path.contains("mode=memory")
        });
        let options = options
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(SQLITE_BUSY_TIMEOUT);
        let pool = if in_memory {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await?
        } else {
            SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options.journal_mode(SqliteJournalMode::Wal))
                .await?
        };
        Ok(Db::Sqlite(pool))
    }

    /// Applies the embedded migrations that are not applied yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATOR.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATOR.run(pool).await?,
        }
        Ok(())
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Db::Sqlite(_))
    }

    /// Closes every connection of the pool.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }

    async fn acquire(&self) -> Result<Pooled, StoreError> {
        Ok(match self {
            Db::Sqlite(pool) => Pooled::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
        })
    }

    /// A read-only transaction that sees one snapshot of the database.
    async fn snapshot(&self) -> Result<Transact, StoreError> {
        Ok(match self {
            // In WAL mode a deferred transaction reads one snapshot from its first read on.
            Db::Sqlite(pool) => Transact::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Transact::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?,
            ),
        })
    }

    /// Begins a write transaction; waits for the writer lock.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let transact = match self {
            Db::Sqlite(pool) => Transact::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Transact::Postgres(pool.begin().await?),
        };
        Tx::start(transact).await
    }

    /// The last committed revision (0 for an empty store).
    pub async fn current_revision(&self) -> Result<u64, StoreError> {
        let state = self.acquire().await?.conn().state(false).await?;
        revision_of(state.revision)
    }

    /// Every entity as the change that would write it, in a deterministic order (settings,
    /// levels, operators, organisations, legal representatives, users, subject ids,
    /// memberships, applications, subscriptions, designations, grants, mandates,
    /// suspensions, approvals, resources; then by key), with the revision they are current
    /// at, read from one snapshot.
    pub async fn load_changes(&self) -> Result<(Vec<Change>, u64), StoreError> {
        let mut changes = Vec::new();
        let revision = self
            .load_changes_into(LOAD_CHUNK, |chunk| changes.extend(chunk))
            .await?;
        Ok((changes, revision))
    }

    /// `load_changes` handed over in chunks of at most `chunk` changes as the rows arrive,
    /// so that a server loading millions of entities holds one chunk at a time besides its
    /// engine. Returns the revision the changes are current at.
    pub async fn load_changes_into(
        &self,
        chunk: usize,
        sink: impl FnMut(Vec<Change>),
    ) -> Result<u64, StoreError> {
        let mut transact = self.snapshot().await?;
        let read = async {
            let mut conn = transact.conn();
            let state = conn.state(false).await?;
            reads::each_change(&mut conn, chunk, sink).await?;
            revision_of(state.revision)
        }
        .await;
        transact.rollback().await?;
        read
    }

    /// As `Tx::load_slice`, for reads: one consistent snapshot, without the writer lock.
    pub async fn read_slice(
        &self,
        organizations: &[OrganizationId],
        users: &[UserId],
        applications: &[Key],
    ) -> Result<World, StoreError> {
        let mut transact = self.snapshot().await?;
        let read = async {
            let mut conn = transact.conn();
            reads::slice(&mut conn, organizations, users, applications).await
        }
        .await;
        transact.rollback().await?;
        read
    }

    /// The whole world with the revision it is current at.
    pub async fn load_world(&self) -> Result<(World, u64), StoreError> {
        let (changes, revision) = self.load_changes().await?;
        let mut world = World::default();
        for change in &changes {
            world.apply(change);
        }
        Ok((world, revision))
    }

    /// The changes of every committed event after `revision`, in order, with their
    /// revisions.
    pub async fn changes_since(
        &self,
        revision: u64,
    ) -> Result<Vec<(u64, Vec<Change>)>, StoreError> {
        let mut statement = Statement::new(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE outcome = 'committed' AND revision > "
        ));
        statement
            .bind(Bind::int(stored_revision(revision)))
            .push(" ORDER BY seq");
        let rows = self.acquire().await?.conn().audit_rows(statement).await?;
        rows.into_iter()
            .map(|row| {
                let event = event_of(row)?;
                Ok((event.revision, event.changes))
            })
            .collect()
    }

    /// The world as it was at `at`: every committed change whose event is at or before
    /// `at`, replayed in order.
    pub async fn world_at(&self, at: Timestamp) -> Result<World, StoreError> {
        let mut statement = Statement::new(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE outcome = 'committed' AND at <= "
        ));
        statement.bind(Bind::int(at.0)).push(" ORDER BY seq");
        let rows = self.acquire().await?.conn().audit_rows(statement).await?;
        let mut world = World::default();
        for row in rows {
            for change in &event_of(row)?.changes {
                world.apply(change);
            }
        }
        Ok(world)
    }

    pub async fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        let rows = self
            .acquire()
            .await?
            .conn()
            .audit_rows(audit::filter_statement(filter))
            .await?;
        rows.into_iter().map(event_of).collect()
    }

    /// Walks the audit chain from the first event to the head recorded by the last writer.
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        let mut transact = self.snapshot().await?;
        let verified = async {
            let mut conn = transact.conn();
            let state = conn.state(false).await?;
            audit::verify(&mut conn, &state).await
        }
        .await;
        transact.rollback().await?;
        verified
    }

    /// Audits a refused attempt, in its own transaction, at the current revision.
    pub async fn record_refusal(&self, draft: AuditDraft) -> Result<(), StoreError> {
        self.begin().await?.commit_refusal(draft).await
    }

    pub async fn find_token(&self, id: &str) -> Result<Option<TokenRecord>, StoreError> {
        reads::find_token(&mut self.acquire().await?.conn(), id).await
    }

    /// The tokens of a user and/or an application, oldest first.
    pub async fn list_tokens(
        &self,
        user: Option<&UserId>,
        application: Option<&Key>,
    ) -> Result<Vec<TokenRecord>, StoreError> {
        reads::list_tokens(&mut self.acquire().await?.conn(), user, application).await
    }

    /// Entities of one kind matching `filter`, in key order (see `entities` for the body
    /// type of each kind).
    pub async fn load_entities<T: DeserializeOwned>(
        &self,
        kind: EntityKind,
        filter: &EntityFilter,
    ) -> Result<Vec<T>, StoreError> {
        reads::load_entities(&mut self.acquire().await?.conn(), kind, filter).await
    }

    /// How many entities `load_entities` would list without `limit` and `offset`.
    pub async fn count_entities(
        &self,
        kind: EntityKind,
        filter: &EntityFilter,
    ) -> Result<u64, StoreError> {
        reads::count_entities(&mut self.acquire().await?.conn(), kind, filter).await
    }

    pub async fn get<T: DeserializeOwned>(
        &self,
        kind: EntityKind,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        reads::get(&mut self.acquire().await?.conn(), kind, key).await
    }

    /// The invitation whose token hashes to `token_hash`.
    pub async fn find_invitation(
        &self,
        token_hash: &str,
    ) -> Result<Option<crate::accounts::Invitation>, StoreError> {
        crate::accounts::find_invitation(&mut self.acquire().await?.conn(), token_hash).await
    }

    /// The local account of `user`, if they have one.
    pub async fn find_local_account(
        &self,
        user: &habilis_domain::UserId,
    ) -> Result<Option<crate::accounts::LocalAccount>, StoreError> {
        crate::accounts::find(&mut self.acquire().await?.conn(), user).await
    }

    /// The user `application` knows by the linked subject id `subject`, and only that way.
    pub async fn find_user_by_subject_id(
        &self,
        application: &str,
        subject: &str,
    ) -> Result<Option<User>, StoreError> {
        reads::find_user_by_subject_id(&mut self.acquire().await?.conn(), application, subject)
            .await
    }

    /// As `Tx::find_user`, outside a write transaction.
    pub async fn find_user(
        &self,
        name: &str,
        application: Option<&str>,
    ) -> Result<Option<User>, StoreError> {
        reads::find_user(&mut self.acquire().await?.conn(), name, application).await
    }

    /// As `Tx::find_organization`, outside a write transaction.
    pub async fn find_organization(&self, name: &str) -> Result<Option<Organization>, StoreError> {
        reads::find_organization(&mut self.acquire().await?.conn(), name).await
    }
}
