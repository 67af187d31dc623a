//! The entities of PRODUCT.md as plain data: organisations, users, memberships,
//! applications, subscriptions, designations, grants, mandates, suspensions, approvals,
//! resources, and the security levels.
//!
//! Everything here is a value. Who may change it lives in `powers`, what it allows in
//! `decision`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::refusal::{InvalidCode, InvalidInput};

/// Seconds since the Unix epoch, UTC. Time is always a parameter; nothing here reads a clock.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const MIN: Timestamp = Timestamp(i64::MIN);
    pub const MAX: Timestamp = Timestamp(i64::MAX);

    pub fn plus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(seconds))
    }

    pub fn plus_days(self, days: i64) -> Timestamp {
        self.plus_seconds(days.saturating_mul(86_400))
    }
}

/// A half-open validity window `[from, until)`; `until: None` means open-ended.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct Validity {
    pub from: Timestamp,
    pub until: Option<Timestamp>,
}

impl Validity {
    pub fn from(from: Timestamp) -> Validity {
        Validity { from, until: None }
    }

    pub fn contains(&self, at: Timestamp) -> bool {
        self.from <= at && self.until.is_none_or(|until| at < until)
    }

    pub fn is_over(&self, at: Timestamp) -> bool {
        self.until.is_some_and(|until| until <= at)
    }

    pub fn end(&self) -> Timestamp {
        self.until.unwrap_or(Timestamp::MAX)
    }
}

/// The three contexts of the federal role administration.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    CivilServant,
    Enterprise,
    SelfEmployed,
}

impl Context {
    pub const ALL: [Context; 3] = [
        Context::CivilServant,
        Context::Enterprise,
        Context::SelfEmployed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Context::CivilServant => "civil_servant",
            Context::Enterprise => "enterprise",
            Context::SelfEmployed => "self_employed",
        }
    }

    pub fn parse(input: &str) -> Result<Context, InvalidInput> {
        Context::ALL
            .into_iter()
            .find(|context| context.as_str() == input)
            .ok_or_else(|| InvalidInput::new("context", InvalidCode::InvalidContext, input))
    }
}

/// What kind of body an organisation is; its context follows from it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationKind {
    FederalService,
    Region,
    Community,
    Province,
    Commune,
    Cpas,
    Intercommunale,
    PoliceZone,
    EmergencyZone,
    AutonomousCompany,
    ChurchFabric,
    PublicHousing,
    OtherPublicBody,
    Enterprise,
    SelfEmployed,
}

impl OrganizationKind {
    pub const ALL: [OrganizationKind; 15] = [
        OrganizationKind::FederalService,
        OrganizationKind::Region,
        OrganizationKind::Community,
        OrganizationKind::Province,
        OrganizationKind::Commune,
        OrganizationKind::Cpas,
        OrganizationKind::Intercommunale,
        OrganizationKind::PoliceZone,
        OrganizationKind::EmergencyZone,
        OrganizationKind::AutonomousCompany,
        OrganizationKind::ChurchFabric,
        OrganizationKind::PublicHousing,
        OrganizationKind::OtherPublicBody,
        OrganizationKind::Enterprise,
        OrganizationKind::SelfEmployed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrganizationKind::FederalService => "federal_service",
            OrganizationKind::Region => "region",
            OrganizationKind::Community => "community",
            OrganizationKind::Province => "province",
            OrganizationKind::Commune => "commune",
            OrganizationKind::Cpas => "cpas",
            OrganizationKind::Intercommunale => "intercommunale",
            OrganizationKind::PoliceZone => "police_zone",
            OrganizationKind::EmergencyZone => "emergency_zone",
            OrganizationKind::AutonomousCompany => "autonomous_company",
            OrganizationKind::ChurchFabric => "church_fabric",
            OrganizationKind::PublicHousing => "public_housing",
            OrganizationKind::OtherPublicBody => "other_public_body",
            OrganizationKind::Enterprise => "enterprise",
            OrganizationKind::SelfEmployed => "self_employed",
        }
    }

    pub fn parse(input: &str) -> Result<OrganizationKind, InvalidInput> {
        OrganizationKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == input)
            .ok_or_else(|| InvalidInput::new("kind", InvalidCode::InvalidKind, input))
    }

    pub fn context(self) -> Context {
        match self {
            OrganizationKind::Enterprise => Context::Enterprise,
            OrganizationKind::SelfEmployed => Context::SelfEmployed,
            _ => Context::CivilServant,
        }
    }
}

/// The four languages of the product; French is the default.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Fr,
    Nl,
    De,
    En,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::Fr, Language::Nl, Language::De, Language::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::Nl => "nl",
            Language::De => "de",
            Language::En => "en",
        }
    }

    pub fn parse(input: &str) -> Result<Language, InvalidInput> {
        Language::ALL
            .into_iter()
            .find(|language| language.as_str() == input.to_ascii_lowercase())
            .ok_or_else(|| InvalidInput::new("language", InvalidCode::InvalidLanguage, input))
    }
}

/// A name in the four languages. At least one must be given; missing ones fall back to the
/// first given in the order fr, nl, de, en.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct LocalizedName {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fr: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub nl: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub de: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub en: String,
}

impl LocalizedName {
    pub const MAX_LEN: usize = 300;

    pub fn same(text: &str) -> LocalizedName {
        LocalizedName {
            fr: text.into(),
            nl: text.into(),
            de: text.into(),
            en: text.into(),
        }
    }

    pub fn validate(self, field: &str) -> Result<LocalizedName, InvalidInput> {
        let all = [&self.fr, &self.nl, &self.de, &self.en];
        if all.iter().all(|text| text.trim().is_empty()) {
            return Err(InvalidInput::because(
                field,
                InvalidCode::InvalidName,
                format!("`{field}` needs at least one language"),
            ));
        }
        if all.iter().any(|text| {
            text.chars().count() > LocalizedName::MAX_LEN || text.chars().any(char::is_control)
        }) {
            return Err(InvalidInput::because(
                field,
                InvalidCode::InvalidName,
                format!("`{field}` is too long or holds control characters"),
            ));
        }
        Ok(self)
    }

    pub fn get(&self, language: Language) -> &str {
        let preferred = match language {
            Language::Fr => &self.fr,
            Language::Nl => &self.nl,
            Language::De => &self.de,
            Language::En => &self.en,
        };
        if !preferred.is_empty() {
            return preferred;
        }
        [&self.fr, &self.nl, &self.de, &self.en]
            .into_iter()
            .find(|text| !text.is_empty())
            .map_or("", String::as_str)
    }

    pub fn matches(&self, needle_lowercase: &str) -> bool {
        [&self.fr, &self.nl, &self.de, &self.en]
            .into_iter()
            .any(|text| text.to_lowercase().contains(needle_lowercase))
    }
}

/// A security level as the operator configured it, with the `acr` values that reach it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SecurityLevel {
    pub key: Key,
    /// Position in the order, from 1 (weakest).
    pub rank: u8,
    pub acr_values: Vec<String>,
}

/// The ordered list of security levels.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Levels {
    pub levels: Vec<SecurityLevel>,
}

impl Default for Levels {
    /// The seed's two levels with Belgian federal `acr` values (DOMAIN.md §2).
    fn default() -> Levels {
        let fas = |n: u32| format!("urn:be:fedict:iam:fas:Level{n}");
        Levels {
            levels: vec![
                SecurityLevel {
                    key: Key::parse("level", "low").unwrap_or_else(|_| unreachable_key()),
                    rank: 1,
                    acr_values: vec![fas(200), fas(350), fas(400)],
                },
                SecurityLevel {
                    key: Key::parse("level", "high").unwrap_or_else(|_| unreachable_key()),
                    rank: 2,
                    acr_values: vec![fas(450), fas(500)],
                },
            ],
        }
    }
}

#[expect(
    clippy::panic,
    reason = "the literal keys above are valid; this never runs"
)]
fn unreachable_key() -> Key {
    panic!("BUG: a literal level key is invalid")
}

impl Levels {
    pub fn by_key(&self, key: &str) -> Option<&SecurityLevel> {
        self.levels.iter().find(|level| level.key.as_str() == key)
    }

    pub fn by_rank(&self, rank: u8) -> Option<&SecurityLevel> {
        self.levels.iter().find(|level| level.rank == rank)
    }

    pub fn highest(&self) -> Option<&SecurityLevel> {
        self.levels.iter().max_by_key(|level| level.rank)
    }

    /// The rank an `acr` value reaches; `None` for an unknown value.
    pub fn rank_of_acr(&self, acr: &str) -> Option<u8> {
        self.levels
            .iter()
            .filter(|level| level.acr_values.iter().any(|value| value == acr))
            .map(|level| level.rank)
            .max()
    }

    /// The rank a level named by key or number reaches.
    pub fn rank_of_name(&self, name: &str) -> Option<u8> {
        if let Some(level) = self.by_key(name) {
            return Some(level.rank);
        }
        let number: u8 = name.parse().ok()?;
        self.by_rank(number).map(|level| level.rank)
    }

    /// Every `acr` value that reaches at least `rank`, strongest first: what an application
    /// sends as `acr_values` to step up.
    pub fn acr_values_at_least(&self, rank: u8) -> Vec<String> {
        let mut levels: Vec<&SecurityLevel> = self
            .levels
            .iter()
            .filter(|level| level.rank >= rank)
            .collect();
        levels.sort_by_key(|level| std::cmp::Reverse(level.rank));
        levels
            .into_iter()
            .flat_map(|level| level.acr_values.iter().rev().cloned())
            .collect()
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Suspended {
    pub reason: String,
    pub by: Option<UserId>,
    pub at: Timestamp,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Organization {
    pub id: OrganizationId,
    /// `None` for foreign or unregistered bodies, which carry an operator-issued id instead.
    pub enterprise_number: Option<EnterpriseNumber>,
    pub external_id: Option<String>,
    pub kind: OrganizationKind,
    pub name: LocalizedName,
    pub suspended: Option<Suspended>,
    /// Every change of access in it waits for a second person (e-Tutelle's systematic
    /// validation).
    pub require_approval: bool,
    pub created_at: Timestamp,
}

impl Organization {
    pub fn context(&self) -> Context {
        self.kind.context()
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub national_number: Option<NationalNumber>,
    pub email: Option<Email>,
    pub given_name: String,
    pub family_name: String,
    pub language: Language,
    pub created_at: Timestamp,
}

impl User {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// A user's membership of an organisation. Ending it ends every grant and designation there.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Membership {
    pub organization: OrganizationId,
    pub user: UserId,
    pub since: Timestamp,
    pub ended_at: Option<Timestamp>,
}

impl Membership {
    pub fn is_active(&self, at: Timestamp) -> bool {
        self.since <= at && self.ended_at.is_none_or(|ended| at < ended)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelfGrantPolicy {
    /// Allowed like any other grant.
    Allow,
    /// Allowed, marked and notified.
    Flag,
    /// A second manager must approve.
    Approve,
    /// Refused.
    Deny,
}

impl SelfGrantPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            SelfGrantPolicy::Allow => "allow",
            SelfGrantPolicy::Flag => "flag",
            SelfGrantPolicy::Approve => "approve",
            SelfGrantPolicy::Deny => "deny",
        }
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Role {
    pub key: Key,
    pub name: LocalizedName,
    /// Permissions held on every resource in scope.
    pub permissions: BTreeSet<Key>,
    /// Permissions held only on resources the user owns.
    pub owned_permissions: BTreeSet<Key>,
    /// The key of the minimum security level; `None` when the role needs no particular
    /// level (an application that never passes an `acr`).
    pub level: Option<Key>,
    /// Whether grants of this role are scoped by the taxonomy.
    pub scoped: bool,
    /// Grants of this role wait for a second manager's approval.
    pub requires_approval: bool,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Category {
    pub key: Key,
    pub name: LocalizedName,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Matter {
    pub key: Key,
    pub name: LocalizedName,
    pub categories: Vec<Category>,
}

/// The property names an application uses for a resource's attributes.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ResourceProperties {
    pub organization: String,
    pub matter: String,
    pub category: String,
    pub owner: String,
}

impl Default for ResourceProperties {
    fn default() -> ResourceProperties {
        ResourceProperties {
            organization: "organization".into(),
            matter: "matter".into(),
            category: "category".into(),
            owner: "owner".into(),
        }
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Application {
    pub key: Key,
    pub name: LocalizedName,
    pub owner: OrganizationId,
    pub contexts: BTreeSet<Context>,
    pub permissions: BTreeSet<Key>,
    pub roles: Vec<Role>,
    pub taxonomy: Vec<Matter>,
    pub self_grant: SelfGrantPolicy,
    pub exclusive_roles: Vec<(Key, Key)>,
    pub resource_properties: ResourceProperties,
    pub created_at: Timestamp,
}

impl Application {
    pub fn role(&self, key: &str) -> Option<&Role> {
        self.roles.iter().find(|role| role.key.as_str() == key)
    }

    pub fn matter(&self, key: &str) -> Option<&Matter> {
        self.taxonomy
            .iter()
            .find(|matter| matter.key.as_str() == key)
    }

    pub fn has_category(&self, matter: &str, category: &str) -> bool {
        self.matter(matter)
            .is_some_and(|m| m.categories.iter().any(|c| c.key.as_str() == category))
    }

    /// The roles declared exclusive with `role`.
    pub fn exclusive_with<'a>(&'a self, role: &'a str) -> impl Iterator<Item = &'a Key> + 'a {
        self.exclusive_roles.iter().filter_map(move |(a, b)| {
            if a.as_str() == role {
                Some(b)
            } else if b.as_str() == role {
                Some(a)
            } else {
                None
            }
        })
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Subscription {
    pub organization: OrganizationId,
    pub application: Key,
    pub since: Timestamp,
}

/// What part of an application's taxonomy a grant or mandate covers.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    All,
    Matters(BTreeSet<Key>),
    Categories(BTreeSet<(Key, Key)>),
}

impl Scope {
    /// Whether the scope covers a resource with these attributes. A resource outside the
    /// taxonomy (no matter) is covered only by `All`.
    pub fn covers(&self, matter: Option<&str>, category: Option<&str>) -> bool {
        match self {
            Scope::All => true,
            Scope::Matters(matters) => matter.is_some_and(|m| matters.contains(m)),
            Scope::Categories(categories) => match (matter, category) {
                (Some(m), Some(c)) => categories
                    .iter()
                    .any(|(cm, cc)| cm.as_str() == m && cc.as_str() == c),
                _ => false,
            },
        }
    }

    /// Whether everything `self` covers is also covered by `outer`, in `application`'s
    /// taxonomy.
    pub fn within(&self, outer: &Scope, application: &Application) -> bool {
        match (self, outer) {
            (_, Scope::All) => true,
            (Scope::All, _) => false,
            (Scope::Matters(inner), Scope::Matters(outer)) => inner.is_subset(outer),
            (Scope::Matters(inner), Scope::Categories(outer)) => inner.iter().all(|matter| {
                application.matter(matter.as_str()).is_some_and(|m| {
                    m.categories
                        .iter()
                        .all(|c| outer.contains(&(matter.clone(), c.key.clone())))
                })
            }),
            (Scope::Categories(inner), Scope::Matters(outer)) => {
                inner.iter().all(|(matter, _)| outer.contains(matter))
            }
            (Scope::Categories(inner), Scope::Categories(outer)) => inner.is_subset(outer),
        }
    }

    /// Whether two scopes share at least one category of `application`'s taxonomy (or are
    /// both unrestricted).
    pub fn overlaps(&self, other: &Scope, application: &Application) -> bool {
        let covered = |scope: &Scope, matter: &str, category: &str| {
            scope.covers(Some(matter), Some(category))
        };
        if matches!((self, other), (Scope::All, Scope::All)) {
            return true;
        }
        application.taxonomy.iter().any(|matter| {
            matter.categories.iter().any(|category| {
                covered(self, matter.key.as_str(), category.key.as_str())
                    && covered(other, matter.key.as_str(), category.key.as_str())
            })
        })
    }

    /// Checks the scope against the application's taxonomy.
    pub fn validate(&self, application: &Application) -> bool {
        match self {
            Scope::All => true,
            Scope::Matters(matters) => {
                !matters.is_empty()
                    && matters
                        .iter()
                        .all(|m| application.matter(m.as_str()).is_some())
            }
            Scope::Categories(categories) => {
                !categories.is_empty()
                    && categories
                        .iter()
                        .all(|(m, c)| application.has_category(m.as_str(), c.as_str()))
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DesignationKind {
    Principal,
    Deputy,
    AccessManager,
}

impl DesignationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DesignationKind::Principal => "principal",
            DesignationKind::Deputy => "deputy",
            DesignationKind::AccessManager => "access_manager",
        }
    }
}

/// The life of something that may wait for approval: a designation or a grant.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Active,
    /// Ended by someone (a revoked grant, an ended designation).
    Revoked,
    Rejected,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Ended {
    pub at: Timestamp,
    pub by: Option<UserId>,
    pub reason: String,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Designation {
    pub id: DesignationId,
    pub organization: OrganizationId,
    pub user: UserId,
    pub kind: DesignationKind,
    /// For access managers: the applications they manage.
    pub applications: BTreeSet<Key>,
    pub validity: Validity,
    pub status: Status,
    pub designated_by: Option<UserId>,
    pub reason: String,
    pub ended: Option<Ended>,
    pub created_at: Timestamp,
}

impl Designation {
    pub fn is_in_force(&self, at: Timestamp) -> bool {
        self.status == Status::Active && self.validity.contains(at)
    }

    pub fn covers_application(&self, application: &str) -> bool {
        match self.kind {
            DesignationKind::Principal | DesignationKind::Deputy => true,
            DesignationKind::AccessManager => self.applications.contains(application),
        }
    }
}

/// Whether a grant reaches only its organisation's resources or those of every organisation
/// subscribed to the application (an owner's grant to its own staff).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    #[default]
    Organization,
    AllSubscribers,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Grant {
    pub id: GrantId,
    pub user: UserId,
    pub organization: OrganizationId,
    pub application: Key,
    pub role: Key,
    pub scope: Scope,
    pub reach: Reach,
    pub validity: Validity,
    pub status: Status,
    pub granted_by: Option<UserId>,
    pub reason: String,
    /// Set when a self-grant was allowed under the `flag` policy.
    pub flagged: bool,
    pub ended: Option<Ended>,
    pub created_at: Timestamp,
}

/// A grant's state as people see it: `expired` is an active grant whose window is over.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantState {
    Pending,
    Active,
    Revoked,
    Expired,
    Rejected,
}

impl GrantState {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantState::Pending => "pending",
            GrantState::Active => "active",
            GrantState::Revoked => "revoked",
            GrantState::Expired => "expired",
            GrantState::Rejected => "rejected",
        }
    }
}

impl Grant {
    pub fn state(&self, at: Timestamp) -> GrantState {
        match self.status {
            Status::Pending => GrantState::Pending,
            Status::Revoked => GrantState::Revoked,
            Status::Rejected => GrantState::Rejected,
            Status::Active if self.validity.is_over(at) => GrantState::Expired,
            Status::Active => GrantState::Active,
        }
    }

    pub fn is_in_force(&self, at: Timestamp) -> bool {
        self.status == Status::Active && self.validity.contains(at)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MandateStatus {
    Proposed,
    Active,
    Ended,
    Rejected,
}

/// Organisation `mandator` lets `mandatary` act on its behalf for one application.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Mandate {
    pub id: MandateId,
    pub mandator: OrganizationId,
    pub mandatary: OrganizationId,
    pub application: Key,
    pub scope: Scope,
    pub validity: Validity,
    pub status: MandateStatus,
    /// The side that proposed it; the other side accepts.
    pub proposed_by: OrganizationId,
    pub proposed_by_user: Option<UserId>,
    pub ended: Option<Ended>,
    pub created_at: Timestamp,
}

impl Mandate {
    pub fn is_in_force(&self, at: Timestamp) -> bool {
        self.status == MandateStatus::Active && self.validity.contains(at)
    }
}

/// A suspension of a user, platform-wide or for one application. Organisations carry their
/// own `suspended` field.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Suspension {
    pub id: SuspensionId,
    pub user: UserId,
    pub application: Option<Key>,
    pub reason: String,
    pub by: Option<UserId>,
    pub at: Timestamp,
    pub lifted: Option<Ended>,
}

impl Suspension {
    pub fn is_in_force(&self, at: Timestamp) -> bool {
        self.at <= at && self.lifted.as_ref().is_none_or(|lifted| at < lifted.at)
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum ApprovalSubject {
    Grant(GrantId),
    Designation(DesignationId),
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
}

/// Why a change waits for a second person.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalCause {
    /// The organisation requires approval of every change.
    Organization,
    /// The role requires approval.
    Role,
    /// A self-grant under the `approve` policy.
    SelfGrant,
    /// A principal designation waits for the operator.
    Operator,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Approval {
    pub id: ApprovalId,
    pub subject: ApprovalSubject,
    pub organization: OrganizationId,
    pub application: Option<Key>,
    pub cause: ApprovalCause,
    pub requested_by: Option<UserId>,
    pub requested_at: Timestamp,
    pub expires_at: Timestamp,
    pub status: ApprovalStatus,
    pub decided: Option<Ended>,
}

impl Approval {
    /// An approval nobody acted on before its deadline lapses; it is then treated as
    /// rejected.
    pub fn is_open(&self, at: Timestamp) -> bool {
        self.status == ApprovalStatus::Pending && at < self.expires_at
    }
}

/// A thing an application protects, registered so Habilis can answer reverse questions.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Resource {
    pub application: Key,
    pub resource_type: Key,
    pub id: String,
    pub organization: OrganizationId,
    pub matter: Option<Key>,
    pub category: Option<Key>,
    pub owner: Option<UserId>,
}

impl Resource {
    pub const MAX_ID_LEN: usize = 512;
}

impl Application {
    /// Checks that the definition holds together: keys unique, roles naming declared
    /// permissions and existing levels, exclusive pairs naming roles, categories unique.
    pub fn validate(&self, levels: &Levels) -> Vec<InvalidInput> {
        let mut problems = Vec::new();
        let mut problem = |field: String, detail: String| {
            problems.push(InvalidInput::because(
                field,
                InvalidCode::InvalidApplication,
                detail,
            ));
        };
        if self.contexts.is_empty() {
            problem(
                "contexts".into(),
                "an application is offered in at least one context".into(),
            );
        }
        let mut role_keys = BTreeSet::new();
        for (index, role) in self.roles.iter().enumerate() {
            if !role_keys.insert(role.key.clone()) {
                problem(
                    format!("roles[{index}].key"),
                    format!("role `{}` is declared twice", role.key),
                );
            }
            for permission in role.permissions.iter().chain(&role.owned_permissions) {
                if !self.permissions.contains(permission) {
                    problem(
                        format!("roles[{index}].permissions"),
                        format!(
                            "role `{}` names `{permission}`, which is not a permission of the application",
                            role.key
                        ),
                    );
                }
            }
            if let Some(level) = &role.level
                && levels.by_key(level.as_str()).is_none()
            {
                problem(
                    format!("roles[{index}].level"),
                    format!("`{level}` is not a security level"),
                );
            }
        }
        let mut matter_keys = BTreeSet::new();
        for (index, matter) in self.taxonomy.iter().enumerate() {
            if !matter_keys.insert(matter.key.clone()) {
                problem(
                    format!("taxonomy[{index}].key"),
                    format!("subject-matter `{}` is declared twice", matter.key),
                );
            }
            let mut category_keys = BTreeSet::new();
            for category in &matter.categories {
                if !category_keys.insert(category.key.clone()) {
                    problem(
                        format!("taxonomy[{index}].categories"),
                        format!(
                            "category `{}` is declared twice in `{}`",
                            category.key, matter.key
                        ),
                    );
                }
            }
        }
        for (index, (a, b)) in self.exclusive_roles.iter().enumerate() {
            if !role_keys.contains(a) || !role_keys.contains(b) || a == b {
                problem(
                    format!("exclusive_roles[{index}]"),
                    format!("`{a}` and `{b}` must be two roles of the application"),
                );
            }
        }
        problems
    }
}

/// What happens at a review's deadline to the grants nobody confirmed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnconfirmedPolicy {
    /// They are revoked: access nobody vouches for ends (the default).
    #[default]
    Revoke,
    /// They stay active but are flagged for the managers' attention.
    Flag,
}

/// A manager's answer about one grant of a review.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Keep,
    Revoke,
}

impl ReviewDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewDecision::Keep => "keep",
            ReviewDecision::Revoke => "revoke",
        }
    }
}

/// One grant under review, and the answer given about it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ReviewItem {
    pub grant: GrantId,
    pub decision: Option<ReviewDecision>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<Timestamp>,
    pub reason: String,
    /// What the deadline did to an unanswered item (`revoke` or `flag`).
    pub outcome_at_close: Option<UnconfirmedPolicy>,
}

/// An access review: a campaign asking an organisation's managers to confirm or revoke each
/// active grant (of one application, or of all) before a deadline.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Review {
    pub id: ReviewId,
    pub organization: OrganizationId,
    pub application: Option<Key>,
    pub started_by: Option<UserId>,
    pub started_at: Timestamp,
    pub deadline: Timestamp,
    pub unconfirmed: UnconfirmedPolicy,
    pub items: Vec<ReviewItem>,
    pub closed_at: Option<Timestamp>,
}

impl Review {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }

    pub fn item(&self, grant: &str) -> Option<&ReviewItem> {
        self.items.iter().find(|item| item.grant.as_str() == grant)
    }

    pub fn pending_items(&self) -> usize {
        self.items.iter().filter(|i| i.decision.is_none()).count()
    }
}
