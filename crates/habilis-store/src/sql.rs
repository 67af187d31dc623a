//! The few primitives every query goes through, written once for both databases.
//!
//! `Conn` borrows a SQLite or PostgreSQL connection (pooled or inside a transaction), and
//! `dispatch!` expands the same query code for each driver. Queries use `$N` parameters,
//! which both drivers accept, and bind their values from a `Vec<Bind>` so that dynamic
//! filters need no per-dialect code.

use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use sqlx::{Postgres, Sqlite, Transaction};

use crate::StoreError;

/// A borrowed connection to either database.
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// Runs `$body` with `$c` bound to the `&mut` connection of whichever driver `$conn` holds.
macro_rules! dispatch {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::sql::Conn::Sqlite(inner) => {
                let $c = &mut **inner;
                $body
            }
            $crate::sql::Conn::Postgres(inner) => {
                let $c = &mut **inner;
                $body
            }
        }
    };
}

/// Binds every value of `$binds`, in order, to `$query` (a `Query` or `QueryAs`).
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for bind in $binds {
            query = match bind {
                $crate::sql::Bind::Text(value) => query.bind(value),
                $crate::sql::Bind::Int(value) => query.bind(value),
            };
        }
        query
    }};
}

/// One parameter value.
#[derive(Clone, Debug)]
pub(crate) enum Bind {
    Text(Option<String>),
    Int(Option<i64>),
}

impl Bind {
    pub(crate) fn text(value: impl Into<String>) -> Bind {
        Bind::Text(Some(value.into()))
    }

    pub(crate) fn int(value: i64) -> Bind {
        Bind::Int(Some(value))
    }
}

/// Builds a dynamic statement: SQL text with `$N` placeholders numbered as values are
/// pushed.
#[derive(Debug, Default)]
pub(crate) struct Statement {
    pub(crate) sql: String,
    pub(crate) binds: Vec<Bind>,
}

impl Statement {
    pub(crate) fn new(sql: &str) -> Statement {
        Statement {
            sql: sql.to_owned(),
            binds: Vec::new(),
        }
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Statement {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder for `bind`.
    pub(crate) fn bind(&mut self, bind: Bind) -> &mut Statement {
        self.binds.push(bind);
        self.sql.push_str(&format!("${}", self.binds.len()));
        self
    }

    /// Appends `(p1, p2, ...)` for every value; `(NULL)` for none, which matches nothing.
    pub(crate) fn bind_list(&mut self, values: impl IntoIterator<Item = Bind>) -> &mut Statement {
        self.sql.push('(');
        let mut first = true;
        for value in values {
            if !first {
                self.sql.push_str(", ");
            }
            first = false;
            self.bind(value);
        }
        if first {
            self.sql.push_str("NULL");
        }
        self.sql.push(')');
        self
    }
}

/// A page of entities as `Conn::sqlite_entity_page` reads it.
#[derive(Debug)]
pub(crate) struct EntityPage {
    pub(crate) count: usize,
    /// The page's last key, where the next page starts after.
    pub(crate) last: Option<String>,
    /// The bodies, one a line.
    pub(crate) bodies: String,
}

/// A row of `entities` as read back.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct EntityRow {
    pub(crate) kind: String,
    pub(crate) key: String,
    pub(crate) body: String,
}

/// The single row of `store_state`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct StateRow {
    pub(crate) revision: i64,
    pub(crate) audit_seq: i64,
    pub(crate) audit_head: String,
}

/// A row of `audit_events`, every column as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub(crate) seq: i64,
    pub(crate) revision: i64,
    pub(crate) at: i64,
    pub(crate) actor_user: Option<String>,
    pub(crate) actor_application: Option<String>,
    pub(crate) actor_level: Option<String>,
    pub(crate) action: String,
    pub(crate) outcome: String,
    pub(crate) code: Option<String>,
    pub(crate) organization_id: Option<String>,
    pub(crate) application: Option<String>,
    pub(crate) subject_user: Option<String>,
    pub(crate) target: Option<String>,
    pub(crate) reason: Option<String>,
    pub(crate) detail: String,
    pub(crate) changes: String,
    pub(crate) prev_hash: String,
    pub(crate) hash: String,
}

pub(crate) const AUDIT_COLUMNS: &str = "seq, revision, at, actor_user, actor_application, \
    actor_level, action, outcome, code, organization_id, application, subject_user, target, \
    reason, detail, changes, prev_hash, hash";

/// A row of `tokens`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct TokenRow {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) user_id: Option<String>,
    pub(crate) application: Option<String>,
    pub(crate) secret_hash: String,
    pub(crate) label: String,
    pub(crate) level: Option<String>,
    pub(crate) created_at: i64,
    pub(crate) expires_at: Option<i64>,
    pub(crate) revoked_at: Option<i64>,
}

pub(crate) const TOKEN_COLUMNS: &str = "id, kind, user_id, application, secret_hash, label, \
    level, created_at, expires_at, revoked_at";

impl Conn<'_> {
    pub(crate) async fn execute(&mut self, statement: Statement) -> Result<u64, sqlx::Error> {
        let Statement { sql, binds } = statement;
        let done = dispatch!(self, |c| bind_all!(sqlx::query(&sql), binds)
            .execute(c)
            .await?
            .rows_affected());
        Ok(done)
    }

    pub(crate) async fn entities(
        &mut self,
        statement: Statement,
    ) -> Result<Vec<EntityRow>, StoreError> {
        let Statement { sql, binds } = statement;
        Ok(dispatch!(self, |c| bind_all!(
            sqlx::query_as::<_, EntityRow>(&sql),
            binds
        )
        .fetch_all(c)
        .await?))
    }

    /// SQLite only (`None` on PostgreSQL): the bodies of up to `page` entities of `kind`
    /// whose key comes after `after` (from the first when `None`), in key order, one a line,
    /// with how many they are and the last key. A body is compact JSON
    /// (`serde_json::to_string` in `entities::json`), which holds no line break: a line is
    /// a body.
    ///
    /// sqlx's SQLite driver hands every row over from its worker thread as a message of
    /// its own, with a thread wake-up each: loading millions of entities row by row spent a
    /// third of its time in the kernel. One row per page makes that one message per
    /// `page` entities.
    ///
    /// The bodies are concatenated in the order the inner query yields them, which is key
    /// order: SQLite runs a subquery of the `FROM` clause as a co-routine that walks the
    /// primary key's index, and the aggregate takes its rows as they come
    /// (`a_page_of_bodies_comes_in_key_order` holds the bundled SQLite to it). An
    /// `ORDER BY key` inside `group_concat` would say so explicitly, but SQLite implements
    /// it by inserting every body into a temporary b-tree, spilled to disk at this size:
    /// two fifths of the reading thread's time at a start-up of two million entities.
    pub(crate) async fn sqlite_entity_page(
        &mut self,
        kind: &str,
        after: Option<&str>,
        page: usize,
    ) -> Result<Option<EntityPage>, StoreError> {
        let Conn::Sqlite(connection) = self else {
            return Ok(None);
        };
        let limit = i64::try_from(page).unwrap_or(i64::MAX);
        // Two statements rather than `($3 IS NULL OR key > $3)`, which SQLite cannot answer
        // from the primary key's order: every page would scan the kind from its start.
        let sql = if after.is_some() {
            "SELECT count(*), max(key), group_concat(body, char(10)) \
             FROM (SELECT key, body FROM entities \
                   WHERE kind = $1 AND key > $3 ORDER BY key LIMIT $2)"
        } else {
            "SELECT count(*), max(key), group_concat(body, char(10)) \
             FROM (SELECT key, body FROM entities WHERE kind = $1 ORDER BY key LIMIT $2)"
        };
        let query = sqlx::query_as(sql).bind(kind).bind(limit);
        let query = match after {
            Some(after) => query.bind(after),
            None => query,
        };
        let found: (i64, Option<String>, Option<String>) =
            query.fetch_one(&mut **connection).await?;
        let (count, last, bodies) = found;
        Ok(Some(EntityPage {
            count: usize::try_from(count).unwrap_or(0),
            last,
            bodies: bodies.unwrap_or_default(),
        }))
    }

    /// Runs `statement` and hands each row to `each` as it arrives, so that a large read
    /// never holds all its rows at once.
    pub(crate) async fn entities_each(
        &mut self,
        statement: Statement,
        mut each: impl FnMut(EntityRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        use futures_util::TryStreamExt as _;
        let Statement { sql, binds } = statement;
        dispatch!(self, |c| {
            let mut rows = bind_all!(sqlx::query_as::<_, EntityRow>(&sql), binds).fetch(c);
            while let Some(row) = rows.try_next().await? {
                each(row)?;
            }
            Ok(())
        })
    }

    pub(crate) async fn audit_rows(
        &mut self,
        statement: Statement,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let Statement { sql, binds } = statement;
        Ok(dispatch!(self, |c| bind_all!(
            sqlx::query_as::<_, AuditRow>(&sql),
            binds
        )
        .fetch_all(c)
        .await?))
    }

    pub(crate) async fn invitation_rows(
        &mut self,
        statement: Statement,
    ) -> Result<Vec<crate::accounts::Invitation>, StoreError> {
        let Statement { sql, binds } = statement;
        Ok(dispatch!(self, |c| bind_all!(
            sqlx::query_as::<_, crate::accounts::Invitation>(&sql),
            binds
        )
        .fetch_all(c)
        .await?))
    }

    pub(crate) async fn local_account_rows(
        &mut self,
        statement: Statement,
    ) -> Result<Vec<crate::accounts::LocalAccountRow>, StoreError> {
        let Statement { sql, binds } = statement;
        Ok(dispatch!(self, |c| bind_all!(
            sqlx::query_as::<_, crate::accounts::LocalAccountRow>(&sql),
            binds
        )
        .fetch_all(c)
        .await?))
    }

    pub(crate) async fn token_rows(
        &mut self,
        statement: Statement,
    ) -> Result<Vec<TokenRow>, StoreError> {
        let Statement { sql, binds } = statement;
        Ok(dispatch!(self, |c| bind_all!(
            sqlx::query_as::<_, TokenRow>(&sql),
            binds
        )
        .fetch_all(c)
        .await?))
    }

    /// Reads `store_state`; with `lock`, PostgreSQL also locks the row until the end of the
    /// transaction (SQLite's `BEGIN IMMEDIATE` already holds the database's write lock).
    pub(crate) async fn state(&mut self, lock: bool) -> Result<StateRow, StoreError> {
        const SQL: &str = "SELECT revision, audit_seq, audit_head FROM store_state WHERE id = 1";
        let row = match self {
            Conn::Sqlite(c) => {
                sqlx::query_as::<_, StateRow>(SQL)
                    .fetch_optional(&mut **c)
                    .await?
            }
            Conn::Postgres(c) => {
                let sql = if lock {
                    format!("{SQL} FOR UPDATE")
                } else {
                    SQL.to_owned()
                };
                sqlx::query_as::<_, StateRow>(&sql)
                    .fetch_optional(&mut **c)
                    .await?
            }
        };
        row.ok_or_else(|| StoreError::Corrupt("store_state has no row; run the migrations".into()))
    }

    /// A single BIGINT (INTEGER on SQLite), e.g. a `COUNT(*)`; `None` when there is no row.
    pub(crate) async fn integer(
        &mut self,
        statement: Statement,
    ) -> Result<Option<i64>, StoreError> {
        let Statement { sql, binds } = statement;
        let value: Option<(i64,)> = dispatch!(self, |c| bind_all!(
            sqlx::query_as::<_, (i64,)>(&sql),
            binds
        )
        .fetch_optional(c)
        .await?);
        Ok(value.map(|(value,)| value))
    }
}

/// A pooled connection of either database.
pub(crate) enum Pooled {
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Postgres(sqlx::pool::PoolConnection<Postgres>),
}

impl Pooled {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Sqlite(c) => Conn::Sqlite(c),
            Pooled::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// An open transaction of either database.
pub(crate) enum Transact {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Transact {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Transact::Sqlite(t) => Conn::Sqlite(t),
            Transact::Postgres(t) => Conn::Postgres(t),
        }
    }

    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Transact::Sqlite(t) => t.commit().await,
            Transact::Postgres(t) => t.commit().await,
        }
    }

    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Transact::Sqlite(t) => t.rollback().await,
            Transact::Postgres(t) => t.rollback().await,
        }
    }
}

/// Converts a stored integer to a revision.
pub(crate) fn revision_of(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("negative revision {value}")))
}

/// Converts a revision to a stored integer, saturating (no store reaches `i64::MAX`).
pub(crate) fn stored_revision(revision: u64) -> i64 {
    i64::try_from(revision).unwrap_or(i64::MAX)
}
