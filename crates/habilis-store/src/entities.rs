//! How entities are stored: one `entities` row per entity, its JSON document in `body` and
//! the columns it is looked up by beside it.
//!
//! | kind | key | organization_id | other_organization_id | user_id | application | natural_key | secondary_key | body |
//! |---|---|---|---|---|---|---|---|---|
//! | `settings` | `settings` | | | | | | | `Settings` |
//! | `levels` | `levels` | | | | | | | `Levels` |
//! | `operator` | user id | | | user | | | | `OperatorRecord` |
//! | `organization` | id | id | | | | enterprise digits | external id | `Organization` |
//! | `legal_representative` | org␟user | organisation | | user | | | | `LegalRepresentativeRecord` |
//! | `user` | id | | | id | | national number digits | e-mail | `User` |
//! | `subject_id` | app␟subject id | | | user | application | | | `SubjectIdRecord` |
//! | `membership` | org␟user | organisation | | user | | | | `Membership` |
//! | `application` | key | owner | | | key | | | `Application` |
//! | `subscription` | org␟app | organisation | | | application | | | `Subscription` |
//! | `designation` | id | organisation | | user | | | | `Designation` |
//! | `grant` | id | organisation | | user | application | | | `Grant` |
//! | `mandate` | id | mandator | mandatary | | application | | | `Mandate` |
//! | `suspension` | id | | | user | application | | | `Suspension` |
//! | `approval` | id | organisation | | | application | | | `Approval` |
//! | `review` | id | organisation | | | application | | | `Review` |
//! | `resource` | app␟type␟id | organisation | | owner | application | | | `Resource` |
//!
//! ␟ is `KEY_SEPARATOR` (U+001F, a control character): keys and the ids Habilis makes cannot
//! hold it, so a composite key never collides with another.

use habilis_domain::{Change, Key, Levels, OrganizationId, Settings, Subscription, UserId};
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// Joins the parts of a composite key.
pub const KEY_SEPARATOR: char = '\u{1f}';

/// The kinds of stored entities; `as_str` is the `kind` column.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum EntityKind {
    Settings,
    Levels,
    Operator,
    Organization,
    LegalRepresentative,
    User,
    SubjectId,
    Membership,
    Application,
    Subscription,
    Designation,
    Grant,
    Mandate,
    Suspension,
    Approval,
    Review,
    Resource,
}

impl EntityKind {
    /// Every kind, in the order a world is rebuilt.
    pub const ALL: [EntityKind; 17] = [
        EntityKind::Settings,
        EntityKind::Levels,
        EntityKind::Operator,
        EntityKind::Organization,
        EntityKind::LegalRepresentative,
        EntityKind::User,
        EntityKind::SubjectId,
        EntityKind::Membership,
        EntityKind::Application,
        EntityKind::Subscription,
        EntityKind::Designation,
        EntityKind::Grant,
        EntityKind::Mandate,
        EntityKind::Suspension,
        EntityKind::Approval,
        EntityKind::Review,
        EntityKind::Resource,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Settings => "settings",
            EntityKind::Levels => "levels",
            EntityKind::Operator => "operator",
            EntityKind::Organization => "organization",
            EntityKind::LegalRepresentative => "legal_representative",
            EntityKind::User => "user",
            EntityKind::SubjectId => "subject_id",
            EntityKind::Membership => "membership",
            EntityKind::Application => "application",
            EntityKind::Subscription => "subscription",
            EntityKind::Designation => "designation",
            EntityKind::Grant => "grant",
            EntityKind::Mandate => "mandate",
            EntityKind::Suspension => "suspension",
            EntityKind::Approval => "approval",
            EntityKind::Review => "review",
            EntityKind::Resource => "resource",
        }
    }

    pub fn parse(text: &str) -> Option<EntityKind> {
        EntityKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }

    /// What the `natural_key` and `secondary_key` columns hold, as named in
    /// `StoreError::Conflict`.
    fn unique_fields(self) -> (&'static str, &'static str) {
        match self {
            EntityKind::User => ("national_number", "email"),
            EntityKind::Organization => ("enterprise_number", "external_id"),
            _ => ("natural_key", "secondary_key"),
        }
    }
}

/// The key of a composite entity.
pub fn composite_key(parts: &[&str]) -> String {
    let mut key = String::new();
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            key.push(KEY_SEPARATOR);
        }
        key.push_str(part);
    }
    key
}

/// The body of an `operator` row.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct OperatorRecord {
    pub user: UserId,
}

/// The body of a `legal_representative` row.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LegalRepresentativeRecord {
    pub organization: OrganizationId,
    pub user: UserId,
}

/// The body of a `subject_id` row.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SubjectIdRecord {
    pub application: Key,
    pub subject_id: String,
    pub user: UserId,
}

/// Which entities a list reads. Every given field must match; `organization` matches either
/// side (`organization_id` or `other_organization_id`, so a mandate is found from its
/// mandator and its mandatary), `other_organization` only the other side.
#[derive(Clone, Debug, Default)]
pub struct EntityFilter {
    pub organization: Option<OrganizationId>,
    pub other_organization: Option<OrganizationId>,
    pub user: Option<UserId>,
    pub application: Option<Key>,
    /// At most this many, in key order; `None` for all.
    pub limit: Option<u32>,
    pub offset: u32,
}

/// One row to write.
#[derive(Clone, Debug)]
pub(crate) struct EntityWrite {
    pub(crate) kind: EntityKind,
    pub(crate) key: String,
    pub(crate) organization_id: Option<String>,
    pub(crate) other_organization_id: Option<String>,
    pub(crate) user_id: Option<String>,
    pub(crate) application: Option<String>,
    pub(crate) natural_key: Option<String>,
    pub(crate) secondary_key: Option<String>,
    pub(crate) body: String,
}

/// What a `Change` does to the `entities` table.
#[derive(Clone, Debug)]
pub(crate) enum RowOp {
    Upsert(EntityWrite),
    Delete { kind: EntityKind, key: String },
}

fn json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|error| StoreError::Corrupt(format!("BUG: an entity does not serialize: {error}")))
}

fn owned(text: &str) -> Option<String> {
    Some(text.to_owned())
}

impl EntityWrite {
    fn new(kind: EntityKind, key: String, body: String) -> EntityWrite {
        EntityWrite {
            kind,
            key,
            organization_id: None,
            other_organization_id: None,
            user_id: None,
            application: None,
            natural_key: None,
            secondary_key: None,
            body,
        }
    }
}

/// Maps one change to its row operation.
pub(crate) fn row_op(change: &Change) -> Result<RowOp, StoreError> {
    let upsert = |write: EntityWrite| Ok(RowOp::Upsert(write));
    match change {
        Change::Settings(settings) => upsert(EntityWrite::new(
            EntityKind::Settings,
            "settings".into(),
            json(settings)?,
        )),
        Change::Levels(levels) => upsert(EntityWrite::new(
            EntityKind::Levels,
            "levels".into(),
            json(levels)?,
        )),
        Change::Operator { user, present } => {
            let key = user.as_str().to_owned();
            if !*present {
                return Ok(RowOp::Delete {
                    kind: EntityKind::Operator,
                    key,
                });
            }
            let body = json(&OperatorRecord { user: user.clone() })?;
            upsert(EntityWrite {
                user_id: owned(user.as_str()),
                ..EntityWrite::new(EntityKind::Operator, key, body)
            })
        }
        Change::Organization(organization) => upsert(EntityWrite {
            organization_id: owned(organization.id.as_str()),
            natural_key: organization
                .enterprise_number
                .as_ref()
                .map(|number| number.digits().to_owned()),
            secondary_key: organization.external_id.clone(),
            ..EntityWrite::new(
                EntityKind::Organization,
                organization.id.as_str().to_owned(),
                json(organization)?,
            )
        }),
        Change::LegalRepresentative {
            organization,
            user,
            present,
        } => {
            let key = composite_key(&[organization.as_str(), user.as_str()]);
            if !*present {
                return Ok(RowOp::Delete {
                    kind: EntityKind::LegalRepresentative,
                    key,
                });
            }
            let body = json(&LegalRepresentativeRecord {
                organization: organization.clone(),
                user: user.clone(),
            })?;
            upsert(EntityWrite {
                organization_id: owned(organization.as_str()),
                user_id: owned(user.as_str()),
                ..EntityWrite::new(EntityKind::LegalRepresentative, key, body)
            })
        }
        Change::User(user) => upsert(EntityWrite {
            user_id: owned(user.id.as_str()),
            natural_key: user
                .national_number
                .as_ref()
                .map(|number| number.digits().to_owned()),
            secondary_key: user.email.as_ref().map(|email| email.as_str().to_owned()),
            ..EntityWrite::new(EntityKind::User, user.id.as_str().to_owned(), json(user)?)
        }),
        Change::SubjectId {
            application,
            subject_id,
            user,
            present,
        } => {
            let key = composite_key(&[application.as_str(), subject_id]);
            if !*present {
                return Ok(RowOp::Delete {
                    kind: EntityKind::SubjectId,
                    key,
                });
            }
            let body = json(&SubjectIdRecord {
                application: application.clone(),
                subject_id: subject_id.clone(),
                user: user.clone(),
            })?;
            upsert(EntityWrite {
                user_id: owned(user.as_str()),
                application: owned(application.as_str()),
                ..EntityWrite::new(EntityKind::SubjectId, key, body)
            })
        }
        Change::Membership(membership) => upsert(EntityWrite {
            organization_id: owned(membership.organization.as_str()),
            user_id: owned(membership.user.as_str()),
            ..EntityWrite::new(
                EntityKind::Membership,
                composite_key(&[membership.organization.as_str(), membership.user.as_str()]),
                json(membership)?,
            )
        }),
        Change::Application(application) => upsert(EntityWrite {
            organization_id: owned(application.owner.as_str()),
            application: owned(application.key.as_str()),
            ..EntityWrite::new(
                EntityKind::Application,
                application.key.as_str().to_owned(),
                json(application)?,
            )
        }),
        Change::Subscription {
            subscription,
            present,
        } => {
            let key = subscription_key(subscription);
            if !*present {
                return Ok(RowOp::Delete {
                    kind: EntityKind::Subscription,
                    key,
                });
            }
            upsert(EntityWrite {
                organization_id: owned(subscription.organization.as_str()),
                application: owned(subscription.application.as_str()),
                ..EntityWrite::new(EntityKind::Subscription, key, json(subscription)?)
            })
        }
        Change::Designation(designation) => upsert(EntityWrite {
            organization_id: owned(designation.organization.as_str()),
            user_id: owned(designation.user.as_str()),
            ..EntityWrite::new(
                EntityKind::Designation,
                designation.id.as_str().to_owned(),
                json(designation)?,
            )
        }),
        Change::Grant(grant) => upsert(EntityWrite {
            organization_id: owned(grant.organization.as_str()),
            user_id: owned(grant.user.as_str()),
            application: owned(grant.application.as_str()),
            ..EntityWrite::new(
                EntityKind::Grant,
                grant.id.as_str().to_owned(),
                json(grant)?,
            )
        }),
        Change::Mandate(mandate) => upsert(EntityWrite {
            organization_id: owned(mandate.mandator.as_str()),
            other_organization_id: owned(mandate.mandatary.as_str()),
            application: owned(mandate.application.as_str()),
            ..EntityWrite::new(
                EntityKind::Mandate,
                mandate.id.as_str().to_owned(),
                json(mandate)?,
            )
        }),
        Change::Suspension(suspension) => upsert(EntityWrite {
            user_id: owned(suspension.user.as_str()),
            application: suspension
                .application
                .as_ref()
                .map(|key| key.as_str().to_owned()),
            ..EntityWrite::new(
                EntityKind::Suspension,
                suspension.id.as_str().to_owned(),
                json(suspension)?,
            )
        }),
        Change::Approval(approval) => upsert(EntityWrite {
            organization_id: owned(approval.organization.as_str()),
            application: approval
                .application
                .as_ref()
                .map(|key| key.as_str().to_owned()),
            ..EntityWrite::new(
                EntityKind::Approval,
                approval.id.as_str().to_owned(),
                json(approval)?,
            )
        }),
        Change::Review(review) => upsert(EntityWrite {
            organization_id: owned(review.organization.as_str()),
            application: review
                .application
                .as_ref()
                .map(|key| key.as_str().to_owned()),
            ..EntityWrite::new(
                EntityKind::Review,
                review.id.as_str().to_owned(),
                json(review)?,
            )
        }),
        Change::Resource(resource) => upsert(EntityWrite {
            organization_id: owned(resource.organization.as_str()),
            user_id: resource
                .owner
                .as_ref()
                .map(|owner| owner.as_str().to_owned()),
            application: owned(resource.application.as_str()),
            ..EntityWrite::new(
                EntityKind::Resource,
                resource_key(
                    resource.application.as_str(),
                    resource.resource_type.as_str(),
                    &resource.id,
                ),
                json(resource)?,
            )
        }),
        Change::ResourceRemoved {
            application,
            resource_type,
            id,
        } => Ok(RowOp::Delete {
            kind: EntityKind::Resource,
            key: resource_key(application.as_str(), resource_type.as_str(), id),
        }),
    }
}

pub(crate) fn subscription_key(subscription: &Subscription) -> String {
    composite_key(&[
        subscription.organization.as_str(),
        subscription.application.as_str(),
    ])
}

pub(crate) fn resource_key(application: &str, resource_type: &str, id: &str) -> String {
    composite_key(&[application, resource_type, id])
}

fn parse<T: serde::de::DeserializeOwned>(
    kind: &str,
    key: &str,
    body: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(body).map_err(|error| {
        StoreError::Corrupt(format!(
            "entity {kind} `{}` does not parse: {error}",
            key.escape_debug()
        ))
    })
}

/// Reads a stored body as `T`.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    kind: EntityKind,
    key: &str,
    body: &str,
) -> Result<T, StoreError> {
    parse(kind.as_str(), key, body)
}

/// Rebuilds the change that wrote a row.
pub(crate) fn row_change(kind: &str, key: &str, body: &str) -> Result<Change, StoreError> {
    let Some(entity_kind) = EntityKind::parse(kind) else {
        return Err(StoreError::Corrupt(format!(
            "unknown entity kind `{}`",
            kind.escape_debug()
        )));
    };
    let change = match entity_kind {
        EntityKind::Settings => Change::Settings(parse::<Settings>(kind, key, body)?),
        EntityKind::Levels => Change::Levels(parse::<Levels>(kind, key, body)?),
        EntityKind::Operator => {
            let record: OperatorRecord = parse(kind, key, body)?;
            Change::Operator {
                user: record.user,
                present: true,
            }
        }
        EntityKind::Organization => Change::Organization(parse(kind, key, body)?),
        EntityKind::LegalRepresentative => {
            let record: LegalRepresentativeRecord = parse(kind, key, body)?;
            Change::LegalRepresentative {
                organization: record.organization,
                user: record.user,
                present: true,
            }
        }
        EntityKind::User => Change::User(parse(kind, key, body)?),
        EntityKind::SubjectId => {
            let record: SubjectIdRecord = parse(kind, key, body)?;
            Change::SubjectId {
                application: record.application,
                subject_id: record.subject_id,
                user: record.user,
                present: true,
            }
        }
        EntityKind::Membership => Change::Membership(parse(kind, key, body)?),
        EntityKind::Application => Change::Application(parse(kind, key, body)?),
        EntityKind::Subscription => Change::Subscription {
            subscription: parse(kind, key, body)?,
            present: true,
        },
        EntityKind::Designation => Change::Designation(parse(kind, key, body)?),
        EntityKind::Grant => Change::Grant(parse(kind, key, body)?),
        EntityKind::Mandate => Change::Mandate(parse(kind, key, body)?),
        EntityKind::Suspension => Change::Suspension(parse(kind, key, body)?),
        EntityKind::Approval => Change::Approval(parse(kind, key, body)?),
        EntityKind::Review => Change::Review(parse(kind, key, body)?),
        EntityKind::Resource => Change::Resource(parse(kind, key, body)?),
    };
    Ok(change)
}

/// Names the uniqueness rule a database error broke, when it is one of ours on `entities`.
pub(crate) fn conflict_of(kind: EntityKind, error: &sqlx::Error) -> Option<StoreError> {
    let sqlx::Error::Database(database_error) = error else {
        return None;
    };
    if !matches!(
        database_error.kind(),
        sqlx::error::ErrorKind::UniqueViolation
    ) {
        return None;
    }
    // PostgreSQL names the index; SQLite names the columns in its message.
    let name = database_error
        .constraint()
        .map_or_else(|| database_error.message().to_owned(), str::to_owned);
    let (natural, secondary) = kind.unique_fields();
    let field = if name.contains("natural_key") {
        natural
    } else if name.contains("secondary_key") {
        secondary
    } else {
        "key"
    };
    Some(StoreError::Conflict {
        what: format!("{}.{field}", kind.as_str()),
    })
}
