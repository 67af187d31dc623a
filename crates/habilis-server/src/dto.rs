//! The JSON shapes of the administration API. They are a promise to clients (API.md), kept
//! apart from the domain types so that the model can change without breaking them. Request
//! shapes reject unknown fields.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use habilis_domain::{
    Application, Approval, Category, Context, Designation, Grant, InvalidCode, InvalidInput, Key,
    LocalizedName, Mandate, Matter, Membership, Organization, Reach, ResourceProperties, Review,
    ReviewDecision, Role, Scope, SelfGrantPolicy, Timestamp, UnconfirmedPolicy, User,
};
use serde::{Deserialize, Serialize};

pub fn format_time(at: Timestamp) -> String {
    DateTime::<Utc>::from_timestamp(at.0, 0).map_or_else(
        || at.0.to_string(),
        |t| t.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

pub fn format_optional(at: Option<Timestamp>) -> Option<String> {
    at.map(format_time)
}

/// Accepts RFC 3339 (`2026-12-31T17:00:00Z`) or a date (`2026-12-31`, midnight UTC).
pub fn parse_time(field: &str, text: &str) -> Result<Timestamp, InvalidInput> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(Timestamp(at.timestamp()));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(midnight) = date.and_hms_opt(0, 0, 0)
    {
        return Ok(Timestamp(midnight.and_utc().timestamp()));
    }
    Err(InvalidInput::because(
        field,
        InvalidCode::InvalidTimestamp,
        format!("`{field}` must be an RFC 3339 date-time or a YYYY-MM-DD date"),
    ))
}

pub fn parse_optional_time(
    field: &str,
    text: Option<&str>,
) -> Result<Option<Timestamp>, InvalidInput> {
    text.map(|t| parse_time(field, t)).transpose()
}

#[derive(Clone, Debug, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NameDto {
    #[serde(default)]
    pub fr: String,
    #[serde(default)]
    pub nl: String,
    #[serde(default)]
    pub de: String,
    #[serde(default)]
    pub en: String,
}

impl From<NameDto> for LocalizedName {
    fn from(name: NameDto) -> LocalizedName {
        LocalizedName {
            fr: name.fr,
            nl: name.nl,
            de: name.de,
            en: name.en,
        }
    }
}

impl From<&LocalizedName> for NameDto {
    fn from(name: &LocalizedName) -> NameDto {
        NameDto {
            fr: name.fr.clone(),
            nl: name.nl.clone(),
            de: name.de.clone(),
            en: name.en.clone(),
        }
    }
}

/// A name is either one text (used for every language) or the four.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum NameInput {
    One(String),
    Each(NameDto),
}

impl From<NameInput> for LocalizedName {
    fn from(input: NameInput) -> LocalizedName {
        match input {
            NameInput::One(text) => LocalizedName::same(&text),
            NameInput::Each(each) => each.into(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrganizationDto {
    pub enterprise_number: Option<String>,
    pub external_id: Option<String>,
    pub kind: String,
    pub name: NameInput,
    #[serde(default)]
    pub require_approval: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct SuspendedDto {
    pub reason: String,
    pub at: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct OrganizationDto {
    pub id: String,
    pub enterprise_number: Option<String>,
    pub external_id: Option<String>,
    pub kind: &'static str,
    pub context: &'static str,
    pub name: NameDto,
    pub suspended: Option<SuspendedDto>,
    pub require_approval: bool,
    pub created_at: String,
}

impl From<&Organization> for OrganizationDto {
    fn from(o: &Organization) -> OrganizationDto {
        OrganizationDto {
            id: o.id.to_string(),
            enterprise_number: o.enterprise_number.as_ref().map(ToString::to_string),
            external_id: o.external_id.clone(),
            kind: o.kind.as_str(),
            context: o.context().as_str(),
            name: (&o.name).into(),
            suspended: o.suspended.as_ref().map(|s| SuspendedDto {
                reason: s.reason.clone(),
                at: format_time(s.at),
            }),
            require_approval: o.require_approval,
            created_at: format_time(o.created_at),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonDto {
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuspensionDto {
    pub reason: String,
    pub application: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiftDto {
    pub application: Option<String>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRefDto {
    pub user: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalPolicyDto {
    pub require_approval: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserDto {
    pub national_number: Option<String>,
    pub email: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub language: Option<String>,
    pub member_of: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UserDto {
    pub id: String,
    pub national_number: Option<String>,
    pub email: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub language: &'static str,
    pub created_at: String,
}

impl From<&User> for UserDto {
    fn from(u: &User) -> UserDto {
        UserDto {
            id: u.id.to_string(),
            national_number: u.national_number.as_ref().map(ToString::to_string),
            email: u.email.as_ref().map(ToString::to_string),
            given_name: u.given_name.clone(),
            family_name: u.family_name.clone(),
            language: u.language.as_str(),
            created_at: format_time(u.created_at),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct MemberDto {
    pub user: UserDto,
    pub since: String,
    pub ended_at: Option<String>,
    pub active: bool,
}

impl MemberDto {
    pub fn new(user: &User, membership: &Membership, now: Timestamp) -> MemberDto {
        MemberDto {
            user: user.into(),
            since: format_time(membership.since),
            ended_at: format_optional(membership.ended_at),
            active: membership.is_active(now),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectIdDto {
    pub application: String,
    pub subject_id: String,
}

/// `"all"`, `{"matters": [...]}` or `{"categories": [[matter, category], ...]}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ScopeDto {
    All(String),
    Matters { matters: Vec<String> },
    Categories { categories: Vec<(String, String)> },
}

impl ScopeDto {
    pub fn into_scope(self) -> Result<Scope, InvalidInput> {
        match self {
            ScopeDto::All(text) if text == "all" => Ok(Scope::All),
            ScopeDto::All(text) => {
                Err(InvalidInput::new("scope", InvalidCode::InvalidScope, &text))
            }
            ScopeDto::Matters { matters } => Ok(Scope::Matters(
                matters
                    .iter()
                    .map(|m| Key::parse("scope.matters", m))
                    .collect::<Result<_, _>>()?,
            )),
            ScopeDto::Categories { categories } => Ok(Scope::Categories(
                categories
                    .iter()
                    .map(|(m, c)| {
                        Ok((
                            Key::parse("scope.categories", m)?,
                            Key::parse("scope.categories", c)?,
                        ))
                    })
                    .collect::<Result<_, InvalidInput>>()?,
            )),
        }
    }

    pub fn of(scope: &Scope) -> ScopeDto {
        match scope {
            Scope::All => ScopeDto::All("all".into()),
            Scope::Matters(matters) => ScopeDto::Matters {
                matters: matters.iter().map(ToString::to_string).collect(),
            },
            Scope::Categories(categories) => ScopeDto::Categories {
                categories: categories
                    .iter()
                    .map(|(m, c)| (m.to_string(), c.to_string()))
                    .collect(),
            },
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewGrantDto {
    pub user: String,
    pub organization: String,
    pub application: String,
    pub role: String,
    pub scope: Option<ScopeDto>,
    pub reach: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub reason: Option<String>,
}

pub fn parse_reach(text: Option<&str>) -> Result<Reach, InvalidInput> {
    match text {
        None | Some("organization") => Ok(Reach::Organization),
        Some("all_subscribers") => Ok(Reach::AllSubscribers),
        Some(other) => Err(InvalidInput::new("reach", InvalidCode::InvalidValue, other)),
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct EndedDto {
    pub at: String,
    pub by: Option<String>,
    pub reason: String,
}

fn ended(e: Option<&habilis_domain::Ended>) -> Option<EndedDto> {
    e.map(|e| EndedDto {
        at: format_time(e.at),
        by: e.by.as_ref().map(ToString::to_string),
        reason: e.reason.clone(),
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct GrantDto {
    pub id: String,
    pub user: String,
    pub organization: String,
    pub application: String,
    pub role: String,
    pub scope: ScopeDto,
    pub reach: &'static str,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub status: &'static str,
    pub flagged: bool,
    pub granted_by: Option<String>,
    pub reason: String,
    pub ended: Option<EndedDto>,
    pub created_at: String,
}

impl GrantDto {
    pub fn new(g: &Grant, at: Timestamp) -> GrantDto {
        GrantDto {
            id: g.id.to_string(),
            user: g.user.to_string(),
            organization: g.organization.to_string(),
            application: g.application.to_string(),
            role: g.role.to_string(),
            scope: ScopeDto::of(&g.scope),
            reach: match g.reach {
                Reach::Organization => "organization",
                Reach::AllSubscribers => "all_subscribers",
            },
            valid_from: format_time(g.validity.from),
            valid_until: format_optional(g.validity.until),
            status: g.state(at).as_str(),
            flagged: g.flagged,
            granted_by: g.granted_by.as_ref().map(ToString::to_string),
            reason: g.reason.clone(),
            ended: ended(g.ended.as_ref()),
            created_at: format_time(g.created_at),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDesignationDto {
    pub user: String,
    pub kind: String,
    pub applications: Option<Vec<String>>,
    pub valid_until: Option<String>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DesignationDto {
    pub id: String,
    pub organization: String,
    pub user: String,
    pub kind: &'static str,
    pub applications: Vec<String>,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub status: &'static str,
    pub designated_by: Option<String>,
    pub reason: String,
    pub ended: Option<EndedDto>,
}

pub fn status_text(status: habilis_domain::Status) -> &'static str {
    match status {
        habilis_domain::Status::Pending => "pending",
        habilis_domain::Status::Active => "active",
        habilis_domain::Status::Revoked => "ended",
        habilis_domain::Status::Rejected => "rejected",
    }
}

impl From<&Designation> for DesignationDto {
    fn from(d: &Designation) -> DesignationDto {
        DesignationDto {
            id: d.id.to_string(),
            organization: d.organization.to_string(),
            user: d.user.to_string(),
            kind: d.kind.as_str(),
            applications: d.applications.iter().map(ToString::to_string).collect(),
            valid_from: format_time(d.validity.from),
            valid_until: format_optional(d.validity.until),
            status: status_text(d.status),
            designated_by: d.designated_by.as_ref().map(ToString::to_string),
            reason: d.reason.clone(),
            ended: ended(d.ended.as_ref()),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMandateDto {
    pub mandator: String,
    pub mandatary: String,
    pub application: String,
    pub scope: Option<ScopeDto>,
    pub valid_until: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MandateDto {
    pub id: String,
    pub mandator: String,
    pub mandatary: String,
    pub application: String,
    pub scope: ScopeDto,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub status: &'static str,
    pub proposed_by: String,
    pub ended: Option<EndedDto>,
}

impl From<&Mandate> for MandateDto {
    fn from(m: &Mandate) -> MandateDto {
        MandateDto {
            id: m.id.to_string(),
            mandator: m.mandator.to_string(),
            mandatary: m.mandatary.to_string(),
            application: m.application.to_string(),
            scope: ScopeDto::of(&m.scope),
            valid_from: format_time(m.validity.from),
            valid_until: format_optional(m.validity.until),
            status: match m.status {
                habilis_domain::MandateStatus::Proposed => "proposed",
                habilis_domain::MandateStatus::Active => "active",
                habilis_domain::MandateStatus::Ended => "ended",
                habilis_domain::MandateStatus::Rejected => "rejected",
            },
            proposed_by: m.proposed_by.to_string(),
            ended: ended(m.ended.as_ref()),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ApprovalDto {
    pub id: String,
    pub subject: serde_json::Value,
    pub organization: String,
    pub application: Option<String>,
    pub cause: serde_json::Value,
    pub requested_by: Option<String>,
    pub requested_at: String,
    pub expires_at: String,
    pub status: &'static str,
    pub decided: Option<EndedDto>,
}

impl From<&Approval> for ApprovalDto {
    fn from(a: &Approval) -> ApprovalDto {
        ApprovalDto {
            id: a.id.to_string(),
            subject: serde_json::to_value(&a.subject).unwrap_or_default(),
            organization: a.organization.to_string(),
            application: a.application.as_ref().map(ToString::to_string),
            cause: serde_json::to_value(a.cause).unwrap_or_default(),
            requested_by: a.requested_by.as_ref().map(ToString::to_string),
            requested_at: format_time(a.requested_at),
            expires_at: format_time(a.expires_at),
            status: match a.status {
                habilis_domain::ApprovalStatus::Pending => "pending",
                habilis_domain::ApprovalStatus::Approved => "approved",
                habilis_domain::ApprovalStatus::Rejected => "rejected",
            },
            decided: ended(a.decided.as_ref()),
        }
    }
}

// ---- Access reviews ------------------------------------------------------------------------

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReviewDto {
    pub organization: String,
    pub application: Option<String>,
    /// RFC 3339 or `YYYY-MM-DD`.
    pub deadline: String,
    /// `revoke` (default) or `flag`: what the deadline does to unconfirmed grants.
    pub unconfirmed: Option<String>,
}

impl NewReviewDto {
    pub fn unconfirmed_policy(&self) -> Result<UnconfirmedPolicy, InvalidInput> {
        match self.unconfirmed.as_deref() {
            None | Some("revoke") => Ok(UnconfirmedPolicy::Revoke),
            Some("flag") => Ok(UnconfirmedPolicy::Flag),
            Some(other) => Err(InvalidInput::new(
                "unconfirmed",
                InvalidCode::InvalidValue,
                other,
            )),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewDecisionDto {
    pub decision: String,
    pub reason: Option<String>,
}

impl ReviewDecisionDto {
    pub fn decision(&self) -> Result<ReviewDecision, InvalidInput> {
        match self.decision.as_str() {
            "keep" => Ok(ReviewDecision::Keep),
            "revoke" => Ok(ReviewDecision::Revoke),
            other => Err(InvalidInput::new(
                "decision",
                InvalidCode::InvalidValue,
                other,
            )),
        }
    }
}

fn policy_name(policy: UnconfirmedPolicy) -> &'static str {
    match policy {
        UnconfirmedPolicy::Revoke => "revoke",
        UnconfirmedPolicy::Flag => "flag",
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ReviewItemDto {
    /// The item's id is its grant's id.
    pub grant: String,
    pub decision: Option<&'static str>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub reason: String,
    pub outcome_at_close: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReviewDto {
    pub id: String,
    pub organization: String,
    pub application: Option<String>,
    pub started_by: Option<String>,
    pub started_at: String,
    pub deadline: String,
    pub unconfirmed: &'static str,
    pub status: &'static str,
    pub closed_at: Option<String>,
    pub pending_items: usize,
    pub items: Vec<ReviewItemDto>,
}

impl From<&Review> for ReviewDto {
    fn from(r: &Review) -> ReviewDto {
        ReviewDto {
            id: r.id.to_string(),
            organization: r.organization.to_string(),
            application: r.application.as_ref().map(ToString::to_string),
            started_by: r.started_by.as_ref().map(ToString::to_string),
            started_at: format_time(r.started_at),
            deadline: format_time(r.deadline),
            unconfirmed: policy_name(r.unconfirmed),
            status: if r.is_open() { "open" } else { "closed" },
            closed_at: r.closed_at.map(format_time),
            pending_items: r.pending_items(),
            items: r
                .items
                .iter()
                .map(|item| ReviewItemDto {
                    grant: item.grant.to_string(),
                    decision: item.decision.map(ReviewDecision::as_str),
                    decided_by: item.decided_by.as_ref().map(ToString::to_string),
                    decided_at: item.decided_at.map(format_time),
                    reason: item.reason.clone(),
                    outcome_at_close: item.outcome_at_close.map(policy_name),
                })
                .collect(),
        }
    }
}

// ---- Applications -------------------------------------------------------------------------

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDto {
    pub key: String,
    pub name: NameInput,
    #[serde(default)]
    pub permissions: Vec<String>,
    #[serde(default)]
    pub owned_permissions: Vec<String>,
    pub level: Option<String>,
    #[serde(default)]
    pub scoped: bool,
    #[serde(default)]
    pub requires_approval: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryDto {
    pub key: String,
    pub name: NameInput,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatterDto {
    pub key: String,
    pub name: NameInput,
    #[serde(default)]
    pub categories: Vec<CategoryDto>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourcePropertiesDto {
    pub organization: Option<String>,
    pub matter: Option<String>,
    pub category: Option<String>,
    pub owner: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationDto {
    pub key: String,
    pub name: NameInput,
    pub owner: String,
    pub contexts: Vec<String>,
    pub permissions: Vec<String>,
    pub roles: Vec<RoleDto>,
    #[serde(default)]
    pub taxonomy: Vec<MatterDto>,
    pub self_grant: Option<String>,
    #[serde(default)]
    pub exclusive_roles: Vec<(String, String)>,
    pub resource_properties: Option<ResourcePropertiesDto>,
}

fn keys(field: &'static str, texts: &[String]) -> Result<BTreeSet<Key>, InvalidInput> {
    texts.iter().map(|t| Key::parse(field, t)).collect()
}

fn property_name(
    field: &'static str,
    text: Option<String>,
    default: &str,
) -> Result<String, InvalidInput> {
    let text = text.unwrap_or_else(|| default.to_owned());
    Key::parse(field, &text)?;
    Ok(text)
}

impl ApplicationDto {
    pub fn into_application(self) -> Result<Application, InvalidInput> {
        let self_grant = match self.self_grant.as_deref() {
            None | Some("approve") => SelfGrantPolicy::Approve,
            Some("allow") => SelfGrantPolicy::Allow,
            Some("flag") => SelfGrantPolicy::Flag,
            Some("deny") => SelfGrantPolicy::Deny,
            Some(other) => {
                return Err(InvalidInput::new(
                    "self_grant",
                    InvalidCode::InvalidValue,
                    other,
                ));
            }
        };
        let defaults = ResourceProperties::default();
        let properties = self.resource_properties.unwrap_or(ResourcePropertiesDto {
            organization: None,
            matter: None,
            category: None,
            owner: None,
        });
        Ok(Application {
            key: Key::parse("key", &self.key)?,
            name: LocalizedName::from(self.name).validate("name")?,
            owner: habilis_domain::OrganizationId::new(self.owner),
            contexts: self
                .contexts
                .iter()
                .map(|c| Context::parse(c))
                .collect::<Result<_, _>>()?,
            permissions: keys("permissions", &self.permissions)?,
            roles: self
                .roles
                .into_iter()
                .map(|r| {
                    Ok(Role {
                        key: Key::parse("roles.key", &r.key)?,
                        name: LocalizedName::from(r.name).validate("roles.name")?,
                        permissions: keys("roles.permissions", &r.permissions)?,
                        owned_permissions: keys("roles.owned_permissions", &r.owned_permissions)?,
                        level: r
                            .level
                            .as_deref()
                            .map(|l| Key::parse("roles.level", l))
                            .transpose()?,
                        scoped: r.scoped,
                        requires_approval: r.requires_approval,
                    })
                })
                .collect::<Result<_, InvalidInput>>()?,
            taxonomy: self
                .taxonomy
                .into_iter()
                .map(|m| {
                    Ok(Matter {
                        key: Key::parse("taxonomy.key", &m.key)?,
                        name: LocalizedName::from(m.name).validate("taxonomy.name")?,
                        categories: m
                            .categories
                            .into_iter()
                            .map(|c| {
                                Ok(Category {
                                    key: Key::parse("taxonomy.categories.key", &c.key)?,
                                    name: LocalizedName::from(c.name)
                                        .validate("taxonomy.categories.name")?,
                                })
                            })
                            .collect::<Result<_, InvalidInput>>()?,
                    })
                })
                .collect::<Result<_, InvalidInput>>()?,
            self_grant,
            exclusive_roles: self
                .exclusive_roles
                .iter()
                .map(|(a, b)| {
                    Ok((
                        Key::parse("exclusive_roles", a)?,
                        Key::parse("exclusive_roles", b)?,
                    ))
                })
                .collect::<Result<_, InvalidInput>>()?,
            resource_properties: ResourceProperties {
                organization: property_name(
                    "resource_properties.organization",
                    properties.organization,
                    &defaults.organization,
                )?,
                matter: property_name(
                    "resource_properties.matter",
                    properties.matter,
                    &defaults.matter,
                )?,
                category: property_name(
                    "resource_properties.category",
                    properties.category,
                    &defaults.category,
                )?,
                owner: property_name(
                    "resource_properties.owner",
                    properties.owner,
                    &defaults.owner,
                )?,
            },
            created_at: Timestamp(0),
        })
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ApplicationView {
    pub key: String,
    pub name: NameDto,
    pub owner: String,
    pub contexts: Vec<&'static str>,
    pub permissions: Vec<String>,
    pub roles: Vec<serde_json::Value>,
    pub taxonomy: Vec<serde_json::Value>,
    pub self_grant: &'static str,
    pub exclusive_roles: Vec<(String, String)>,
    pub resource_properties: serde_json::Value,
}

impl From<&Application> for ApplicationView {
    fn from(a: &Application) -> ApplicationView {
        ApplicationView {
            key: a.key.to_string(),
            name: (&a.name).into(),
            owner: a.owner.to_string(),
            contexts: a.contexts.iter().map(|c| c.as_str()).collect(),
            permissions: a.permissions.iter().map(ToString::to_string).collect(),
            roles: a
                .roles
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "key": r.key, "name": NameDto::from(&r.name), "permissions": r.permissions,
                        "owned_permissions": r.owned_permissions, "level": r.level, "scoped": r.scoped,
                        "requires_approval": r.requires_approval,
                    })
                })
                .collect(),
            taxonomy: a
                .taxonomy
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "key": m.key, "name": NameDto::from(&m.name),
                        "categories": m.categories.iter().map(|c| serde_json::json!({"key": c.key, "name": NameDto::from(&c.name)})).collect::<Vec<_>>(),
                    })
                })
                .collect(),
            self_grant: a.self_grant.as_str(),
            exclusive_roles: a.exclusive_roles.iter().map(|(x, y)| (x.to_string(), y.to_string())).collect(),
            resource_properties: serde_json::to_value(&a.resource_properties).unwrap_or_default(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceDto {
    #[serde(rename = "type")]
    pub resource_type: String,
    pub id: String,
    pub organization: String,
    pub matter: Option<String>,
    pub category: Option<String>,
    pub owner: Option<String>,
}
