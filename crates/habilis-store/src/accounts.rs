//! Local accounts of the web interface: what is stored to check a password and a security
//! code. The hash is argon2id's PHC string (made and checked in `habilis-core`); the store
//! never sees a password.

use std::fmt;

use habilis_domain::{Timestamp, UserId};

use crate::StoreError;
use crate::sql::{Bind, Conn, Statement};

#[derive(Clone, PartialEq, Eq)]
pub struct LocalAccount {
    pub user: UserId,
    pub password_hash: String,
    /// Base32 secret of the person's authenticator app, when they use one.
    pub totp_secret: Option<String>,
    pub updated_at: Timestamp,
}

impl fmt::Debug for LocalAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalAccount")
            .field("user", &self.user)
            .field("password_hash", &"[redacted]")
            .field(
                "totp_secret",
                &self.totp_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

/// A row of `local_accounts`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub(crate) struct LocalAccountRow {
    pub(crate) user_id: String,
    pub(crate) password_hash: String,
    pub(crate) totp_secret: Option<String>,
    pub(crate) updated_at: i64,
}

/// Writes `account`, replacing the user's previous one.
pub(crate) async fn upsert(conn: &mut Conn<'_>, account: &LocalAccount) -> Result<(), StoreError> {
    let mut statement = Statement::new(
        "INSERT INTO local_accounts (user_id, password_hash, totp_secret, updated_at) VALUES ",
    );
    statement
        .bind_list([
            Bind::text(account.user.as_str()),
            Bind::text(account.password_hash.clone()),
            Bind::Text(account.totp_secret.clone()),
            Bind::int(account.updated_at.0),
        ])
        .push(
            " ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, \
             totp_secret = excluded.totp_secret, updated_at = excluded.updated_at",
        );
    conn.execute(statement).await?;
    Ok(())
}

pub(crate) async fn find(
    conn: &mut Conn<'_>,
    user: &UserId,
) -> Result<Option<LocalAccount>, StoreError> {
    let mut statement = Statement::new(
        "SELECT user_id, password_hash, totp_secret, updated_at FROM local_accounts WHERE user_id = ",
    );
    statement.bind(Bind::text(user.as_str()));
    let rows = conn.local_account_rows(statement).await?;
    Ok(rows.into_iter().next().map(|row| LocalAccount {
        user: UserId::new(row.user_id),
        password_hash: row.password_hash,
        totp_secret: row.totp_secret,
        updated_at: Timestamp(row.updated_at),
    }))
}
