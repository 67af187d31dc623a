//! `Tx`: a write transaction holding the writer lock, and the one way changes are committed.

use std::collections::HashMap;

use habilis_domain::{Change, Key, Organization, OrganizationId, Timestamp, User, UserId, World};
use serde::de::DeserializeOwned;

use crate::StoreError;
use crate::audit::{self, AuditDraft, AuditOutcome};
use crate::entities::{EntityKind, EntityWrite, RowOp, conflict_of, row_op};
use crate::reads;
use crate::sql::{Bind, Conn, StateRow, Statement, Transact};
use crate::tokens::{self, TokenRecord};

/// A write transaction. Writers are serialized: SQLite's `BEGIN IMMEDIATE` holds the
/// database's write lock and PostgreSQL's `SELECT ... FOR UPDATE` the `store_state` row, from
/// `Db::begin` to the commit or rollback. So everything read through a `Tx` is current, and
/// revisions and the audit chain are written in order even by several servers sharing one
/// PostgreSQL database.
///
/// Dropping a `Tx` rolls it back; `commit_change` and `rollback` say so explicitly.
pub struct Tx {
    transact: Transact,
    state: StateRow,
    tokens: Vec<TokenRecord>,
    accounts: Vec<crate::accounts::LocalAccount>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx")
            .field("revision", &self.state.revision)
            .field("tokens", &self.tokens.len())
            .finish_non_exhaustive()
    }
}

/// What one write transaction committed: its revision and its changes, exactly as its
/// audit event carries them. Only `Tx::commit_changes` makes one, so that whoever holds one
/// holds changes the store has committed at that revision, and nothing else.
#[derive(Debug)]
pub struct CommittedChanges {
    revision: u64,
    changes: Vec<Change>,
}

impl CommittedChanges {
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn changes(&self) -> &[Change] {
        &self.changes
    }
}

impl Tx {
    /// Takes the writer lock and reads the store's state.
    pub(crate) async fn start(mut transact: Transact) -> Result<Tx, StoreError> {
        let state = transact.conn().state(true).await;
        match state {
            Ok(state) => Ok(Tx {
                transact,
                state,
                tokens: Vec::new(),
                accounts: Vec::new(),
            }),
            Err(error) => {
                rollback_quietly(transact).await;
                Err(error)
            }
        }
    }

    fn conn(&mut self) -> Conn<'_> {
        self.transact.conn()
    }

    /// The revision the store is at (the last committed one).
    pub fn revision(&self) -> u64 {
        u64::try_from(self.state.revision).unwrap_or(0)
    }

    /// The world an operation on these organisations, users and applications needs: the
    /// settings, levels and operators; the named organisations, users and applications;
    /// everything attached to the organisations (legal representatives, memberships,
    /// subscriptions, designations, grants, mandates on either side, approvals); everything
    /// attached to the users (legal representations, subject ids, memberships, designations,
    /// grants, suspensions); and the organisations on the other side of those mandates.
    /// Resources are never loaded.
    pub async fn load_slice(
        &mut self,
        organizations: &[OrganizationId],
        users: &[UserId],
        applications: &[Key],
    ) -> Result<World, StoreError> {
        reads::slice(&mut self.conn(), organizations, users, applications).await
    }

    /// A user named by Habilis id, subject id linked for `application`, national register
    /// number (any punctuation `NationalNumber::parse` accepts) or e-mail.
    pub async fn find_user(
        &mut self,
        name: &str,
        application: Option<&str>,
    ) -> Result<Option<User>, StoreError> {
        reads::find_user(&mut self.conn(), name, application).await
    }

    /// An organisation named by Habilis id, enterprise number or external id.
    pub async fn find_organization(
        &mut self,
        name: &str,
    ) -> Result<Option<Organization>, StoreError> {
        reads::find_organization(&mut self.conn(), name).await
    }

    /// One entity by its key (see `entities` for the keys and body types).
    pub async fn get<T: DeserializeOwned>(
        &mut self,
        kind: EntityKind,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        reads::get(&mut self.conn(), kind, key).await
    }

    /// Whether any operator exists (the first one may be made without being one).
    pub async fn any_operator(&mut self) -> Result<bool, StoreError> {
        let mut statement = Statement::new("SELECT revision FROM entities WHERE kind = ");
        statement
            .bind(Bind::text(EntityKind::Operator.as_str()))
            .push(" LIMIT 1");
        Ok(self.conn().integer(statement).await?.is_some())
    }

    pub async fn find_token(&mut self, id: &str) -> Result<Option<TokenRecord>, StoreError> {
        reads::find_token(&mut self.conn(), id).await
    }

    /// Queues a local account (new or changed) to be written by `commit_change`.
    pub fn set_local_account(&mut self, account: crate::accounts::LocalAccount) {
        self.accounts.push(account);
    }

    pub async fn find_local_account(
        &mut self,
        user: &habilis_domain::UserId,
    ) -> Result<Option<crate::accounts::LocalAccount>, StoreError> {
        crate::accounts::find(&mut self.conn(), user).await
    }

    /// Writes an invitation now, within this transaction (`commit_change` makes it last).
    pub async fn insert_invitation(
        &mut self,
        invitation: &crate::accounts::Invitation,
    ) -> Result<(), StoreError> {
        crate::accounts::insert_invitation(&mut self.conn(), invitation).await
    }

    pub async fn find_invitation(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<crate::accounts::Invitation>, StoreError> {
        crate::accounts::find_invitation(&mut self.conn(), token_hash).await
    }

    /// Marks an invitation accepted within this transaction; false when it already was.
    pub async fn accept_invitation(
        &mut self,
        token_hash: &str,
        at: habilis_domain::Timestamp,
    ) -> Result<bool, StoreError> {
        crate::accounts::accept_invitation(&mut self.conn(), token_hash, at).await
    }

    /// Queues a token to be written by `commit_change`.
    pub fn insert_token(&mut self, token: TokenRecord) {
        self.tokens.push(token);
    }

    /// Marks a token revoked at `at`, within this transaction; false when there is no such
    /// token or it was already revoked. Commit with `commit_change` to keep it audited.
    pub async fn revoke_token(&mut self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
        let mut statement = Statement::new("UPDATE tokens SET revoked_at = ");
        statement
            .bind(Bind::int(at.0))
            .push(" WHERE id = ")
            .bind(Bind::text(id))
            .push(" AND revoked_at IS NULL");
        Ok(self.conn().execute(statement).await? > 0)
    }

    /// Writes `changes` and the queued tokens, takes the next revision and appends the audit
    /// event (outcome `committed`, carrying `changes`), all in this transaction, then
    /// commits. Returns the new revision. On any error nothing is written.
    pub async fn commit_change(
        self,
        draft: AuditDraft,
        changes: Vec<Change>,
    ) -> Result<u64, StoreError> {
        Ok(self.commit_changes(draft, changes).await?.revision())
    }

    /// `commit_change`, answering with what it committed: the revision and the changes, as
    /// the engine of the committing process may apply them without reading them back.
    pub async fn commit_changes(
        self,
        draft: AuditDraft,
        changes: Vec<Change>,
    ) -> Result<CommittedChanges, StoreError> {
        let Tx {
            mut transact,
            state,
            tokens,
            accounts,
        } = self;
        let written = write(
            &mut transact.conn(),
            &state,
            draft,
            &changes,
            &tokens,
            &accounts,
        )
        .await;
        match written {
            Ok(revision) => {
                transact.commit().await?;
                Ok(CommittedChanges { revision, changes })
            }
            Err(error) => {
                rollback_quietly(transact).await;
                Err(error)
            }
        }
    }

    /// Writes a refusal's audit event at the current revision and commits.
    pub(crate) async fn commit_refusal(self, draft: AuditDraft) -> Result<(), StoreError> {
        let Tx {
            mut transact,
            state,
            ..
        } = self;
        let written = {
            let mut conn = transact.conn();
            match audit::append(
                &mut conn,
                &state,
                state.revision,
                AuditOutcome::Refused,
                draft,
                &[],
            )
            .await
            {
                Ok((seq, head)) => set_state(&mut conn, state.revision, seq, head).await,
                Err(error) => Err(error),
            }
        };
        match written {
            Ok(()) => Ok(transact.commit().await?),
            Err(error) => {
                rollback_quietly(transact).await;
                Err(error)
            }
        }
    }

    /// Ends the transaction without writing anything.
    pub async fn rollback(self) -> Result<(), StoreError> {
        Ok(self.transact.rollback().await?)
    }
}

async fn rollback_quietly(transact: Transact) {
    if let Err(error) = transact.rollback().await {
        tracing::warn!(%error, "rolling back a failed write");
    }
}

async fn write(
    conn: &mut Conn<'_>,
    state: &StateRow,
    draft: AuditDraft,
    changes: &[Change],
    tokens: &[TokenRecord],
    accounts: &[crate::accounts::LocalAccount],
) -> Result<u64, StoreError> {
    for account in accounts {
        crate::accounts::upsert(conn, account).await?;
    }
    let revision = state.revision.saturating_add(1);
    let mut batch = Batch::default();
    for change in changes {
        match row_op(change)? {
            RowOp::Upsert(entity) => {
                if batch.needs_flush_before(&entity) {
                    batch.flush(conn, revision).await?;
                }
                batch.add(entity);
            }
            RowOp::Delete { kind, key } => {
                batch.flush(conn, revision).await?;
                let mut statement = Statement::new("DELETE FROM entities WHERE kind = ");
                statement
                    .bind(Bind::text(kind.as_str()))
                    .push(" AND key = ")
                    .bind(Bind::text(key));
                conn.execute(statement).await?;
            }
        }
    }
    batch.flush(conn, revision).await?;
    for token in tokens {
        conn.execute(tokens::insert_statement(token))
            .await
            .map_err(|error| tokens::conflict_of(&error).unwrap_or(StoreError::Database(error)))?;
    }
    let (seq, head) = audit::append(
        conn,
        state,
        revision,
        AuditOutcome::Committed,
        draft,
        changes,
    )
    .await?;
    set_state(conn, revision, seq, head).await?;
    crate::sql::revision_of(revision)
}

/// Rows of one kind waiting to be upserted with one multi-row statement. A later write of
/// the same key replaces the earlier one (a statement may not upsert a row twice), and a
/// delete flushes first, so the outcome is that of writing the changes one by one.
#[derive(Default)]
struct Batch {
    rows: Vec<EntityWrite>,
    positions: HashMap<String, usize>,
}

impl Batch {
    /// Rows per statement: 10 parameters each stays far below both databases' limits.
    const MAX_ROWS: usize = 100;

    fn needs_flush_before(&self, entity: &EntityWrite) -> bool {
        self.rows.len() >= Batch::MAX_ROWS
            || self
                .rows
                .first()
                .is_some_and(|first| first.kind != entity.kind)
    }

    fn add(&mut self, entity: EntityWrite) {
        if let Some(slot) = self
            .positions
            .get(&entity.key)
            .and_then(|position| self.rows.get_mut(*position))
        {
            *slot = entity;
        } else {
            self.positions.insert(entity.key.clone(), self.rows.len());
            self.rows.push(entity);
        }
    }

    async fn flush(&mut self, conn: &mut Conn<'_>, revision: i64) -> Result<(), StoreError> {
        self.positions.clear();
        let rows = std::mem::take(&mut self.rows);
        let Some(kind) = rows.first().map(|row| row.kind) else {
            return Ok(());
        };
        let mut statement = Statement::new(
            "INSERT INTO entities (kind, key, organization_id, other_organization_id, user_id, \
             application, natural_key, secondary_key, revision, body) VALUES ",
        );
        for (index, entity) in rows.into_iter().enumerate() {
            if index > 0 {
                statement.push(", ");
            }
            statement.bind_list([
                Bind::text(kind.as_str()),
                Bind::text(entity.key),
                Bind::Text(entity.organization_id),
                Bind::Text(entity.other_organization_id),
                Bind::Text(entity.user_id),
                Bind::Text(entity.application),
                Bind::Text(entity.natural_key),
                Bind::Text(entity.secondary_key),
                Bind::int(revision),
                Bind::text(entity.body),
            ]);
        }
        statement.push(
            " ON CONFLICT (kind, key) DO UPDATE SET organization_id = excluded.organization_id, \
             other_organization_id = excluded.other_organization_id, \
             user_id = excluded.user_id, application = excluded.application, \
             natural_key = excluded.natural_key, secondary_key = excluded.secondary_key, \
             revision = excluded.revision, body = excluded.body",
        );
        conn.execute(statement)
            .await
            .map_err(|error| conflict_of(kind, &error).unwrap_or(StoreError::Database(error)))?;
        Ok(())
    }
}

async fn set_state(
    conn: &mut Conn<'_>,
    revision: i64,
    audit_seq: i64,
    audit_head: String,
) -> Result<(), StoreError> {
    let mut statement = Statement::new("UPDATE store_state SET revision = ");
    statement
        .bind(Bind::int(revision))
        .push(", audit_seq = ")
        .bind(Bind::int(audit_seq))
        .push(", audit_head = ")
        .bind(Bind::text(audit_head))
        .push(" WHERE id = 1");
    conn.execute(statement).await?;
    Ok(())
}
