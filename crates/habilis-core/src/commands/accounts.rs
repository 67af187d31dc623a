//! Local accounts: a password (argon2id) and, optionally, a security code from an
//! authenticator app (TOTP, RFC 6238). For the embedded default and the demo; production
//! logs in through an identity provider. The web interface offers them only when enabled.
//!
//! Their levels follow FAS (DOMAIN.md §2): a password is `Level200`, a password with a
//! security code `Level400`; the platform's level table turns those into its levels.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use habilis_domain::{InvalidCode, InvalidInput, User, UserId};
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

    /// The person an identity provider's login is about: by the national register number
    /// claim when there is one, else by the provider's `sub` when an application's linked
    /// subject ids name the provider's people (`subject_application`). Never by a Habilis id
    /// or an e-mail: the provider does not vouch for those.
    pub async fn person_for_login(
        &self,
        national_number: Option<&str>,
        subject: &str,
        subject_application: Option<&str>,
    ) -> Result<Option<User>, Error> {
        if let Some(number) =
            national_number.and_then(|n| habilis_domain::NationalNumber::parse(n).ok())
            && let Some(user) = self.db.find_user(number.digits(), None).await?
        {
            return Ok(Some(user));
        }
        match subject_application {
            Some(application) => Ok(self
                .db
                .find_user_by_subject_id(application, subject)
                .await?),
            None => Ok(None),
        }
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

/// How long an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 14;

/// Who a manager invites to join their organisation.
#[derive(Clone, Debug)]
pub struct NewInvitation {
    pub organization: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub language: habilis_domain::Language,
}

/// What the invited person fills in.
#[derive(Clone, Debug)]
pub struct InvitationAnswer {
    pub national_number: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub language: habilis_domain::Language,
    /// A local account's password, when local accounts are on.
    pub password: Option<String>,
}

/// An invitation as its page shows it.
#[derive(Clone, Debug)]
pub struct InvitationView {
    pub organization: habilis_domain::Organization,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub language: habilis_domain::Language,
    pub expires_at: habilis_domain::Timestamp,
}

fn names_ok(field: &'static str, text: &str) -> Result<String, Error> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 100 {
        return Err(Error::invalid(InvalidInput::new(
            field,
            InvalidCode::InvalidName,
            text,
        )));
    }
    Ok(text.to_owned())
}

impl Services {
    /// Invites a person by e-mail to join `organization`: answers the one-time token of the
    /// link to hand them. The same power as creating a user in the organisation (a
    /// manager there, or the operator); audited.
    pub async fn invite(
        &self,
        caller: &Caller,
        input: NewInvitation,
    ) -> Result<Committed<Secret>, Error> {
        let email = habilis_domain::Email::parse(input.email.trim()).map_err(Error::invalid)?;
        let given_name = names_ok("given_name", &input.given_name)?;
        let family_name = names_ok("family_name", &input.family_name)?;
        let mut context = AuditContext::new("invitation.create");
        let mut tx = self.db.begin().await?;
        let organization = self
            .organization_named(&mut tx, &input.organization)
            .await?;
        context.organization = Some(organization.id.clone());
        context.detail = serde_json::json!({ "email": email.as_str() });
        let world = tx
            .load_slice(
                std::slice::from_ref(&organization.id),
                caller.user.as_slice(),
                &[],
            )
            .await?;
        let now = self.now();
        if let Err(refusal) = habilis_domain::powers::create_user(
            &world,
            &caller.actor(),
            Some(&organization.id),
            now,
        ) {
            return self.refuse(tx, caller, &context, refusal).await;
        }
        let token = format!("inv_{}", crate::ids::random_text(32));
        tx.insert_invitation(&habilis_store::Invitation {
            token_hash: crate::auth::hash_token(&token),
            organization_id: organization.id.to_string(),
            email: email.to_string(),
            given_name,
            family_name,
            language: input.language.as_str().to_owned(),
            invited_by: caller.user.as_ref().map(ToString::to_string),
            created_at: now.0,
            expires_at: now.plus_seconds(INVITATION_DAYS * 86_400).0,
            accepted_at: None,
        })
        .await?;
        let revision = self.commit(tx, caller, &context, Vec::new()).await?;
        Ok(Committed {
            value: Secret::new(token),
            revision,
        })
    }

    async fn open_invitation(&self, token: &str) -> Result<habilis_store::Invitation, Error> {
        let found = self
            .db
            .find_invitation(&crate::auth::hash_token(token.trim()))
            .await?;
        match found {
            Some(invitation)
                if invitation.accepted_at.is_none() && self.now().0 < invitation.expires_at =>
            {
                Ok(invitation)
            }
            // Unknown, used or expired: the same answer for each.
            _ => Err(Error::not_found("invitation")),
        }
    }

    /// The invitation of `token`, for its page; not found when used or expired.
    pub async fn invitation(&self, token: &str) -> Result<InvitationView, Error> {
        let invitation = self.open_invitation(token).await?;
        let organization = self
            .db
            .find_organization(&invitation.organization_id)
            .await?
            .ok_or_else(|| Error::not_found("organization"))?;
        Ok(InvitationView {
            organization,
            email: invitation.email,
            given_name: invitation.given_name,
            family_name: invitation.family_name,
            language: habilis_domain::Language::parse(&invitation.language).unwrap_or_default(),
            expires_at: habilis_domain::Timestamp(invitation.expires_at),
        })
    }

    /// The invited person creates their account and profile: a user with the invitation's
    /// e-mail, a member of the organisation from now, with a local account's password when
    /// given. The invitation then is used. Audited as the new person's own act.
    pub async fn accept_invitation(
        &self,
        token: &str,
        answer: InvitationAnswer,
    ) -> Result<Committed<User>, Error> {
        let invitation = self.open_invitation(token).await?;
        let given_name = names_ok("given_name", &answer.given_name)?;
        let family_name = names_ok("family_name", &answer.family_name)?;
        let national_number = answer
            .national_number
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(habilis_domain::NationalNumber::parse)
            .transpose()
            .map_err(Error::invalid)?;
        if let Some(password) = &answer.password
            && password.chars().count() < MIN_PASSWORD_LEN
        {
            let mut input = InvalidInput::new("password", InvalidCode::InvalidValue, "");
            input.detail = format!("`password`: at least {MIN_PASSWORD_LEN} characters");
            return Err(Error::invalid(input));
        }
        let email = habilis_domain::Email::parse(&invitation.email).map_err(Error::invalid)?;
        let mut context = AuditContext::new("invitation.accept");
        let mut tx = self.db.begin().await?;
        for name in [
            Some(email.as_str()),
            national_number.as_ref().map(|n| n.digits()),
        ]
        .into_iter()
        .flatten()
        {
            if tx.find_user(name, None).await?.is_some() {
                tx.rollback().await?;
                return Err(Error::Conflict {
                    what: "an account with this e-mail or national number exists: ask to be added as a member".into(),
                });
            }
        }
        let organization = self
            .organization_named(&mut tx, &invitation.organization_id)
            .await?;
        let now = self.now();
        let user = crate::commands::fresh(UserId::PREFIX, |id| User {
            id: UserId::new(id),
            national_number,
            email: Some(email),
            given_name,
            family_name,
            language: answer.language,
            created_at: now,
        });
        context.organization = Some(organization.id.clone());
        context.subject_user = Some(user.id.clone());
        if !tx.accept_invitation(&invitation.token_hash, now).await? {
            tx.rollback().await?;
            return Err(Error::not_found("invitation"));
        }
        if let Some(password) = answer.password {
            let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
                .await
                .map_err(|e| Error::Internal(anyhow::format_err!("hashing task: {e}")))??;
            tx.set_local_account(LocalAccount {
                user: user.id.clone(),
                password_hash,
                totp_secret: None,
                updated_at: now,
            });
        }
        let changes = vec![
            habilis_domain::Change::User(user.clone()),
            habilis_domain::Change::Membership(habilis_domain::Membership {
                organization: organization.id.clone(),
                user: user.id.clone(),
                since: now,
                ended_at: None,
            }),
        ];
        let me = Caller::user(user.id.clone(), None);
        let revision = self.commit(tx, &me, &context, changes).await?;
        Ok(Committed {
            value: user,
            revision,
        })
    }
}
