//! Who may change what: every rule of PRODUCT.md's "Who may change what", as pure functions.
//!
//! Each function takes the acting person, a `World` holding at least the entities the
//! operation concerns (the core loads that slice inside the write transaction), the request
//! and the time, and answers with what the change becomes (active, flagged, pending) or a
//! `Refusal` with a stable code. This is the only home of these rules: the HTTP API, the web
//! interface, the CLI and imports all reach them through the core.

use std::collections::BTreeSet;

use crate::ids::*;
use crate::model::*;
use crate::refusal::{Refusal, RefusalCode};
use crate::world::World;

/// Who is acting, and at which security level (rank; `None` when unknown).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Actor {
    pub user: Option<UserId>,
    /// Set when an application's credential acts.
    pub application: Option<Key>,
    pub level: Option<u8>,
}

impl Actor {
    pub fn user(user: UserId, level: Option<u8>) -> Actor {
        Actor {
            user: Some(user),
            application: None,
            level,
        }
    }

    pub fn application(application: Key) -> Actor {
        Actor {
            user: None,
            application: Some(application),
            level: None,
        }
    }

    pub fn system() -> Actor {
        Actor {
            user: None,
            application: None,
            level: None,
        }
    }

    fn rank(&self) -> u8 {
        self.level.unwrap_or(0)
    }
}

/// What an allowed change becomes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
    Active,
    /// Active, and marked for the managers' attention (a self-grant under `flag`).
    Flagged,
    /// Waits for a second person.
    Pending(ApprovalCause),
}

/// The management powers a person holds in an organisation at a moment.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Powers {
    pub principal: bool,
    pub deputy: bool,
    /// Applications they are access manager for.
    pub access_manager_for: BTreeSet<Key>,
}

impl Powers {
    pub fn is_manager(&self) -> bool {
        self.principal || self.deputy || !self.access_manager_for.is_empty()
    }

    /// Principal and deputy manage the whole organisation.
    pub fn manages_organization(&self) -> bool {
        self.principal || self.deputy
    }

    pub fn manages_application(&self, application: &str) -> bool {
        self.manages_organization() || self.access_manager_for.contains(application)
    }

    /// 3 for a principal, 2 for a deputy, 1 for an access manager, 0 for none.
    pub fn strength(&self) -> u8 {
        if self.principal {
            3
        } else if self.deputy {
            2
        } else if !self.access_manager_for.is_empty() {
            1
        } else {
            0
        }
    }
}

/// The powers `user` holds in `organization` at `at`: their designations in force, as long
/// as they are an active member and not suspended.
pub fn powers_of(
    world: &World,
    organization: &OrganizationId,
    user: &UserId,
    at: Timestamp,
) -> Powers {
    let mut powers = Powers::default();
    if !world.is_member(organization, user, at) || world.is_user_suspended(user, None, at) {
        return powers;
    }
    for designation in world.designations_in_force(organization, user, at) {
        match designation.kind {
            DesignationKind::Principal => powers.principal = true,
            DesignationKind::Deputy => powers.deputy = true,
            DesignationKind::AccessManager => {
                powers
                    .access_manager_for
                    .extend(designation.applications.iter().cloned());
            }
        }
    }
    powers
}

fn refuse<T>(code: RefusalCode) -> Result<T, Refusal> {
    Err(Refusal::new(code))
}

/// The acting person, who must not be suspended platform-wide.
fn acting_user<'a>(world: &World, actor: &'a Actor, at: Timestamp) -> Result<&'a UserId, Refusal> {
    let Some(user) = &actor.user else {
        return refuse(RefusalCode::NotAUser);
    };
    if world.is_user_suspended(user, None, at) {
        return Err(Refusal::with_detail(
            RefusalCode::UserSuspended,
            "your account is suspended",
        ));
    }
    Ok(user)
}

pub fn require_operator(world: &World, actor: &Actor, at: Timestamp) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if world.is_operator(user) {
        Ok(())
    } else {
        refuse(RefusalCode::NotOperator)
    }
}

fn require_level(world: &World, actor: &Actor, level: Option<&Key>) -> Result<(), Refusal> {
    let Some(level) = level else { return Ok(()) };
    let needed = world
        .levels
        .by_key(level.as_str())
        .map_or(u8::MAX, |l| l.rank);
    if actor.rank() >= needed {
        Ok(())
    } else {
        Err(Refusal::step_up(level.as_str()))
    }
}

fn require_live_organization<'a>(
    world: &'a World,
    organization: &OrganizationId,
) -> Result<&'a Organization, Refusal> {
    let Some(found) = world.organizations.get(organization) else {
        return Err(Refusal::with_detail(
            RefusalCode::NotVisible,
            "unknown organisation",
        ));
    };
    if found.suspended.is_some() {
        return refuse(RefusalCode::OrganizationSuspended);
    }
    Ok(found)
}

/// Whether `user` speaks for the owner of `application`: principal or deputy of the owning
/// organisation.
pub fn is_application_owner(
    world: &World,
    user: &UserId,
    application: &Application,
    at: Timestamp,
) -> bool {
    powers_of(world, &application.owner, user, at).manages_organization()
}

// ---- Organisations and users --------------------------------------------------------------

/// Registering organisations, suspending them, recording legal representatives and
/// registering applications are the operator's.
pub fn operator_only(world: &World, actor: &Actor, at: Timestamp) -> Result<(), Refusal> {
    require_operator(world, actor, at)
}

/// Whether an organisation may be seen: the operator, its members, managers and legal
/// representatives.
pub fn see_organization(
    world: &World,
    actor: &Actor,
    organization: &OrganizationId,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if world.is_operator(user)
        || world.is_member(organization, user, at)
        || world.is_legal_representative(organization, user)
    {
        Ok(())
    } else {
        refuse(RefusalCode::NotVisible)
    }
}

/// Requiring approval of every change in an organisation: its principal or the operator.
pub fn set_organization_approval(
    world: &World,
    actor: &Actor,
    organization: &OrganizationId,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if world.is_operator(user) {
        return Ok(());
    }
    require_live_organization(world, organization)?;
    let powers = powers_of(world, organization, user, at);
    if powers.principal {
        Ok(())
    } else if powers.is_manager() {
        refuse(RefusalCode::WiderThanOwn)
    } else {
        refuse(RefusalCode::NotAManager)
    }
}

/// Creating a user: the operator, or a manager of the organisation they will join.
pub fn create_user(
    world: &World,
    actor: &Actor,
    member_of: Option<&OrganizationId>,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if world.is_operator(user) {
        return Ok(());
    }
    let Some(organization) = member_of else {
        return refuse(RefusalCode::NotOperator);
    };
    require_live_organization(world, organization)?;
    if powers_of(world, organization, user, at).is_manager() {
        Ok(())
    } else {
        refuse(RefusalCode::NotAManager)
    }
}

/// Seeing a user: themself, the operator, a manager of an organisation they belong to, or
/// the owner of an application that knows them by a linked id.
pub fn see_user(
    world: &World,
    actor: &Actor,
    target: &UserId,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if user == target || world.is_operator(user) {
        return Ok(());
    }
    let manages = world
        .memberships
        .values()
        .filter(|m| &m.user == target && m.is_active(at))
        .any(|m| powers_of(world, &m.organization, user, at).is_manager());
    if manages {
        Ok(())
    } else {
        refuse(RefusalCode::NotVisible)
    }
}

/// Linking an application's subject id to a user: the operator or the application's owner.
pub fn link_subject_id(
    world: &World,
    actor: &Actor,
    application: &Application,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if world.is_operator(user) || is_application_owner(world, user, application, at) {
        Ok(())
    } else {
        refuse(RefusalCode::NotApplicationOwner)
    }
}

/// Suspending a user (or lifting it): platform-wide by the operator; for one application by
/// the operator or that application's owner.
pub fn suspend_user(
    world: &World,
    actor: &Actor,
    target: &UserId,
    application: Option<&Application>,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if world.is_operator(user) {
        return Ok(());
    }
    if user == target {
        return refuse(RefusalCode::WiderThanOwn);
    }
    match application {
        None => refuse(RefusalCode::NotOperator),
        Some(application) if is_application_owner(world, user, application, at) => Ok(()),
        Some(_) => refuse(RefusalCode::NotApplicationOwner),
    }
}

// ---- Members ------------------------------------------------------------------------------

/// Adding a member: a principal, deputy or access manager of the organisation.
pub fn add_member(
    world: &World,
    actor: &Actor,
    organization: &OrganizationId,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    require_live_organization(world, organization)?;
    if powers_of(world, organization, user, at).is_manager() {
        Ok(())
    } else {
        refuse(RefusalCode::NotAManager)
    }
}

/// Removing a member ends all they hold there. Nobody removes someone with more powers than
/// their own, and the last principal cannot be removed.
pub fn remove_member(
    world: &World,
    actor: &Actor,
    organization: &OrganizationId,
    target: &UserId,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if !world.is_member(organization, target, at) {
        return refuse(RefusalCode::NotAMember);
    }
    let operator = world.is_operator(user);
    if !operator {
        require_live_organization(world, organization)?;
        let own = powers_of(world, organization, user, at);
        if !own.is_manager() {
            return refuse(RefusalCode::NotAManager);
        }
        let theirs = powers_of(world, organization, target, at);
        if user != target && theirs.strength() > own.strength() {
            return refuse(RefusalCode::WiderThanOwn);
        }
    }
    let target_is_principal = world
        .principals_in_force(organization, at)
        .any(|d| &d.user == target);
    if target_is_principal && world.principals_in_force(organization, at).count() <= 1 {
        return refuse(RefusalCode::LastPrincipal);
    }
    Ok(())
}

// ---- Applications and subscriptions -------------------------------------------------------

/// Editing an application: its owner (principal or deputy of the owning organisation) or the
/// operator.
pub fn edit_application(
    world: &World,
    actor: &Actor,
    application: &Application,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if world.is_operator(user) || is_application_owner(world, user, application, at) {
        Ok(())
    } else {
        refuse(RefusalCode::NotApplicationOwner)
    }
}

/// Subscribing an organisation to an application: the operator or its principal, for an
/// application offered in the organisation's context.
pub fn subscribe(
    world: &World,
    actor: &Actor,
    organization: &OrganizationId,
    application: &Application,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    let found = require_live_organization(world, organization)?;
    if !application.contexts.contains(&found.context()) {
        return refuse(RefusalCode::ContextNotOffered);
    }
    if world.is_subscribed(organization, application.key.as_str()) {
        return refuse(RefusalCode::AlreadyExists);
    }
    if world.is_operator(user) {
        return Ok(());
    }
    let powers = powers_of(world, organization, user, at);
    if powers.principal {
        Ok(())
    } else if powers.is_manager() {
        refuse(RefusalCode::WiderThanOwn)
    } else {
        refuse(RefusalCode::NotAManager)
    }
}

// ---- Designations -------------------------------------------------------------------------

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DesignationRequest {
    pub organization: OrganizationId,
    pub user: UserId,
    pub kind: DesignationKind,
    pub applications: BTreeSet<Key>,
    pub validity: Validity,
}

/// Designating a manager. Principals are designated by a legal representative (then, if the
/// platform requires it, approved by the operator) or by the operator; deputies by a
/// principal or deputy; access managers by any of those, or by an access manager for a part
/// of their own applications. Nobody designates wider powers than their own.
pub fn designate(
    world: &World,
    actor: &Actor,
    request: &DesignationRequest,
    at: Timestamp,
) -> Result<Outcome, Refusal> {
    let user = acting_user(world, actor, at)?;
    let organization = require_live_organization(world, &request.organization)?;
    if request
        .validity
        .until
        .is_some_and(|until| until <= at || until <= request.validity.from)
    {
        return refuse(RefusalCode::InvalidValidity);
    }
    if !world.is_member(&organization.id, &request.user, at) {
        return refuse(RefusalCode::NotAMember);
    }
    if world.is_user_suspended(&request.user, None, at) {
        return refuse(RefusalCode::UserSuspended);
    }
    let operator = world.is_operator(user);
    let legal_representative = world.is_legal_representative(&organization.id, user);
    let own = powers_of(world, &organization.id, user, at);
    match request.kind {
        DesignationKind::Principal => {
            if !operator && !legal_representative {
                return if own.is_manager() {
                    refuse(RefusalCode::WiderThanOwn)
                } else {
                    refuse(RefusalCode::NotLegalRepresentative)
                };
            }
        }
        DesignationKind::Deputy => {
            if !operator && !legal_representative && !own.manages_organization() {
                return if own.is_manager() {
                    refuse(RefusalCode::WiderThanOwn)
                } else {
                    refuse(RefusalCode::NotAManager)
                };
            }
        }
        DesignationKind::AccessManager => {
            if request.applications.is_empty() {
                return Err(Refusal::with_detail(
                    RefusalCode::OutsideDesignation,
                    "an access manager needs at least one application",
                ));
            }
            for application in &request.applications {
                let reachable = world.is_subscribed(&organization.id, application.as_str())
                    || world.mandates.values().any(|m| {
                        m.mandatary == organization.id
                            && &m.application == application
                            && m.is_in_force(at)
                    });
                if !reachable {
                    return Err(Refusal::with_detail(
                        RefusalCode::NotSubscribed,
                        format!("the organisation does not use `{application}`"),
                    ));
                }
            }
            if !operator && !legal_representative && !own.manages_organization() {
                if !own.is_manager() {
                    return refuse(RefusalCode::NotAManager);
                }
                if !request.applications.is_subset(&own.access_manager_for) {
                    return refuse(RefusalCode::WiderThanOwn);
                }
            }
        }
    }
    if matches!(
        request.kind,
        DesignationKind::Principal | DesignationKind::Deputy
    ) {
        require_level(world, actor, world.settings.sensitive_change_level.as_ref())?;
    }
    let duplicate = world.designations.values().any(|d| {
        d.organization == organization.id
            && d.user == request.user
            && d.kind == request.kind
            && (d.status == Status::Pending || d.is_in_force(at))
            && (d.kind != DesignationKind::AccessManager
                || request.applications.is_subset(&d.applications))
    });
    if duplicate {
        return refuse(RefusalCode::AlreadyExists);
    }
    if operator {
        return Ok(Outcome::Active);
    }
    if request.kind == DesignationKind::Principal
        && world.settings.principal_designation_requires_approval
    {
        return Ok(Outcome::Pending(ApprovalCause::Operator));
    }
    if organization.require_approval {
        return Ok(Outcome::Pending(ApprovalCause::Organization));
    }
    Ok(Outcome::Active)
}

/// Ending a designation. The same people who may make it may end it, anyone may resign their
/// own, and the last principal is never ended silently.
pub fn end_designation(
    world: &World,
    actor: &Actor,
    designation: &Designation,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if !(designation.is_in_force(at) || designation.status == Status::Pending) {
        return refuse(RefusalCode::NotPending);
    }
    let organization = &designation.organization;
    let operator = world.is_operator(user);
    let legal_representative = world.is_legal_representative(organization, user);
    let own = powers_of(world, organization, user, at);
    let own_designation = &designation.user == user;
    let allowed = operator
        || legal_representative
        || own_designation
        || match designation.kind {
            DesignationKind::Principal => own.principal,
            DesignationKind::Deputy => own.manages_organization(),
            DesignationKind::AccessManager => {
                own.manages_organization()
                    || designation.applications.is_subset(&own.access_manager_for)
            }
        };
    if !allowed {
        return if own.is_manager() {
            refuse(RefusalCode::WiderThanOwn)
        } else {
            refuse(RefusalCode::NotAManager)
        };
    }
    if matches!(
        designation.kind,
        DesignationKind::Principal | DesignationKind::Deputy
    ) && !own_designation
    {
        require_level(world, actor, world.settings.sensitive_change_level.as_ref())?;
    }
    if designation.kind == DesignationKind::Principal && designation.is_in_force(at) {
        let others = world
            .principals_in_force(organization, at)
            .filter(|d| d.id != designation.id)
            .count();
        if others == 0 {
            return refuse(RefusalCode::LastPrincipal);
        }
    }
    Ok(())
}

// ---- Grants -------------------------------------------------------------------------------

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GrantRequest {
    pub user: UserId,
    pub organization: OrganizationId,
    pub application: Key,
    pub role: Key,
    pub scope: Scope,
    pub reach: Reach,
    pub validity: Validity,
}

/// Granting a role. The actor must manage the application in the organisation (principal,
/// deputy, or access manager designated for it), the person must be an active member, the
/// organisation must use the application (or act for another through a mandate, within its
/// scope), the scope must fit the taxonomy, the actor's session must reach the role's level,
/// exclusive roles are never held together, and self-grants follow the application's policy.
pub fn grant(
    world: &World,
    actor: &Actor,
    request: &GrantRequest,
    at: Timestamp,
) -> Result<Outcome, Refusal> {
    let user = acting_user(world, actor, at)?;
    let organization = require_live_organization(world, &request.organization)?;
    let Some(application) = world.applications.get(&request.application) else {
        return Err(Refusal::with_detail(
            RefusalCode::NotSubscribed,
            "unknown application",
        ));
    };
    let Some(role) = application.role(request.role.as_str()) else {
        return Err(Refusal::with_detail(
            RefusalCode::InvalidScope,
            format!("`{}` has no role `{}`", application.key, request.role),
        ));
    };
    if request
        .validity
        .until
        .is_some_and(|until| until <= at || until <= request.validity.from)
    {
        return refuse(RefusalCode::InvalidValidity);
    }
    let own = powers_of(world, &organization.id, user, at);
    if !own.is_manager() {
        return refuse(RefusalCode::NotAManager);
    }
    if !own.manages_application(application.key.as_str()) {
        return refuse(RefusalCode::OutsideDesignation);
    }
    let subscribed = world.is_subscribed(&organization.id, application.key.as_str());
    let mandates: Vec<&Mandate> = world
        .mandates
        .values()
        .filter(|m| {
            m.mandatary == organization.id && m.application == application.key && m.is_in_force(at)
        })
        .collect();
    if !subscribed && mandates.is_empty() {
        return refuse(RefusalCode::NotSubscribed);
    }
    // Through a mandate the organisation acts in its mandator's context, which was checked
    // when the mandator subscribed.
    if subscribed && !application.contexts.contains(&organization.context()) {
        return refuse(RefusalCode::ContextNotOffered);
    }
    if !request.scope.validate(application) || (!role.scoped && request.scope != Scope::All) {
        return refuse(RefusalCode::InvalidScope);
    }
    if !subscribed
        && !mandates
            .iter()
            .any(|m| request.scope.within(&m.scope, application))
    {
        return refuse(RefusalCode::OutsideMandate);
    }
    if request.reach == Reach::AllSubscribers && application.owner != organization.id {
        return refuse(RefusalCode::NotApplicationOwner);
    }
    if !world.is_member(&organization.id, &request.user, at) {
        return refuse(RefusalCode::NotAMember);
    }
    if world.is_user_suspended(&request.user, Some(application.key.as_str()), at) {
        return refuse(RefusalCode::UserSuspended);
    }
    let needed = world.role_rank(role);
    if actor.rank() < needed {
        let level = role.level.as_ref().map_or("?", Key::as_str);
        return Err(Refusal::step_up(level));
    }
    let role_scope = |key: &Key, scope: &Scope| -> Scope {
        match application.role(key.as_str()) {
            Some(r) if !r.scoped => Scope::All,
            _ => scope.clone(),
        }
    };
    let requested_scope = role_scope(&role.key, &request.scope);
    let held = world.grants.values().filter(|g| {
        g.user == request.user
            && g.organization == organization.id
            && g.application == application.key
            && (g.status == Status::Pending || g.is_in_force(at))
    });
    for existing in held {
        if existing.role == role.key
            && existing.scope == request.scope
            && existing.reach == request.reach
        {
            return refuse(RefusalCode::AlreadyExists);
        }
        let exclusive = application
            .exclusive_with(role.key.as_str())
            .any(|k| k == &existing.role);
        if exclusive
            && role_scope(&existing.role, &existing.scope).overlaps(&requested_scope, application)
        {
            return Err(Refusal::with_detail(
                RefusalCode::ExclusiveRoles,
                format!(
                    "`{}` and `{}` may not be held together on the same categories",
                    existing.role, role.key
                ),
            ));
        }
    }
    let self_grant = user == &request.user;
    if self_grant && application.self_grant == SelfGrantPolicy::Deny {
        return refuse(RefusalCode::SelfGrantDenied);
    }
    if organization.require_approval {
        return Ok(Outcome::Pending(ApprovalCause::Organization));
    }
    if role.requires_approval {
        return Ok(Outcome::Pending(ApprovalCause::Role));
    }
    if self_grant {
        return Ok(match application.self_grant {
            SelfGrantPolicy::Approve => Outcome::Pending(ApprovalCause::SelfGrant),
            SelfGrantPolicy::Flag => Outcome::Flagged,
            SelfGrantPolicy::Allow | SelfGrantPolicy::Deny => Outcome::Active,
        });
    }
    Ok(Outcome::Active)
}

/// Revoking a grant: whoever may grant it, the application's owner (who may withdraw anyone's
/// access to its application), or the operator. Always with a reason.
pub fn revoke_grant(
    world: &World,
    actor: &Actor,
    grant: &Grant,
    reason: &str,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if reason.trim().is_empty() {
        return refuse(RefusalCode::ReasonRequired);
    }
    if !matches!(grant.status, Status::Active | Status::Pending) || grant.validity.is_over(at) {
        return refuse(RefusalCode::NotPending);
    }
    if world.is_operator(user) {
        return Ok(());
    }
    if let Some(application) = world.applications.get(&grant.application)
        && is_application_owner(world, user, application, at)
    {
        return Ok(());
    }
    let own = powers_of(world, &grant.organization, user, at);
    if !own.is_manager() {
        return refuse(RefusalCode::NotAManager);
    }
    if !own.manages_application(grant.application.as_str()) {
        return refuse(RefusalCode::OutsideDesignation);
    }
    Ok(())
}

// ---- Access reviews ------------------------------------------------------------------------

/// Starting an access review of an organisation: the operator, its principal or deputy (of
/// every application, or one), or an access manager for one of their applications. The
/// deadline must lie ahead.
pub fn start_review(
    world: &World,
    actor: &Actor,
    organization: &OrganizationId,
    application: Option<&Key>,
    deadline: Timestamp,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    require_live_organization(world, organization)?;
    if deadline <= at {
        return Err(Refusal::with_detail(
            RefusalCode::InvalidValidity,
            "the review's deadline must lie ahead",
        ));
    }
    if let Some(application) = application
        && !world.is_subscribed(organization, application.as_str())
    {
        return Err(Refusal::with_detail(
            RefusalCode::NotSubscribed,
            format!("the organisation does not use `{application}`"),
        ));
    }
    if world.is_operator(user) {
        return Ok(());
    }
    let own = powers_of(world, organization, user, at);
    if own.manages_organization() {
        return Ok(());
    }
    if !own.is_manager() {
        return refuse(RefusalCode::NotAManager);
    }
    match application {
        Some(application) if own.manages_application(application.as_str()) => Ok(()),
        _ => refuse(RefusalCode::OutsideDesignation),
    }
}

/// Answering one item of a review: whoever may revoke the grant (`revoke_grant`), while the
/// review is open and the item unanswered. Nobody vouches for their own access: confirming
/// one's own grant is refused, as approving one's own request is.
pub fn decide_review_item(
    world: &World,
    actor: &Actor,
    review: &Review,
    grant: &Grant,
    decision: ReviewDecision,
    reason: &str,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if !review.is_open() || review.deadline <= at {
        return Err(Refusal::with_detail(
            RefusalCode::NotPending,
            "the review is closed",
        ));
    }
    if review
        .item(grant.id.as_str())
        .is_none_or(|item| item.decision.is_some())
    {
        return Err(Refusal::with_detail(
            RefusalCode::NotPending,
            "this item is already answered",
        ));
    }
    if decision == ReviewDecision::Keep && &grant.user == user {
        return Err(Refusal::with_detail(
            RefusalCode::OwnRequest,
            "nobody confirms their own access",
        ));
    }
    // The same powers as revoking; a `keep` needs no reason, a `revoke` does.
    let reason = match decision {
        ReviewDecision::Keep => "confirmed in an access review",
        ReviewDecision::Revoke => reason,
    };
    revoke_grant(world, actor, grant, reason, at)
}

// ---- Mandates -----------------------------------------------------------------------------

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MandateRequest {
    pub mandator: OrganizationId,
    pub mandatary: OrganizationId,
    pub application: Key,
    pub scope: Scope,
    pub validity: Validity,
}

/// Proposing a mandate: a principal or deputy of either side; the mandator must use the
/// application. Answers the side that proposes.
pub fn propose_mandate(
    world: &World,
    actor: &Actor,
    request: &MandateRequest,
    at: Timestamp,
) -> Result<OrganizationId, Refusal> {
    let user = acting_user(world, actor, at)?;
    require_live_organization(world, &request.mandator)?;
    require_live_organization(world, &request.mandatary)?;
    if request.mandator == request.mandatary {
        return Err(Refusal::with_detail(
            RefusalCode::WiderThanOwn,
            "an organisation cannot mandate itself",
        ));
    }
    let Some(application) = world.applications.get(&request.application) else {
        return refuse(RefusalCode::NotSubscribed);
    };
    if !world.is_subscribed(&request.mandator, application.key.as_str()) {
        return refuse(RefusalCode::NotSubscribed);
    }
    if !request.scope.validate(application) {
        return refuse(RefusalCode::InvalidScope);
    }
    if request
        .validity
        .until
        .is_some_and(|until| until <= at || until <= request.validity.from)
    {
        return refuse(RefusalCode::InvalidValidity);
    }
    let side = if powers_of(world, &request.mandator, user, at).manages_organization() {
        request.mandator.clone()
    } else if powers_of(world, &request.mandatary, user, at).manages_organization() {
        request.mandatary.clone()
    } else {
        return refuse(RefusalCode::NotAManager);
    };
    let duplicate = world.mandates.values().any(|m| {
        m.mandator == request.mandator
            && m.mandatary == request.mandatary
            && m.application == request.application
            && matches!(m.status, MandateStatus::Proposed | MandateStatus::Active)
            && !m.validity.is_over(at)
    });
    if duplicate {
        return refuse(RefusalCode::AlreadyExists);
    }
    Ok(side)
}

/// Accepting a mandate: a principal or deputy of the side that did not propose it.
pub fn accept_mandate(
    world: &World,
    actor: &Actor,
    mandate: &Mandate,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if mandate.status != MandateStatus::Proposed || mandate.validity.is_over(at) {
        return refuse(RefusalCode::NotPending);
    }
    let other_side = if mandate.proposed_by == mandate.mandator {
        &mandate.mandatary
    } else {
        &mandate.mandator
    };
    require_live_organization(world, other_side)?;
    if powers_of(world, other_side, user, at).manages_organization() {
        Ok(())
    } else if powers_of(world, &mandate.proposed_by, user, at).is_manager() {
        refuse(RefusalCode::OwnRequest)
    } else {
        refuse(RefusalCode::NotAManager)
    }
}

/// Ending (or declining) a mandate: a principal or deputy of either side, or the operator.
pub fn end_mandate(
    world: &World,
    actor: &Actor,
    mandate: &Mandate,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if !matches!(
        mandate.status,
        MandateStatus::Proposed | MandateStatus::Active
    ) {
        return refuse(RefusalCode::NotPending);
    }
    if world.is_operator(user)
        || powers_of(world, &mandate.mandator, user, at).manages_organization()
        || powers_of(world, &mandate.mandatary, user, at).manages_organization()
    {
        Ok(())
    } else {
        refuse(RefusalCode::NotAManager)
    }
}

// ---- Approvals ----------------------------------------------------------------------------

/// What an approval is about, as the rule needs it.
pub enum Pending<'a> {
    Grant(&'a Grant),
    Designation(&'a Designation),
}

/// Approving or rejecting a pending change. Nobody decides on their own request or on their
/// own access. Principal designations waiting for the operator are the operator's; other
/// changes are decided by those who could make them.
pub fn decide_approval(
    world: &World,
    actor: &Actor,
    approval: &Approval,
    subject: &Pending<'_>,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if !approval.is_open(at) {
        return refuse(RefusalCode::NotPending);
    }
    if approval.requested_by.as_ref() == Some(user) {
        return refuse(RefusalCode::OwnRequest);
    }
    let beneficiary = match subject {
        Pending::Grant(grant) => &grant.user,
        Pending::Designation(designation) => &designation.user,
    };
    if beneficiary == user {
        return refuse(RefusalCode::OwnRequest);
    }
    if approval.cause == ApprovalCause::Operator {
        return if world.is_operator(user) {
            Ok(())
        } else {
            refuse(RefusalCode::NotAnApprover)
        };
    }
    if world.is_operator(user) {
        return Ok(());
    }
    let own = powers_of(world, &approval.organization, user, at);
    match subject {
        Pending::Grant(grant) => {
            if !own.manages_application(grant.application.as_str()) {
                return refuse(RefusalCode::NotAnApprover);
            }
            let role = world
                .applications
                .get(&grant.application)
                .and_then(|a| a.role(grant.role.as_str()));
            if let Some(role) = role
                && actor.rank() < world.role_rank(role)
            {
                return Err(Refusal::step_up(
                    role.level.as_ref().map_or("?", Key::as_str),
                ));
            }
            Ok(())
        }
        Pending::Designation(designation) => {
            let allowed = match designation.kind {
                DesignationKind::Principal => own.principal,
                DesignationKind::Deputy => own.manages_organization(),
                DesignationKind::AccessManager => {
                    own.manages_organization()
                        || designation.applications.is_subset(&own.access_manager_for)
                }
            };
            if allowed {
                Ok(())
            } else {
                refuse(RefusalCode::NotAnApprover)
            }
        }
    }
}

// ---- Resources and reading ----------------------------------------------------------------

/// Registering resources: only the application's own credential.
pub fn register_resources(actor: &Actor, application: &Key) -> Result<(), Refusal> {
    match &actor.application {
        Some(own) if own == application => Ok(()),
        Some(_) => refuse(RefusalCode::OtherApplication),
        None => Err(Refusal::with_detail(
            RefusalCode::OtherApplication,
            "resources are registered by the application's credential",
        )),
    }
}

/// Reading the audit trail: the operator all of it; managers their organisation's; owners
/// their application's.
pub fn read_audit(
    world: &World,
    actor: &Actor,
    organization: Option<&OrganizationId>,
    application: Option<&Application>,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if world.is_operator(user) {
        return Ok(());
    }
    if let Some(organization) = organization
        && powers_of(world, organization, user, at).manages_organization()
    {
        return Ok(());
    }
    if let Some(application) = application
        && is_application_owner(world, user, application, at)
    {
        return Ok(());
    }
    refuse(RefusalCode::NotVisible)
}

/// Whether the caller may ask "who could act on this resource": the operator, the
/// application's owner, managers of the resource's organisation.
pub fn read_access(
    world: &World,
    actor: &Actor,
    organization: &OrganizationId,
    application: &Application,
    at: Timestamp,
) -> Result<(), Refusal> {
    let user = acting_user(world, actor, at)?;
    if world.is_operator(user)
        || is_application_owner(world, user, application, at)
        || powers_of(world, organization, user, at).is_manager()
    {
        Ok(())
    } else {
        refuse(RefusalCode::NotVisible)
    }
}

/// Seeing a grant: the person holding it, managers of its organisation, the application's
/// owner, the operator.
pub fn see_grant(world: &World, actor: &Actor, grant: &Grant, at: Timestamp) -> bool {
    let Ok(user) = acting_user(world, actor, at) else {
        return false;
    };
    user == &grant.user
        || world.is_operator(user)
        || powers_of(world, &grant.organization, user, at).is_manager()
        || world
            .applications
            .get(&grant.application)
            .is_some_and(|a| is_application_owner(world, user, a, at))
}

#[cfg(test)]
mod tests;
