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

/// An invitation to join an organisation, as stored (the token's hash, never the token).
#[derive(Clone, PartialEq, Eq, Debug, sqlx::FromRow)]
pub struct Invitation {
    pub token_hash: String,
    pub organization_id: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub language: String,
    pub invited_by: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
}

const INVITATION_COLUMNS: &str = "token_hash, organization_id, email, given_name, family_name, \
    language, invited_by, created_at, expires_at, accepted_at";

pub(crate) async fn insert_invitation(
    conn: &mut Conn<'_>,
    invitation: &Invitation,
) -> Result<(), StoreError> {
    let mut statement = Statement::new(&format!(
        "INSERT INTO invitations ({INVITATION_COLUMNS}) VALUES "
    ));
    statement.bind_list([
        Bind::text(invitation.token_hash.clone()),
        Bind::text(invitation.organization_id.clone()),
        Bind::text(invitation.email.clone()),
        Bind::text(invitation.given_name.clone()),
        Bind::text(invitation.family_name.clone()),
        Bind::text(invitation.language.clone()),
        Bind::Text(invitation.invited_by.clone()),
        Bind::int(invitation.created_at),
        Bind::int(invitation.expires_at),
        Bind::Int(invitation.accepted_at),
    ]);
    conn.execute(statement).await?;
    Ok(())
}

pub(crate) async fn find_invitation(
    conn: &mut Conn<'_>,
    token_hash: &str,
) -> Result<Option<Invitation>, StoreError> {
    let mut statement = Statement::new(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE token_hash = "
    ));
    statement.bind(Bind::text(token_hash));
    Ok(conn.invitation_rows(statement).await?.into_iter().next())
}

/// Marks an invitation accepted at `at`; false when it was accepted already (a race).
pub(crate) async fn accept_invitation(
    conn: &mut Conn<'_>,
    token_hash: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let mut statement = Statement::new("UPDATE invitations SET accepted_at = ");
    statement
        .bind(Bind::int(at.0))
        .push(" WHERE token_hash = ")
        .bind(Bind::text(token_hash))
        .push(" AND accepted_at IS NULL");
    Ok(conn.execute(statement).await? == 1)
}
