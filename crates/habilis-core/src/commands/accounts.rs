//! Local accounts: a password (argon2id) and, optionally, a security code from an
//! authenticator app (TOTP, RFC 6238). For the embedded default and the demo; production
//! logs in through an identity provider. The web interface offers them only when enabled.
//!
//! Their levels follow FAS (DOMAIN.md §2): a password is `Level200`, a password with a
//! security code `Level400`; the platform's level table turns those into its levels.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use habilis_domain::{InvalidCode, InvalidInput, User};
use habilis_store::LocalAccount;
use rand::RngCore;
use rand::rngs::OsRng;
use totp_rs::{Algorithm, Secret as TotpSecret, TOTP};

use crate::auth::Secret;
use crate::error::Error;
use crate::services::{AuditContext, Caller, Committed, Services};

/// The `acr` of a login by password alone (FAS: CSAM username and password).
pub const ACR_PASSWORD: &str = "urn:be:fedict:iam:fas:Level200";
/// The `acr` of a login by password and security code (FAS: mobile app code).
pub const ACR_SECURITY_CODE: &str = "urn:be:fedict:iam:fas:Level400";

/// Shorter passwords are refused.
pub const MIN_PASSWORD_LEN: usize = 12;

/// Who logged in, and how strongly.
#[derive(Clone, Debug)]
pub struct LocalLogin {
    pub user: User,
    pub acr: &'static str,
}

fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Internal(anyhow::format_err!("argon2: {e}")))
}

/// Whether `password` matches the PHC string `hash` (argon2's own constant-time compare).
fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

fn totp(secret: &str) -> Option<TOTP> {
    let bytes = TotpSecret::Encoded(secret.to_owned()).to_bytes().ok()?;
    // SHA-1, 6 digits, 30 s steps: what every authenticator app does; one step of skew.
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).ok()
}

/// The 6-digit code of `secret` at `unix_seconds` (for tests and the CLI's check).
pub fn security_code(secret: &str, unix_seconds: u64) -> Option<String> {
    totp(secret).map(|t| t.generate(unix_seconds))
}

/// A hash to check against when the person is unknown or has no local account, so that such
/// a login costs as much time as a known one (made once, of a random password).
static DECOY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut bytes = [0_u8; 16];
    OsRng.fill_bytes(&mut bytes);
    hash_password(&hex::encode(bytes)).unwrap_or_default()
});

impl Services {
    /// Sets the password of `user` (by id, national number or e-mail), and with
    /// `security_code` a new authenticator secret, answered once. Audited; the CLI's and the
    /// demo's (the caller holds the database).
    pub async fn set_local_password(
        &self,
        caller: &Caller,
        user: &str,
        password: &str,
        security_code: bool,
    ) -> Result<Committed<Option<Secret>>, Error> {
        if password.chars().count() < MIN_PASSWORD_LEN {
            let mut input = InvalidInput::new("password", InvalidCode::InvalidValue, "");
            input.detail = format!("`password`: at least {MIN_PASSWORD_LEN} characters");
            return Err(Error::invalid(input));
        }
        let mut context = AuditContext::new("account.password.set");
        let mut tx = self.db.begin().await?;
        let person = self.user_named(&mut tx, user).await?;
        context.subject_user = Some(person.id.clone());
        let password = password.to_owned();
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| Error::Internal(anyhow::format_err!("hashing task: {e}")))??;
        let totp_secret = security_code.then(|| {
            let mut bytes = [0_u8; 20];
            OsRng.fill_bytes(&mut bytes);
            TotpSecret::Raw(bytes.to_vec()).to_encoded().to_string()
        });
        context.detail = serde_json::json!({ "security_code": security_code });
        tx.set_local_account(LocalAccount {
            user: person.id.clone(),
            password_hash,
            totp_secret: totp_secret.clone(),
            updated_at: self.now(),
        });
        let revision = self.commit(tx, caller, &context, Vec::new()).await?;
        Ok(Committed {
            value: totp_secret.map(Secret::new),
            revision,
        })
    }

    /// Checks a login: the person by e-mail or national number, their password, and their
    /// security code when their account has one (then required). Every failure is the same
    /// `Unauthenticated`, so a caller learns nothing about which part was wrong.
    pub async fn local_login(
        &self,
        login: &str,
        password: &str,
        code: Option<&str>,
    ) -> Result<LocalLogin, Error> {
        let user = self.db.find_user(login.trim(), None).await?;
        let account = match &user {
            Some(user) => self.db.find_local_account(&user.id).await?,
            None => None,
        };
        let hash = account
            .as_ref()
            .map_or_else(|| DECOY_HASH.clone(), |a| a.password_hash.clone());
        let presented = password.to_owned();
        let password_ok = tokio::task::spawn_blocking(move || password_matches(&hash, &presented))
            .await
            .map_err(|e| Error::Internal(anyhow::format_err!("hashing task: {e}")))?;
        let (Some(user), Some(account)) = (user, account) else {
            return Err(Error::Unauthenticated);
        };
        if !password_ok {
            return Err(Error::Unauthenticated);
        }
        let acr = match &account.totp_secret {
            None => ACR_PASSWORD,
            Some(secret) => {
                let now = u64::try_from(self.now().0).unwrap_or(0);
                let expected = totp(secret).ok_or(Error::Unauthenticated)?;
                let presented = code.map(str::trim).unwrap_or_default();
                if presented.is_empty() || !expected.check(presented, now) {
                    return Err(Error::Unauthenticated);
                }
                ACR_SECURITY_CODE
            }
        };
        Ok(LocalLogin { user, acr })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_matches_only_its_hash() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(password_matches(&hash, "correct horse battery"));
        assert!(!password_matches(&hash, "correct horse batterz"));
        assert!(!password_matches("not a hash", "correct horse battery"));
        assert!(
            DECOY_HASH.starts_with("$argon2id$"),
            "a real hash, so it costs real time"
        );
        assert!(!password_matches(&DECOY_HASH, ""));
    }

    #[test]
    fn security_codes_follow_rfc_6238() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", 6 digits.
        let secret = TotpSecret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(security_code(&secret, 59).as_deref(), Some("287082"));
        assert_eq!(
            security_code(&secret, 1_111_111_109).as_deref(),
            Some("081804")
        );
        let checker = totp(&secret).unwrap();
        assert!(
            checker.check("081804", 1_111_111_109 + 30),
            "one step of skew"
        );
        assert!(!checker.check("081804", 1_111_111_109 + 90));
    }
}
