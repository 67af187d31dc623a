//! The reference evaluator: PRODUCT.md's decision rule written plainly over a `World`.
//!
//! It is slow on purpose and obviously right. The engine must give the same answers; the
//! property tests compare the two on random worlds. Past-moment questions use it too, over a
//! world replayed from the history.
//!
//! The rule, for user U, action A of application P, resource R of organisation O, session
//! level L, at time T:
//! 1. U is not suspended (platform-wide or for P) and O is not suspended;
//! 2. some grant G of U for P is active at T, its role holds A, U is an active member of G's
//!    organisation (which is not suspended), and G reaches O: G is in O, or G's organisation
//!    holds a mandate from O for P in force at T, or G is an application-wide grant of P's
//!    owner and O subscribes to P;
//! 3. G's scope (and the mandate's) covers R's subject-matter and category, and where the role
//!    holds A only on owned resources, R's owner is U;
//! 4. L reaches G's role's level.
//!
//! When several grants fail, the reason is the one closest to allowing, in the order
//! `step_up` (lowest level first), `not_owner`, `outside_scope`, `no_grant`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::model::*;
use crate::world::World;

/// How an allowing grant reaches the resource's organisation.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "via", content = "mandate")]
pub enum Via {
    Organization,
    ApplicationWide,
    Mandate(MandateId),
}

/// Why a question was denied. The snake_case names are stable and sent to applications.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum DenyReason {
    UnknownApplication,
    UnknownSubject,
    UnknownAction,
    UnknownResource,
    UserSuspended,
    OrganizationSuspended,
    NoGrant,
    OutsideScope,
    NotOwner,
    /// The session's level is too low; this rank would do.
    StepUp {
        rank: u8,
    },
}

impl DenyReason {
    pub fn code(&self) -> &'static str {
        match self {
            DenyReason::UnknownApplication => "unknown_application",
            DenyReason::UnknownSubject => "unknown_subject",
            DenyReason::UnknownAction => "unknown_action",
            DenyReason::UnknownResource => "unknown_resource",
            DenyReason::UserSuspended => "user_suspended",
            DenyReason::OrganizationSuspended => "organization_suspended",
            DenyReason::NoGrant => "no_grant",
            DenyReason::OutsideScope => "outside_scope",
            DenyReason::NotOwner => "not_owner",
            DenyReason::StepUp { .. } => "step_up",
        }
    }

    /// How close to allowing: higher is closer. Used to pick the reason among failed grants.
    fn closeness(&self) -> u16 {
        match self {
            DenyReason::StepUp { rank } => 1000 - u16::from(*rank),
            DenyReason::NotOwner => 3,
            DenyReason::OutsideScope => 2,
            _ => 1,
        }
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Decision {
    Allow { grant: GrantId, via: Via },
    Deny(DenyReason),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow { .. })
    }

    /// Two decisions agree when both allow (by whatever grant) or both deny for the same
    /// reason.
    pub fn agrees_with(&self, other: &Decision) -> bool {
        match (self, other) {
            (Decision::Allow { .. }, Decision::Allow { .. }) => true,
            (Decision::Deny(a), Decision::Deny(b)) => a == b,
            _ => false,
        }
    }
}

/// The attributes of a resource as the decision sees them.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ResourceAttributes {
    pub organization: OrganizationId,
    pub matter: Option<Key>,
    pub category: Option<Key>,
    /// `None` when the resource has no owner, or an owner Habilis does not know.
    pub owner: Option<UserId>,
}

impl ResourceAttributes {
    pub fn of(resource: &Resource) -> ResourceAttributes {
        ResourceAttributes {
            organization: resource.organization.clone(),
            matter: resource.matter.clone(),
            category: resource.category.clone(),
            owner: resource.owner.clone(),
        }
    }
}

/// Attribute values a question passes for a resource, overriding the registered ones one by
/// one. Organisation and owner are names to resolve (ids, official numbers, linked subject
/// ids).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ResourceOverrides {
    pub organization: Option<String>,
    pub matter: Option<String>,
    pub category: Option<String>,
    pub owner: Option<String>,
}

impl ResourceOverrides {
    pub fn is_empty(&self) -> bool {
        self.organization.is_none()
            && self.matter.is_none()
            && self.category.is_none()
            && self.owner.is_none()
    }
}

/// A question as an application asks it: names still to resolve.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Question {
    pub application: String,
    pub subject: String,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    pub overrides: ResourceOverrides,
    /// The session's level rank; `None` for a session with no known level.
    pub level: Option<u8>,
    pub at: Timestamp,
}

/// Resolves a question's resource: the registered one with overrides applied, or one
/// described by its overrides alone. A described resource with no organisation belongs to
/// the application's owner. `None`: neither registered nor described, or an organisation
/// that does not exist.
pub fn resolve_resource(
    world: &World,
    application: &Application,
    resource_type: &str,
    resource_id: &str,
    overrides: &ResourceOverrides,
) -> Option<ResourceAttributes> {
    let registered = world.resources.iter().find_map(|((a, t, i), r)| {
        (a == &application.key && t.as_str() == resource_type && i == resource_id).then_some(r)
    });
    if registered.is_none() && overrides.is_empty() {
        return None;
    }
    let organization = match (&overrides.organization, registered) {
        (Some(name), _) => world.resolve_organization(name)?.id.clone(),
        (None, Some(resource)) => resource.organization.clone(),
        (None, None) => application.owner.clone(),
    };
    let text_key = |text: &String| Key::parse("resource", text).ok();
    let matter = match &overrides.matter {
        Some(text) => text_key(text),
        None => registered.and_then(|r| r.matter.clone()),
    };
    let category = match &overrides.category {
        Some(text) => text_key(text),
        None => registered.and_then(|r| r.category.clone()),
    };
    let owner = match &overrides.owner {
        Some(name) => world
            .resolve_user(name, Some(application.key.as_str()))
            .map(|u| u.id.clone()),
        None => registered.and_then(|r| r.owner.clone()),
    };
    Some(ResourceAttributes {
        organization,
        matter,
        category,
        owner,
    })
}

/// Answers a question with names, resolving them first.
pub fn evaluate(world: &World, question: &Question) -> Decision {
    let Some(application) = world.applications.get(question.application.as_str()) else {
        return Decision::Deny(DenyReason::UnknownApplication);
    };
    let Some(user) = world.resolve_user(&question.subject, Some(application.key.as_str())) else {
        return Decision::Deny(DenyReason::UnknownSubject);
    };
    if !application.permissions.contains(question.action.as_str()) {
        return Decision::Deny(DenyReason::UnknownAction);
    }
    let Some(resource) = resolve_resource(
        world,
        application,
        &question.resource_type,
        &question.resource_id,
        &question.overrides,
    ) else {
        return Decision::Deny(DenyReason::UnknownResource);
    };
    allow(
        world,
        &user.id,
        &question.action,
        application,
        &resource,
        question.level,
        question.at,
    )
}

/// The decision rule over resolved values.
pub fn allow(
    world: &World,
    user: &UserId,
    action: &str,
    application: &Application,
    resource: &ResourceAttributes,
    level: Option<u8>,
    at: Timestamp,
) -> Decision {
    if !application.permissions.contains(action) {
        return Decision::Deny(DenyReason::UnknownAction);
    }
    if world.is_user_suspended(user, Some(application.key.as_str()), at) {
        return Decision::Deny(DenyReason::UserSuspended);
    }
    if world.is_organization_suspended(&resource.organization) {
        return Decision::Deny(DenyReason::OrganizationSuspended);
    }
    let session_rank = level.unwrap_or(0);
    let mut best: Option<Decision> = None;
    for grant in world.grants.values() {
        if &grant.user != user || grant.application != application.key || !grant.is_in_force(at) {
            continue;
        }
        let Some(role) = application.role(grant.role.as_str()) else {
            continue;
        };
        let holds_everywhere = role.permissions.contains(action);
        if !holds_everywhere && !role.owned_permissions.contains(action) {
            continue;
        }
        if !world.is_member(&grant.organization, user, at)
            || world.is_organization_suspended(&grant.organization)
        {
            continue;
        }
        let grant_scope = if role.scoped {
            grant.scope.clone()
        } else {
            Scope::All
        };
        for (via, extra_scope) in reaches(world, grant, application, &resource.organization, at) {
            let in_scope = grant_scope.covers(
                resource.matter.as_ref().map(Key::as_str),
                resource.category.as_ref().map(Key::as_str),
            ) && extra_scope.is_none_or(|scope| {
                scope.covers(
                    resource.matter.as_ref().map(Key::as_str),
                    resource.category.as_ref().map(Key::as_str),
                )
            });
            let outcome = if !in_scope {
                Decision::Deny(DenyReason::OutsideScope)
            } else if !holds_everywhere && resource.owner.as_ref() != Some(user) {
                Decision::Deny(DenyReason::NotOwner)
            } else if session_rank < world.role_rank(role) {
                Decision::Deny(DenyReason::StepUp {
                    rank: world.role_rank(role),
                })
            } else {
                return Decision::Allow {
                    grant: grant.id.clone(),
                    via,
                };
            };
            best = Some(closer(best, outcome));
        }
    }
    best.unwrap_or(Decision::Deny(DenyReason::NoGrant))
}

fn closer(best: Option<Decision>, candidate: Decision) -> Decision {
    match (best, candidate) {
        (Some(Decision::Deny(current)), Decision::Deny(new)) => {
            if new.closeness() > current.closeness() {
                Decision::Deny(new)
            } else {
                Decision::Deny(current)
            }
        }
        (_, candidate) => candidate,
    }
}

/// The ways `grant` reaches `organization`, each with the mandate's scope when it goes
/// through a mandate.
fn reaches<'a>(
    world: &'a World,
    grant: &'a Grant,
    application: &'a Application,
    organization: &'a OrganizationId,
    at: Timestamp,
) -> Vec<(Via, Option<&'a Scope>)> {
    let mut ways = Vec::new();
    if &grant.organization == organization {
        ways.push((Via::Organization, None));
    }
    if grant.reach == Reach::AllSubscribers
        && grant.organization == application.owner
        && world.is_subscribed(organization, application.key.as_str())
    {
        ways.push((Via::ApplicationWide, None));
    }
    for mandate in world.mandates.values() {
        if &mandate.mandator == organization
            && mandate.mandatary == grant.organization
            && mandate.application == application.key
            && mandate.is_in_force(at)
        {
            ways.push((Via::Mandate(mandate.id.clone()), Some(&mandate.scope)));
        }
    }
    ways
}

/// Which registered resources of `resource_type` may `user` act on with `action`.
pub fn search_resources(
    world: &World,
    user: &UserId,
    action: &str,
    application: &Application,
    resource_type: &str,
    level: Option<u8>,
    at: Timestamp,
) -> BTreeSet<String> {
    world
        .resources
        .values()
        .filter(|r| r.application == application.key && r.resource_type.as_str() == resource_type)
        .filter(|r| {
            allow(
                world,
                user,
                action,
                application,
                &ResourceAttributes::of(r),
                level,
                at,
            )
            .is_allowed()
        })
        .map(|r| r.id.clone())
        .collect()
}

/// Which users may act on `resource` with `action`.
pub fn search_subjects(
    world: &World,
    action: &str,
    application: &Application,
    resource: &ResourceAttributes,
    level: Option<u8>,
    at: Timestamp,
) -> BTreeSet<UserId> {
    world
        .users
        .keys()
        .filter(|user| allow(world, user, action, application, resource, level, at).is_allowed())
        .cloned()
        .collect()
}

/// Which actions of `application` may `user` take on `resource`.
pub fn search_actions(
    world: &World,
    user: &UserId,
    application: &Application,
    resource: &ResourceAttributes,
    level: Option<u8>,
    at: Timestamp,
) -> BTreeSet<Key> {
    application
        .permissions
        .iter()
        .filter(|action| {
            allow(
                world,
                user,
                action.as_str(),
                application,
                resource,
                level,
                at,
            )
            .is_allowed()
        })
        .cloned()
        .collect()
}
