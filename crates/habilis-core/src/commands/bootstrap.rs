//! The platform's first steps: the first operator, personal tokens and application
//! credentials. These are the CLI's: whoever runs them holds the database itself.

use habilis_domain::{Change, Email, Key, Language, NationalNumber, User, UserId};
use habilis_store::{EntityKind, TokenKind};

use super::{fresh, parse_key, shown};
use crate::auth::{Secret, new_token};
use crate::error::Error;
use crate::services::{AuditContext, Caller, Committed, Services};

/// Someone the demo data set creates, with a token to try the API as them.
#[derive(Clone, Debug)]
pub struct DemoPersona {
    pub role: String,
    pub name: String,
    pub user: UserId,
    /// The e-mail to log in to the web interface with.
    pub login: Option<String>,
    pub token: Secret,
}

impl Services {
    /// Creates the platform's first operator and a personal token for them. Refused when an
    /// operator exists already.
    pub async fn init_operator(
        &self,
        email: Email,
        national_number: Option<NationalNumber>,
    ) -> Result<Committed<(User, Secret)>, Error> {
        let caller = Caller::system();
        let mut context = AuditContext::new("platform.init");
        let mut tx = self.db.begin().await?;
        if tx.any_operator().await? {
            return Err(Error::Conflict {
                what: "the platform has an operator already; use `habilis token create`".into(),
            });
        }
        let now = self.now();
        let user = fresh(UserId::PREFIX, |id| User {
            id: UserId::new(id),
            national_number,
            email: Some(email),
            given_name: "Operator".into(),
            family_name: "Habilis".into(),
            language: Language::Fr,
            created_at: now,
        });
        context.subject_user = Some(user.id.clone());
        let levels = tx.load_slice(&[], &[], &[]).await?.levels;
        let highest = levels.highest().map(|level| level.key.to_string());
        let (secret, record) = new_token(
            TokenKind::Personal,
            Some(user.id.clone()),
            None,
            "created by habilis init".into(),
            highest,
            now,
        );
        tx.insert_token(record);
        let changes = vec![
            Change::Settings(habilis_domain::Settings::default()),
            Change::Levels(levels),
            Change::User(user.clone()),
            Change::Operator {
                user: user.id.clone(),
                present: true,
            },
        ];
        let revision = self.commit(tx, &caller, &context, changes).await?;
        Ok(Committed {
            value: (user, secret),
            revision,
        })
    }

    /// A new personal API token for a user, at the highest security level unless `level`
    /// names another.
    pub async fn create_token(
        &self,
        user: &str,
        label: &str,
        level: Option<&str>,
    ) -> Result<Committed<Secret>, Error> {
        let caller = Caller::system();
        let mut context = AuditContext::new("token.create");
        let mut tx = self.db.begin().await?;
        let person = self.user_named(&mut tx, user).await?;
        context.subject_user = Some(person.id.clone());
        let levels = tx.load_slice(&[], &[], &[]).await?.levels;
        let level =
            match level {
                Some(name) => Some(levels.by_key(name).map(|l| l.key.to_string()).ok_or_else(
                    || Error::not_found(format!("security level `{}`", shown(name))),
                )?),
                None => levels.highest().map(|l| l.key.to_string()),
            };
        context.detail = serde_json::json!({ "level": level, "label": label });
        let (secret, record) = new_token(
            TokenKind::Personal,
            Some(person.id),
            None,
            label.to_owned(),
            level,
            self.now(),
        );
        context.target = Some(record.id.clone());
        tx.insert_token(record);
        let revision = self.commit(tx, &caller, &context, Vec::new()).await?;
        Ok(Committed {
            value: secret,
            revision,
        })
    }

    /// A new credential for an application's machine client.
    pub async fn create_client(
        &self,
        application: &str,
        label: &str,
    ) -> Result<Committed<Secret>, Error> {
        let caller = Caller::system();
        let key: Key = parse_key("application", application)?;
        let mut context = AuditContext::new("client.create");
        context.application = Some(key.clone());
        let mut tx = self.db.begin().await?;
        if tx
            .get::<habilis_domain::Application>(EntityKind::Application, key.as_str())
            .await?
            .is_none()
        {
            return Err(Error::not_found(format!("application `{key}`")));
        }
        let (secret, record) = new_token(
            TokenKind::Client,
            None,
            Some(key),
            label.to_owned(),
            None,
            self.now(),
        );
        context.target = Some(record.id.clone());
        tx.insert_token(record);
        let revision = self.commit(tx, &caller, &context, Vec::new()).await?;
        Ok(Committed {
            value: secret,
            revision,
        })
    }
}
