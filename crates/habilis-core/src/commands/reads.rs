//! Reading: organisations, members, grants, approvals, the audit trail, and "who could act
//! on this resource". Every read checks visibility through the same rules as the changes;
//! a refused read is audited like a refused change.

use habilis_domain::decision::{self, ResourceOverrides};
use habilis_domain::powers;
use habilis_domain::{
    Application, Approval, Grant, GrantState, Key, Membership, Organization, OrganizationId,
    Refusal, RefusalCode, Timestamp, User, UserId, World,
};
use habilis_store::{AuditEvent, AuditFilter, EntityFilter, EntityKind};

use super::shown;
use crate::error::Error;
use crate::services::{AuditContext, Caller, Services};

#[derive(Clone, Debug, Default)]
pub struct GrantFilter {
    pub user: Option<String>,
    pub organization: Option<String>,
    pub application: Option<String>,
    pub status: Option<GrantState>,
    /// Answer from the history as it stood at this moment.
    pub at: Option<Timestamp>,
}

/// Who could act on a resource, and through which grants.
#[derive(Clone, Debug)]
pub struct AccessAnswer {
    pub at: Timestamp,
    pub users: Vec<UserId>,
}

impl Services {
    async fn refuse_read<T>(
        &self,
        caller: &Caller,
        context: &AuditContext,
        refusal: Refusal,
    ) -> Result<T, Error> {
        self.record_refusal(caller, context, &refusal).await?;
        Err(Error::Refused(refusal))
    }

    async fn caller_world(
        &self,
        caller: &Caller,
        organizations: &[OrganizationId],
        applications: &[Key],
    ) -> Result<World, Error> {
        Ok(self
            .db
            .read_slice(organizations, caller.user.as_slice(), applications)
            .await?)
    }

    /// The organisations the caller may see: all for the operator; else those they belong to
    /// or represent.
    pub async fn list_organizations(
        &self,
        caller: &Caller,
        query: Option<&str>,
        kind: Option<&str>,
        context: Option<&str>,
    ) -> Result<Vec<Organization>, Error> {
        let audit = AuditContext::new("organization.list");
        let Some(user) = &caller.user else {
            return self
                .refuse_read(caller, &audit, Refusal::new(RefusalCode::NotAUser))
                .await;
        };
        let world = self.caller_world(caller, &[], &[]).await?;
        let now = self.now();
        let all: Vec<Organization> = if world.is_operator(user) {
            self.db
                .load_entities(EntityKind::Organization, &EntityFilter::default())
                .await?
        } else {
            let mut ids: Vec<OrganizationId> = world
                .memberships
                .values()
                .filter(|m| &m.user == user && m.is_active(now))
                .map(|m| m.organization.clone())
                .collect();
            ids.extend(
                world
                    .legal_representatives
                    .iter()
                    .filter(|(_, u)| u == user)
                    .map(|(o, _)| o.clone()),
            );
            ids.sort();
            ids.dedup();
            // The slice also holds related organisations (mandate partners); a member sees
            // only their own.
            self.db
                .read_slice(&ids, &[], &[])
                .await?
                .organizations
                .into_values()
                .filter(|o| ids.contains(&o.id))
                .collect()
        };
        let needle = query.map(str::to_lowercase);
        let mut found: Vec<Organization> = all
            .into_iter()
            .filter(|o| kind.is_none_or(|k| o.kind.as_str() == k))
            .filter(|o| context.is_none_or(|c| o.context().as_str() == c))
            .filter(|o| {
                needle.as_deref().is_none_or(|n| {
                    o.name.matches(n)
                        || o.enterprise_number
                            .as_ref()
                            .is_some_and(|e| e.digits().contains(n) || e.to_string().contains(n))
                })
            })
            .collect();
        found.sort_by(|a, b| {
            a.name
                .get(habilis_domain::Language::Fr)
                .cmp(b.name.get(habilis_domain::Language::Fr))
        });
        Ok(found)
    }

    pub async fn get_organization(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<Organization, Error> {
        let mut audit = AuditContext::new("organization.read");
        let Some(found) = self.db.find_organization(name).await? else {
            return Err(Error::not_found(format!("organization `{}`", shown(name))));
        };
        audit.organization = Some(found.id.clone());
        let world = self
            .caller_world(caller, std::slice::from_ref(&found.id), &[])
            .await?;
        if let Err(refusal) =
            powers::see_organization(&world, &caller.actor(), &found.id, self.now())
        {
            return self.refuse_read(caller, &audit, refusal).await;
        }
        Ok(found)
    }

    /// The members of an organisation with their memberships, for its managers and the
    /// operator.
    pub async fn list_members(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<Vec<(User, Membership)>, Error> {
        let mut audit = AuditContext::new("member.list");
        let Some(found) = self.db.find_organization(name).await? else {
            return Err(Error::not_found(format!("organization `{}`", shown(name))));
        };
        audit.organization = Some(found.id.clone());
        let world = self
            .caller_world(caller, std::slice::from_ref(&found.id), &[])
            .await?;
        let now = self.now();
        let allowed = caller.user.as_ref().is_some_and(|u| {
            world.is_operator(u) || powers::powers_of(&world, &found.id, u, now).is_manager()
        });
        if !allowed {
            return self
                .refuse_read(caller, &audit, Refusal::new(RefusalCode::NotAManager))
                .await;
        }
        let ids: Vec<UserId> = world
            .memberships
            .values()
            .filter(|m| m.organization == found.id)
            .map(|m| m.user.clone())
            .collect();
        let people = self.db.read_slice(&[], &ids, &[]).await?;
        let mut members: Vec<(User, Membership)> = world
            .memberships
            .values()
            .filter(|m| m.organization == found.id)
            .filter_map(|m| people.users.get(&m.user).map(|u| (u.clone(), m.clone())))
            .collect();
        members.sort_by(|a, b| {
            (&a.0.family_name, &a.0.given_name).cmp(&(&b.0.family_name, &b.0.given_name))
        });
        Ok(members)
    }

    /// Grants the caller may see, filtered; from the history when `at` is given.
    pub async fn list_grants(
        &self,
        caller: &Caller,
        filter: GrantFilter,
    ) -> Result<Vec<Grant>, Error> {
        let now = self.now();
        let user = match &filter.user {
            Some(name) => Some(
                self.db
                    .find_user(name, None)
                    .await?
                    .ok_or_else(|| Error::not_found(format!("user `{}`", shown(name))))?
                    .id,
            ),
            None => None,
        };
        let organization = match &filter.organization {
            Some(name) => Some(
                self.db
                    .find_organization(name)
                    .await?
                    .ok_or_else(|| Error::not_found(format!("organization `{}`", shown(name))))?
                    .id,
            ),
            None => None,
        };
        let at = filter.at.unwrap_or(now);
        let source: World = match filter.at {
            Some(at) => self.db.world_at(at).await?,
            None => {
                let entity_filter = EntityFilter {
                    organization: organization.clone(),
                    user: user.clone(),
                    application: filter
                        .application
                        .as_deref()
                        .and_then(|a| Key::parse("application", a).ok()),
                    ..EntityFilter::default()
                };
                let grants: Vec<Grant> = self
                    .db
                    .load_entities(EntityKind::Grant, &entity_filter)
                    .await?;
                World {
                    grants: grants.into_iter().map(|g| (g.id.clone(), g)).collect(),
                    ..World::default()
                }
            }
        };
        let candidates: Vec<Grant> = source
            .grants
            .into_values()
            .filter(|g| user.as_ref().is_none_or(|u| &g.user == u))
            .filter(|g| organization.as_ref().is_none_or(|o| &g.organization == o))
            .filter(|g| {
                filter
                    .application
                    .as_deref()
                    .is_none_or(|a| g.application.as_str() == a)
            })
            .filter(|g| filter.status.is_none_or(|s| g.state(at) == s))
            .collect();
        let mut organizations: Vec<OrganizationId> =
            candidates.iter().map(|g| g.organization.clone()).collect();
        let mut applications: Vec<Key> = candidates.iter().map(|g| g.application.clone()).collect();
        organizations.sort();
        organizations.dedup();
        applications.sort();
        applications.dedup();
        let mut world = self
            .caller_world(caller, &organizations, &applications)
            .await?;
        let owners: Vec<OrganizationId> = world
            .applications
            .values()
            .map(|a| a.owner.clone())
            .collect();
        organizations.extend(owners);
        world = self
            .caller_world(caller, &organizations, &applications)
            .await?;
        let actor = caller.actor();
        let mut visible: Vec<Grant> = candidates
            .into_iter()
            .filter(|g| powers::see_grant(&world, &actor, g, now))
            .collect();
        visible.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(visible)
    }

    /// Open approvals the caller may decide.
    pub async fn list_approvals(&self, caller: &Caller) -> Result<Vec<Approval>, Error> {
        let audit = AuditContext::new("approval.list");
        let Some(user) = &caller.user else {
            return self
                .refuse_read(caller, &audit, Refusal::new(RefusalCode::NotAUser))
                .await;
        };
        let now = self.now();
        let world = self.caller_world(caller, &[], &[]).await?;
        let approvals: Vec<Approval> = if world.is_operator(user) {
            self.db
                .load_entities(EntityKind::Approval, &EntityFilter::default())
                .await?
        } else {
            let organizations: Vec<OrganizationId> = world
                .memberships
                .values()
                .filter(|m| &m.user == user && m.is_active(now))
                .map(|m| m.organization.clone())
                .collect();
            let scoped = self
                .db
                .read_slice(&organizations, std::slice::from_ref(user), &[])
                .await?;
            scoped
                .approvals
                .values()
                .filter(|a| {
                    let own = powers::powers_of(&scoped, &a.organization, user, now);
                    own.manages_organization()
                        || a.application
                            .as_ref()
                            .is_some_and(|app| own.access_manager_for.contains(app))
                })
                .cloned()
                .collect()
        };
        let mut open: Vec<Approval> = approvals.into_iter().filter(|a| a.is_open(now)).collect();
        open.sort_by_key(|a| a.requested_at);
        Ok(open)
    }

    /// The audit trail, within what the caller may read.
    pub async fn audit(
        &self,
        caller: &Caller,
        mut filter: AuditFilter,
    ) -> Result<Vec<AuditEvent>, Error> {
        let mut audit = AuditContext::new("audit.read");
        audit.organization = filter.organization.clone();
        audit.application = filter.application.clone();
        let organizations: Vec<OrganizationId> = filter.organization.iter().cloned().collect();
        let applications: Vec<Key> = filter.application.iter().cloned().collect();
        let mut world = self
            .caller_world(caller, &organizations, &applications)
            .await?;
        let owner: Option<Application> = filter
            .application
            .as_ref()
            .and_then(|a| world.applications.get(a).cloned());
        if let Some(owner) = &owner {
            let mut with_owner = organizations.clone();
            with_owner.push(owner.owner.clone());
            world = self
                .caller_world(caller, &with_owner, &applications)
                .await?;
        }
        let now = self.now();
        let is_operator = caller.user.as_ref().is_some_and(|u| world.is_operator(u));
        if !is_operator && filter.organization.is_none() && filter.application.is_none() {
            // Without the operator's view, a reader must say which organisation or
            // application they read for.
            return self
                .refuse_read(caller, &audit, Refusal::new(RefusalCode::NotVisible))
                .await;
        }
        if let Err(refusal) = powers::read_audit(
            &world,
            &caller.actor(),
            filter.organization.as_ref(),
            owner.as_ref(),
            now,
        ) {
            return self.refuse_read(caller, &audit, refusal).await;
        }
        filter.limit = filter.limit.clamp(1, 1_000);
        Ok(self.db.audit_events(&filter).await?)
    }

    /// Who could act on a resource with an action, now or at a past moment.
    pub async fn access(
        &self,
        caller: &Caller,
        application: &str,
        resource_type: &str,
        resource_id: &str,
        action: &str,
        at: Option<Timestamp>,
    ) -> Result<AccessAnswer, Error> {
        let mut audit = AuditContext::new("access.read");
        let key = Key::parse("application", application).map_err(Error::invalid)?;
        audit.application = Some(key.clone());
        audit.target = Some(format!("{}/{}", shown(resource_type), shown(resource_id)));
        let now = self.now();
        let when = at.unwrap_or(now);
        let history = self.db.world_at(when).await?;
        let Some(definition) = history.applications.get(&key) else {
            return Err(Error::not_found(format!("application `{key}`")));
        };
        let Some(resource) = decision::resolve_resource(
            &history,
            definition,
            resource_type,
            resource_id,
            &ResourceOverrides::default(),
        ) else {
            return Err(Error::not_found(format!(
                "resource `{}/{}`",
                shown(resource_type),
                shown(resource_id)
            )));
        };
        audit.organization = Some(resource.organization.clone());
        let world = self
            .caller_world(
                caller,
                &[resource.organization.clone(), definition.owner.clone()],
                std::slice::from_ref(&key),
            )
            .await?;
        let Some(current) = world.applications.get(&key) else {
            return Err(Error::not_found(format!("application `{key}`")));
        };
        if let Err(refusal) = powers::read_access(
            &world,
            &caller.actor(),
            &resource.organization,
            current,
            now,
        ) {
            return self.refuse_read(caller, &audit, refusal).await;
        }
        let top = history.levels.highest().map(|l| l.rank);
        let users = decision::search_subjects(&history, action, definition, &resource, top, when)
            .into_iter()
            .collect();
        Ok(AccessAnswer { at: when, users })
    }

    /// The application catalogue: every authenticated person may read the definitions.
    pub async fn list_applications(&self, caller: &Caller) -> Result<Vec<Application>, Error> {
        let audit = AuditContext::new("application.list");
        if caller.user.is_none() && caller.application.is_none() {
            return self
                .refuse_read(caller, &audit, Refusal::new(RefusalCode::NotAUser))
                .await;
        }
        let mut applications: Vec<Application> = self
            .db
            .load_entities(EntityKind::Application, &EntityFilter::default())
            .await?;
        if let Some(own) = &caller.application {
            applications.retain(|a| &a.key == own);
        }
        applications.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(applications)
    }
}
