//! `World`: a plain, complete-or-partial picture of Habilis's state, and `Change`: the one
//! way it evolves.
//!
//! Every committed change is a list of `Change`s, each the new full state of one entity (or
//! its removal). The store persists them, the engine applies them, and a `World` folds them.
//! The rules of `powers` read a `World` that the core fills with the entities an operation
//! concerns; the reference evaluator of `decision` reads a whole one.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::model::*;

/// Platform settings chosen by the operator.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Settings {
    /// Principal designations made by a legal representative wait for the operator.
    pub principal_designation_requires_approval: bool,
    /// How long an approval request stays open.
    pub approval_days: i64,
    /// The level (key) needed to designate or end a principal or deputy.
    pub sensitive_change_level: Option<Key>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            principal_designation_requires_approval: true,
            approval_days: 14,
            sensitive_change_level: Key::parse("level", "high").ok(),
        }
    }
}

/// One entity's new state, or its removal.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "entity")]
pub enum Change {
    Settings(Settings),
    Levels(Levels),
    Operator {
        user: UserId,
        present: bool,
    },
    Organization(Organization),
    LegalRepresentative {
        organization: OrganizationId,
        user: UserId,
        present: bool,
    },
    User(User),
    SubjectId {
        application: Key,
        subject_id: String,
        user: UserId,
        present: bool,
    },
    Membership(Membership),
    Application(Application),
    Subscription {
        subscription: Subscription,
        present: bool,
    },
    Designation(Designation),
    Grant(Grant),
    Mandate(Mandate),
    Suspension(Suspension),
    Approval(Approval),
    Review(Review),
    Resource(Resource),
    ResourceRemoved {
        application: Key,
        resource_type: Key,
        id: String,
    },
}

/// The state of the platform, or the part of it an operation needs.
#[derive(Clone, Debug, Default)]
pub struct World {
    pub settings: Settings,
    pub levels: Levels,
    pub operators: BTreeSet<UserId>,
    pub organizations: BTreeMap<OrganizationId, Organization>,
    pub legal_representatives: BTreeSet<(OrganizationId, UserId)>,
    pub users: BTreeMap<UserId, User>,
    /// (application, subject id) → user.
    pub subject_ids: BTreeMap<(Key, String), UserId>,
    pub memberships: BTreeMap<(OrganizationId, UserId), Membership>,
    pub applications: BTreeMap<Key, Application>,
    pub subscriptions: BTreeMap<(OrganizationId, Key), Subscription>,
    pub designations: BTreeMap<DesignationId, Designation>,
    pub grants: BTreeMap<GrantId, Grant>,
    pub mandates: BTreeMap<MandateId, Mandate>,
    pub suspensions: BTreeMap<SuspensionId, Suspension>,
    pub approvals: BTreeMap<ApprovalId, Approval>,
    pub reviews: BTreeMap<ReviewId, Review>,
    /// (application, type, id) → resource.
    pub resources: BTreeMap<(Key, Key, String), Resource>,
}

impl World {
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::Settings(settings) => self.settings = settings.clone(),
            Change::Levels(levels) => self.levels = levels.clone(),
            Change::Operator { user, present } => {
                if *present {
                    self.operators.insert(user.clone());
                } else {
                    self.operators.remove(user);
                }
            }
            Change::Organization(organization) => {
                self.organizations
                    .insert(organization.id.clone(), organization.clone());
            }
            Change::LegalRepresentative {
                organization,
                user,
                present,
            } => {
                let key = (organization.clone(), user.clone());
                if *present {
                    self.legal_representatives.insert(key);
                } else {
                    self.legal_representatives.remove(&key);
                }
            }
            Change::User(user) => {
                self.users.insert(user.id.clone(), user.clone());
            }
            Change::SubjectId {
                application,
                subject_id,
                user,
                present,
            } => {
                let key = (application.clone(), subject_id.clone());
                if *present {
                    self.subject_ids.insert(key, user.clone());
                } else {
                    self.subject_ids.remove(&key);
                }
            }
            Change::Membership(membership) => {
                let key = (membership.organization.clone(), membership.user.clone());
                self.memberships.insert(key, membership.clone());
            }
            Change::Application(application) => {
                self.applications
                    .insert(application.key.clone(), application.clone());
            }
            Change::Subscription {
                subscription,
                present,
            } => {
                let key = (
                    subscription.organization.clone(),
                    subscription.application.clone(),
                );
                if *present {
                    self.subscriptions.insert(key, subscription.clone());
                } else {
                    self.subscriptions.remove(&key);
                }
            }
            Change::Designation(designation) => {
                self.designations
                    .insert(designation.id.clone(), designation.clone());
            }
            Change::Grant(grant) => {
                self.grants.insert(grant.id.clone(), grant.clone());
            }
            Change::Mandate(mandate) => {
                self.mandates.insert(mandate.id.clone(), mandate.clone());
            }
            Change::Suspension(suspension) => {
                self.suspensions
                    .insert(suspension.id.clone(), suspension.clone());
            }
            Change::Approval(approval) => {
                self.approvals.insert(approval.id.clone(), approval.clone());
            }
            Change::Review(review) => {
                self.reviews.insert(review.id.clone(), review.clone());
            }
            Change::Resource(resource) => {
                let key = (
                    resource.application.clone(),
                    resource.resource_type.clone(),
                    resource.id.clone(),
                );
                self.resources.insert(key, resource.clone());
            }
            Change::ResourceRemoved {
                application,
                resource_type,
                id,
            } => {
                self.resources
                    .remove(&(application.clone(), resource_type.clone(), id.clone()));
            }
        }
    }

    pub fn is_operator(&self, user: &UserId) -> bool {
        self.operators.contains(user)
    }

    pub fn is_member(&self, organization: &OrganizationId, user: &UserId, at: Timestamp) -> bool {
        self.memberships
            .get(&(organization.clone(), user.clone()))
            .is_some_and(|membership| membership.is_active(at))
    }

    pub fn is_legal_representative(&self, organization: &OrganizationId, user: &UserId) -> bool {
        self.legal_representatives
            .contains(&(organization.clone(), user.clone()))
    }

    pub fn is_subscribed(&self, organization: &OrganizationId, application: &str) -> bool {
        self.subscriptions
            .keys()
            .any(|(o, a)| o == organization && a.as_str() == application)
    }

    /// The designations of `user` in `organization` in force at `at`.
    pub fn designations_in_force<'a>(
        &'a self,
        organization: &'a OrganizationId,
        user: &'a UserId,
        at: Timestamp,
    ) -> impl Iterator<Item = &'a Designation> + 'a {
        self.designations.values().filter(move |d| {
            &d.organization == organization && &d.user == user && d.is_in_force(at)
        })
    }

    /// Active principals of `organization`, counting only active members.
    pub fn principals_in_force<'a>(
        &'a self,
        organization: &'a OrganizationId,
        at: Timestamp,
    ) -> impl Iterator<Item = &'a Designation> + 'a {
        self.designations.values().filter(move |d| {
            &d.organization == organization
                && d.kind == DesignationKind::Principal
                && d.is_in_force(at)
                && self.is_member(organization, &d.user, at)
        })
    }

    /// Whether `user` is suspended platform-wide, or for `application` when given.
    pub fn is_user_suspended(
        &self,
        user: &UserId,
        application: Option<&str>,
        at: Timestamp,
    ) -> bool {
        self.suspensions.values().any(|s| {
            &s.user == user
                && s.is_in_force(at)
                && match (&s.application, application) {
                    (None, _) => true,
                    (Some(suspended), Some(asked)) => suspended.as_str() == asked,
                    (Some(_), None) => false,
                }
        })
    }

    pub fn is_organization_suspended(&self, organization: &OrganizationId) -> bool {
        self.organizations
            .get(organization)
            .is_some_and(|o| o.suspended.is_some())
    }

    pub fn user_by_national_number(&self, number: &NationalNumber) -> Option<&User> {
        self.users
            .values()
            .find(|u| u.national_number.as_ref() == Some(number))
    }

    pub fn user_by_email(&self, email: &Email) -> Option<&User> {
        self.users
            .values()
            .find(|u| u.email.as_ref() == Some(email))
    }

    pub fn organization_by_enterprise_number(
        &self,
        number: &EnterpriseNumber,
    ) -> Option<&Organization> {
        self.organizations
            .values()
            .find(|o| o.enterprise_number.as_ref() == Some(number))
    }

    /// Resolves a user named by Habilis id, national register number, e-mail, or a subject
    /// id linked for `application`.
    pub fn resolve_user(&self, text: &str, application: Option<&str>) -> Option<&User> {
        if let Some(user) = self.users.get(text) {
            return Some(user);
        }
        if let Some(application) = application
            && let Some(user_id) = self
                .subject_ids
                .iter()
                .find_map(|((a, s), u)| (a.as_str() == application && s == text).then_some(u))
        {
            return self.users.get(user_id);
        }
        if let Ok(number) = NationalNumber::parse(text) {
            return self.user_by_national_number(&number);
        }
        if let Ok(email) = Email::parse(text) {
            return self.user_by_email(&email);
        }
        None
    }

    /// Resolves an organisation named by Habilis id, enterprise number or external id.
    pub fn resolve_organization(&self, text: &str) -> Option<&Organization> {
        if let Some(organization) = self.organizations.get(text) {
            return Some(organization);
        }
        if let Ok(number) = EnterpriseNumber::parse(text) {
            return self.organization_by_enterprise_number(&number);
        }
        self.organizations
            .values()
            .find(|o| o.external_id.as_deref() == Some(text))
    }

    /// The level rank a role needs: 0 when it names none, `u8::MAX` when it names a level
    /// that does not exist, so that such a role is never satisfied.
    pub fn role_rank(&self, role: &Role) -> u8 {
        match &role.level {
            None => 0,
            Some(key) => self
                .levels
                .by_key(key.as_str())
                .map_or(u8::MAX, |level| level.rank),
        }
    }

    /// The name users and applications know `user` by in `application`: a linked subject id
    /// when there is one, else the Habilis id.
    pub fn subject_name(&self, user: &UserId, application: &str) -> String {
        self.subject_ids
            .iter()
            .find(|((a, _), u)| a.as_str() == application && u == &user)
            .map_or_else(
                || user.as_str().to_owned(),
                |((_, subject), _)| subject.clone(),
            )
    }
}
