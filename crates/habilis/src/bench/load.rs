//! The workload as Habilis sees it: one application with the four roles of BENCH.md, its
//! taxonomy of 5 subject-matters × 4 categories, the organisations subscribed, the users
//! members, each grant scoped to one category, each dossier a registered resource.

use std::collections::{BTreeSet, HashSet};

use habilis_domain::*;

use super::workload::{Action, Query, Role as BenchRole, Workload, usize_of};

pub const APPLICATION: &str = "bench";
pub const OWNER: &str = "bench-owner";

fn key(text: &str) -> anyhow::Result<Key> {
    Ok(Key::parse("key", text)?)
}

fn matter_key(workload: &Workload, category: u8) -> String {
    format!(
        "m{}",
        Workload::matter_of(category).min(workload.category_names.len())
    )
}

fn category_key(workload: &Workload, category: u8) -> String {
    workload
        .category_names
        .get(usize::from(category))
        .cloned()
        .unwrap_or_default()
}

fn application(workload: &Workload, at: Timestamp) -> anyhow::Result<Application> {
    let role = |role: BenchRole| -> anyhow::Result<habilis_domain::Role> {
        let mut permissions = BTreeSet::from([key("read")?]);
        if role == BenchRole::Validator {
            permissions.insert(key("validate")?);
        }
        Ok(habilis_domain::Role {
            key: key(role.name())?,
            name: LocalizedName::same(role.name()),
            permissions,
            owned_permissions: BTreeSet::new(),
            level: Some(key(if role.level() == 2 { "high" } else { "low" })?),
            scoped: true,
            requires_approval: false,
        })
    };
    let mut taxonomy: Vec<Matter> = Vec::new();
    for (index, name) in workload.category_names.iter().enumerate() {
        let category = super::workload::u8_of(index);
        let matter = matter_key(workload, category);
        if taxonomy.last().is_none_or(|m| m.key.as_str() != matter) {
            taxonomy.push(Matter {
                key: key(&matter)?,
                name: LocalizedName::same(&matter),
                categories: Vec::new(),
            });
        }
        if let Some(last) = taxonomy.last_mut() {
            last.categories.push(Category {
                key: key(name)?,
                name: LocalizedName::same(name),
            });
        }
    }
    Ok(Application {
        key: key(APPLICATION)?,
        name: LocalizedName::same("Benchmark"),
        owner: OrganizationId::new(OWNER),
        contexts: Context::ALL.into_iter().collect(),
        permissions: BTreeSet::from([key("read")?, key("validate")?]),
        roles: BenchRole::ALL
            .into_iter()
            .map(role)
            .collect::<anyhow::Result<_>>()?,
        taxonomy,
        self_grant: SelfGrantPolicy::Allow,
        exclusive_roles: Vec::new(),
        resource_properties: ResourceProperties::default(),
        created_at: at,
    })
}

fn organization(id: &str, at: Timestamp) -> Organization {
    Organization {
        id: OrganizationId::new(id),
        enterprise_number: None,
        external_id: None,
        kind: OrganizationKind::Enterprise,
        name: LocalizedName::same(id),
        suspended: None,
        require_approval: false,
        created_at: at,
    }
}

/// Every entity of the workload as the changes that create it, in an order the store and
/// the engine accept (organisations and users before what refers to them).
/// An active grant of `role` to `user` in `organization`, scoped to one category.
fn grant(
    workload: &Workload,
    id: &str,
    (user, organization, category): (u32, u32, u8),
    role: BenchRole,
    at: Timestamp,
) -> anyhow::Result<Change> {
    let name =
        |names: &[String], index: u32| names.get(usize_of(index)).cloned().unwrap_or_default();
    Ok(Change::Grant(Grant {
        id: GrantId::new(id),
        user: UserId::new(name(&workload.user_names, user)),
        organization: OrganizationId::new(name(&workload.organization_names, organization)),
        application: key(APPLICATION)?,
        role: key(role.name())?,
        scope: Scope::Categories(BTreeSet::from([(
            key(&matter_key(workload, category))?,
            key(&category_key(workload, category))?,
        )])),
        reach: Reach::Organization,
        validity: Validity::from(at),
        status: Status::Active,
        granted_by: None,
        reason: String::new(),
        flagged: false,
        ended: None,
        created_at: at,
    }))
}

/// A reader grant that turns the denied read of `query` into an allowed one: on the
/// dossier's organisation and category, for a user who is a member there. `None` when the
/// query does not fit (not a read, already allowed, or no membership there).
pub fn allowing_grant(
    workload: &Workload,
    members: &HashSet<(u32, u32)>,
    query: &Query,
    id: &str,
    at: Timestamp,
) -> Option<Change> {
    let dossier = workload.dossiers.get(usize_of(query.dossier))?;
    let fits = query.action == Action::Read
        && !query.expected
        && members.contains(&(query.user, dossier.organization));
    if !fits {
        return None;
    }
    let place = (query.user, dossier.organization, dossier.category);
    grant(workload, id, place, BenchRole::Reader, at).ok()
}

/// The (user, organisation) pairs that `changes` makes members.
pub fn members(workload: &Workload) -> HashSet<(u32, u32)> {
    workload
        .grants
        .iter()
        .map(|g| (g.user, g.organization))
        .collect()
}

pub fn changes(workload: &Workload, at: Timestamp) -> anyhow::Result<Vec<Change>> {
    let mut changes = Vec::with_capacity(
        workload.user_names.len() * 3 + workload.grants.len() + workload.dossiers.len(),
    );
    changes.push(Change::Organization(organization(OWNER, at)));
    for name in &workload.organization_names {
        changes.push(Change::Organization(organization(name, at)));
    }
    for name in &workload.user_names {
        changes.push(Change::User(User {
            id: UserId::new(name),
            national_number: None,
            email: None,
            given_name: name.clone(),
            family_name: "Bench".into(),
            language: Language::Fr,
            created_at: at,
        }));
    }
    changes.push(Change::Application(application(workload, at)?));
    for name in &workload.organization_names {
        changes.push(Change::Subscription {
            subscription: Subscription {
                organization: OrganizationId::new(name),
                application: key(APPLICATION)?,
                since: at,
            },
            present: true,
        });
    }
    let name =
        |names: &[String], index: u32| names.get(usize_of(index)).cloned().unwrap_or_default();
    // Memberships: the organisations each user holds grants in (the generator draws grants
    // among a user's memberships; a user without grants needs none for the workload).
    let mut members: HashSet<(u32, u32)> = HashSet::new();
    for grant in &workload.grants {
        if members.insert((grant.user, grant.organization)) {
            changes.push(Change::Membership(Membership {
                organization: OrganizationId::new(name(
                    &workload.organization_names,
                    grant.organization,
                )),
                user: UserId::new(name(&workload.user_names, grant.user)),
                since: at,
                ended_at: None,
            }));
        }
    }
    for (index, g) in workload.grants.iter().enumerate() {
        changes.push(grant(
            workload,
            &format!("g{index}"),
            (g.user, g.organization, g.category),
            g.role,
            at,
        )?);
    }
    let dossier_type = key("dossier")?;
    for (index, dossier) in workload.dossiers.iter().enumerate() {
        changes.push(Change::Resource(Resource {
            application: key(APPLICATION)?,
            resource_type: dossier_type.clone(),
            id: workload
                .dossier_names
                .get(index)
                .cloned()
                .unwrap_or_default(),
            organization: OrganizationId::new(name(
                &workload.organization_names,
                dossier.organization,
            )),
            matter: Some(key(&matter_key(workload, dossier.category))?),
            category: Some(key(&category_key(workload, dossier.category))?),
            owner: None,
        }));
    }
    Ok(changes)
}
