//! `Writer`: applies one `Change` at a time to a snapshot being prepared.
//!
//! Each change touches only the records and index entries of the entity it carries (and so
//! only their shards). Entities arrive as full new states, so every handler first takes the
//! entity's previous state out of the indexes, then puts the new one in. What only the
//! writer needs to find the previous state (where a grant, a suspension or a mandate was
//! filed, which resource slots are free) lives here, outside the published snapshots.

use std::hash::BuildHasher;
use std::sync::Arc;

use thin_vec::ThinVec;

use habilis_domain::{
    Application, Change, Grant, Key, Mandate, MandateStatus, Membership, Organization, Resource,
    Scope, Status, Suspension, User, Validity,
};

use crate::grants::GrantList;
use crate::shards::{HashShards, Interner, Map, Name, UNSEEN};
use crate::snapshot::{
    ApplicationRec, GrantRec, GrantScope, GrantTag, MandateRec, MembershipRec, OrganizationRec,
    Place, Placed, ResourceRec, RoleRec, ScopeRec, Snapshot, SuspensionRec, Window,
};

/// The writer's own bookkeeping; see the module comment.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    /// Grant id → the user whose list holds the (active) grant. Only the user is kept, under
    /// the hash of the grant id; the id itself is in that user's `grant_tags`, which is
    /// where a lookup compares it. Four bytes per grant instead of a second copy of its id.
    grant_users: GrantUsers,
    /// Suspension id → the user whose list holds it.
    suspension_users: Map<Name, u32>,
    /// Mandate id → (application, mandator, mandatary) where the active mandate is filed.
    mandate_places: Map<Name, (u32, u32, u32)>,
    /// User → the national number and e-mail under which the indexes list them, to take
    /// them out when either changes. Kept here rather than in the user's record, which a
    /// check reads: only users who have either are listed.
    user_identifiers: Map<u32, UserIdentifiers>,
}

/// A user's national number (its digits) and e-mail, as the indexes list them.
type UserIdentifiers = (Option<Box<str>>, Option<Box<str>>);

/// Which user holds each active grant, by grant id; see `Writer::grant_users`. An entry is
/// 32 bits of the id's hash and the user: the hash places the entry when the table grows,
/// the id itself is compared in the user's record.
#[derive(Debug, Default)]
struct GrantUsers {
    users: hashbrown::HashTable<(u32, u32)>,
    hashing: foldhash::fast::RandomState,
}

impl GrantUsers {
    fn short_hash(&self, id: &str) -> u32 {
        // The low half of a 64-bit hash; truncation is the point.
        self.hashing.hash_one(id) as u32
    }

    /// The table's hash of an entry: its 32 bits spread over 64, so that both the slot (low
    /// bits) and the tag (top bits) vary.
    fn spread(short: u32) -> u64 {
        u64::from(short).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    fn holds(snapshot: &Snapshot, user: u32, id: &str) -> bool {
        snapshot
            .users
            .get(user)
            .is_some_and(|record| record.grant_tags.iter().any(|tag| tag.id == id))
    }

    /// Files `id` under `user`. A grant is filed once: `Writer::grant` removes it first.
    fn insert(&mut self, id: &str, user: u32) {
        let short = self.short_hash(id);
        self.users
            .insert_unique(Self::spread(short), (short, user), |&(s, _)| {
                Self::spread(s)
            });
    }

    /// Takes `id` out and answers the user that held it. Call before the user's record
    /// loses the grant.
    fn remove(&mut self, snapshot: &Snapshot, id: &str) -> Option<u32> {
        let short = self.short_hash(id);
        let entry = self
            .users
            .find_entry(Self::spread(short), |&(s, u)| {
                s == short && Self::holds(snapshot, u, id)
            })
            .ok()?;
        let ((_, user), _) = entry.remove();
        Some(user)
    }
}

/// Inserts into a sorted list that may hold duplicates (one entry per grant or mandate).
fn insert_sorted(list: &mut Vec<u32>, value: u32) {
    let at = list.partition_point(|x| *x < value);
    list.insert(at, value);
}

/// Inserts into a sorted list of distinct values.
fn insert_unique(list: &mut Vec<u32>, value: u32) {
    if let Err(at) = list.binary_search(&value) {
        list.insert(at, value);
    }
}

/// Removes one occurrence from a sorted list.
fn remove_one(list: &mut Vec<u32>, value: u32) {
    if let Ok(at) = list.binary_search(&value) {
        list.remove(at);
    }
}

fn sorted_ids<'a>(keys: &mut Interner, texts: impl IntoIterator<Item = &'a Key>) -> Box<[u32]> {
    let mut ids: Vec<u32> = texts.into_iter().map(|k| keys.intern(k.as_str())).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into()
}

fn intern_scope(keys: &mut Interner, scope: &Scope) -> ScopeRec {
    match scope {
        Scope::All => ScopeRec::All,
        Scope::Matters(matters) => {
            ScopeRec::of_matters(matters.iter().map(|m| keys.intern(m.as_str())).collect())
        }
        Scope::Categories(pairs) => ScopeRec::of_categories(
            pairs
                .iter()
                .map(|(m, c)| (keys.intern(m.as_str()), keys.intern(c.as_str())))
                .collect(),
        ),
    }
}

/// Moves `id` from the entry of `old` to that of `new` in an index by number or name.
fn reindex(
    index: &mut HashShards<Box<str>, Vec<u32>>,
    old: Option<Box<str>>,
    new: Option<Box<str>>,
    id: u32,
) {
    if old == new {
        return;
    }
    if let Some(old) = old {
        index.update(old, |ids| remove_one(ids, id));
    }
    if let Some(new) = new {
        index.update(new, |ids| insert_unique(ids, id));
    }
}

/// Tells the entry of the user's name whether a check can do without their record
/// (`GrantList::is_plain`): after every change of whether they exist or of their
/// suspensions. The entry's shard is cloned only when the flag changes.
fn mark_plain(snapshot: &mut Snapshot, user: u32) {
    let plain = snapshot
        .users
        .get(user)
        .is_some_and(|record| record.exists && record.suspensions.is_empty());
    let known = snapshot.user_names.value(user).map(GrantList::is_plain);
    if known.is_some_and(|known| known != plain)
        && let Some(grants) = snapshot.user_names.value_mut(user)
    {
        grants.set_plain(plain);
    }
}

impl Snapshot {
    /// Sizes the large tables for a load (`Loading::expecting`).
    pub(crate) fn reserve(&mut self, expected: crate::Expected) {
        self.user_names.reserve(expected.users);
        self.users.reserve(expected.users);
        self.resources.reserve(expected.resources);
    }

    /// Gives back the room the lists grew into while the world was loaded one entity at a
    /// time: a vector that grew by doubling holds up to twice what it needs, and a million
    /// grants and resources make that a hundred megabytes. Each list is moved into an
    /// allocation of its exact length (shrinking in place would keep the block: allocators
    /// such as mimalloc do not move a block that shrinks by less than half), so that the
    /// blocks it grew through are freed whole. Done once, before the first snapshot is
    /// published; later changes grow only the lists they touch.
    pub(crate) fn compact(&mut self) {
        self.users.compact();

        self.users.for_each_mut(|user| {
            exact(&mut user.grant_tags);
            exact_thin(&mut user.memberships);
            exact_thin(&mut user.suspensions);
            exact_thin(&mut user.subject_ids);
        });
        self.organizations.compact();
        self.resources_by_place.for_each_mut(exact);
        self.places.for_each_mut(exact);
        self.grant_holders.for_each_mut(exact);
        self.mandators.for_each_mut(exact);
        self.subscribers.for_each_mut(exact);
    }
}

/// Moves the items of `list` into an allocation of exactly their number.
pub(crate) fn exact<T>(list: &mut Vec<T>) {
    if list.capacity() > list.len() {
        let mut fitted = Vec::with_capacity(list.len());
        fitted.append(list);
        *list = fitted;
    }
}

/// `exact` for a thin vector.
fn exact_thin<T>(list: &mut ThinVec<T>) {
    if list.capacity() > list.len() {
        let mut fitted = ThinVec::with_capacity(list.len());
        fitted.extend(list.drain(..));
        *list = fitted;
    }
}

impl Writer {
    /// Sizes the writer's own table of grants for a load (`Loading::expecting`).
    pub(crate) fn reserve(&mut self, expected: crate::Expected) {
        self.grant_users
            .users
            .reserve(expected.grants, |&(short, _)| GrantUsers::spread(short));
    }

    /// After a load: the stored grants counted for `reserve` include revoked and rejected
    /// ones, which the table does not keep; a table sized for years of history gives the
    /// room back here.
    pub(crate) fn compact(&mut self) {
        self.grant_users
            .users
            .shrink_to_fit(|&(short, _)| GrantUsers::spread(short));
    }

    pub(crate) fn apply(&mut self, snapshot: &mut Snapshot, change: &Change) {
        match change {
            Change::Levels(levels) => {
                snapshot.levels = Arc::new(levels.clone());
                snapshot.applications.for_each_mut(|application| {
                    let Some(application) = application else {
                        return;
                    };
                    for (_, role) in application.roles.iter_mut() {
                        role.rank = RoleRec::rank_under(role.level.as_ref(), levels);
                    }
                });
            }
            Change::Organization(organization) => Self::organization(snapshot, organization),
            Change::User(user) => self.user(snapshot, user),
            Change::SubjectId {
                application,
                subject_id,
                user,
                present,
            } => Self::subject_id(snapshot, application, subject_id, user.as_str(), *present),
            Change::Membership(membership) => Self::membership(snapshot, membership),
            Change::Application(application) => Self::application(snapshot, application),
            Change::Subscription {
                subscription,
                present,
            } => {
                let organization = snapshot
                    .organization_names
                    .intern(subscription.organization.as_str());
                let application = snapshot.keys.intern(subscription.application.as_str());
                snapshot.subscribers.update(application, |organizations| {
                    if *present {
                        insert_unique(organizations, organization);
                    } else {
                        remove_one(organizations, organization);
                    }
                });
            }
            Change::Grant(grant) => self.grant(snapshot, grant),
            Change::Mandate(mandate) => self.mandate(snapshot, mandate),
            Change::Suspension(suspension) => self.suspension(snapshot, suspension),
            Change::Resource(resource) => self.resource(snapshot, resource),
            Change::ResourceRemoved {
                application,
                resource_type,
                id,
            } => self.remove_resource(snapshot, application, resource_type, id),
            // These change who may manage what, not what is allowed: nothing to index.
            Change::Settings(_)
            | Change::Operator { .. }
            | Change::LegalRepresentative { .. }
            | Change::Designation(_)
            | Change::Approval(_)
            | Change::Review(_) => {}
        }
    }

    fn organization(snapshot: &mut Snapshot, organization: &Organization) {
        let id = snapshot.organization_names.intern(organization.id.as_str());
        let new = OrganizationRec {
            mandates_given: 0,
            exists: true,
            suspended: organization.suspended.is_some(),
            enterprise_number: organization
                .enterprise_number
                .as_ref()
                .map(|n| n.digits().into()),
            external_id: organization.external_id.as_deref().map(Into::into),
        };
        let (enterprise_number, external_id) =
            (new.enterprise_number.clone(), new.external_id.clone());
        let Some(record) = snapshot.organizations.get_mut(id) else {
            return;
        };
        // The mandates are their own entities: a new state of the organisation keeps them.
        let new = OrganizationRec {
            mandates_given: record.mandates_given,
            ..new
        };
        let old = std::mem::replace(record, new);
        if !old.exists {
            snapshot.stats.organizations += 1;
        }
        reindex(
            &mut snapshot.organizations_by_enterprise_number,
            old.enterprise_number,
            enterprise_number,
            id,
        );
        reindex(
            &mut snapshot.organizations_by_external_id,
            old.external_id,
            external_id,
            id,
        );
    }

    fn user(&mut self, snapshot: &mut Snapshot, user: &User) {
        let id = snapshot.user_names.intern(user.id.as_str());
        let national_number: Option<Box<str>> =
            user.national_number.as_ref().map(|n| n.digits().into());
        let email: Option<Box<str>> = user.email.as_ref().map(|e| e.as_str().into());
        let Some(record) = snapshot.users.get_mut(id) else {
            return;
        };
        if !record.exists {
            snapshot.stats.users += 1;
        }
        record.exists = true;
        mark_plain(snapshot, id);
        let (old_number, old_email) = if national_number.is_none() && email.is_none() {
            self.user_identifiers.remove(&id)
        } else {
            self.user_identifiers
                .insert(id, (national_number.clone(), email.clone()))
        }
        .unwrap_or_default();
        reindex(
            &mut snapshot.users_by_national_number,
            old_number,
            national_number,
            id,
        );
        reindex(&mut snapshot.users_by_email, old_email, email, id);
    }

    fn subject_id(
        snapshot: &mut Snapshot,
        application: &Key,
        subject_id: &str,
        user: &str,
        present: bool,
    ) {
        let application = snapshot.keys.intern(application.as_str());
        // The link is keyed by (application, subject id), whoever it pointed to.
        if let Some(previous) = snapshot.subject_ids.remove(&application, subject_id)
            && let Some(record) = snapshot.users.get_mut(previous)
        {
            record
                .subject_ids
                .retain(|(a, s)| !(*a == application && &**s == subject_id));
        }
        if present {
            let user = snapshot.user_names.intern(user);
            let subject: Name = Name::from(subject_id);
            snapshot.subject_ids.insert(application, subject_id, user);
            if let Some(record) = snapshot.users.get_mut(user) {
                record.subject_ids.push((application, subject));
            }
        }
    }

    fn membership(snapshot: &mut Snapshot, membership: &Membership) {
        let organization = snapshot
            .organization_names
            .intern(membership.organization.as_str());
        let user = snapshot.user_names.intern(membership.user.as_str());
        let window = Window::of(Validity {
            from: membership.since,
            until: membership.ended_at,
        });
        let Some(record) = snapshot.users.get_mut(user) else {
            return;
        };
        match record
            .memberships
            .iter_mut()
            .find(|m| m.organization == organization)
        {
            Some(existing) => existing.window = window,
            None => record.memberships.push(MembershipRec {
                organization,
                window,
            }),
        }
        // The user's grants there count within the membership's window. Their list is
        // changed (its shard of the user names cloned) only when one is there.
        let held_there = snapshot.user_names.value(user).is_some_and(|grants| {
            grants
                .as_slice()
                .iter()
                .any(|g| g.organization == organization)
        });
        if held_there && let Some(grants) = snapshot.user_names.value_mut(user) {
            grants.change(|grants| {
                for (grant, tag) in grants.iter_mut().zip(&record.grant_tags) {
                    if grant.organization == organization {
                        grant.set_in_force(tag.validity.and(window));
                    }
                }
            });
        }
    }

    fn application(snapshot: &mut Snapshot, application: &Application) {
        let keys = &mut snapshot.keys;
        let id = keys.intern(application.key.as_str());
        snapshot.application_keys.add(application.key.as_str(), id);
        let owner = snapshot
            .organization_names
            .intern(application.owner.as_str());
        let permissions: Vec<(u32, Key)> = application
            .permissions
            .iter()
            .map(|p| (keys.intern(p.as_str()), p.clone()))
            .collect();
        let mut permission_ids: Vec<u32> = permissions.iter().map(|(id, _)| *id).collect();
        permission_ids.sort_unstable();
        let mut roles: Vec<(u32, RoleRec)> = Vec::with_capacity(application.roles.len());
        for role in &application.roles {
            let key = keys.intern(role.key.as_str());
            // `Application::role` finds the first role of a key; later ones never act.
            if roles.iter().any(|(k, _)| *k == key) {
                continue;
            }
            let record = RoleRec {
                permissions: sorted_ids(keys, &role.permissions),
                owned_permissions: sorted_ids(keys, &role.owned_permissions),
                level: role.level.clone(),
                rank: RoleRec::rank_under(role.level.as_ref(), &snapshot.levels),
                scoped: role.scoped,
            };
            roles.push((key, record));
        }
        roles.sort_unstable_by_key(|(key, _)| *key);
        let record = ApplicationRec {
            key: application.key.clone(),
            owner,
            permissions,
            permission_ids: permission_ids.into(),
            has_unscoped_role: roles.iter().any(|(_, role)| !role.scoped),
            roles: roles.into(),
            resource_properties: application.resource_properties.clone(),
        };
        if let Some(slot) = snapshot.applications.get_mut(id)
            && slot.replace(record).is_none()
        {
            snapshot.stats.applications += 1;
        }
    }

    fn grant(&mut self, snapshot: &mut Snapshot, grant: &Grant) {
        self.remove_grant(snapshot, grant.id.as_str());
        if grant.status != Status::Active {
            return;
        }
        let user = snapshot.user_names.intern(grant.user.as_str());
        let organization = snapshot
            .organization_names
            .intern(grant.organization.as_str());
        let application = snapshot.keys.intern(grant.application.as_str());
        let role = snapshot.keys.intern(grant.role.as_str());
        let scope = intern_scope(&mut snapshot.keys, &grant.scope);
        let scope = GrantScope::of(&scope, &mut snapshot.scope_lists);
        let id: Name = Name::from(grant.id.as_str());
        let Some(record) = snapshot.users.get_mut(user) else {
            return;
        };
        let Some(grants) = snapshot.user_names.value_mut(user) else {
            return;
        };
        let validity = Window::of(grant.validity);
        grants.change(|grants| {
            grants.push(GrantRec::new(
                organization,
                application,
                role,
                scope,
                grant.reach,
                validity.and(record.membership(organization)),
            ));
        });
        record.grant_tags.push(GrantTag {
            id: id.clone(),
            validity,
        });
        snapshot
            .grant_holders
            .update((application, organization), |holders| {
                insert_sorted(holders, user);
            });
        self.grant_users.insert(&id, user);
        snapshot.stats.grants += 1;
    }

    fn remove_grant(&mut self, snapshot: &mut Snapshot, id: &str) {
        let Some(user) = self.grant_users.remove(snapshot, id) else {
            return;
        };
        let Some(record) = snapshot.users.get_mut(user) else {
            return;
        };
        let Some(position) = record.grant_tags.iter().position(|tag| tag.id == id) else {
            return;
        };
        // The order of a user's grants does not matter: the deny reason kept is the closest
        // whatever the order, and any allowing grant may be named. Both lists lose the same
        // position, so they stay in step.
        let Some(grants) = snapshot.user_names.value_mut(user) else {
            return;
        };
        if position >= grants.len() {
            return;
        }
        record.grant_tags.swap_remove(position);
        let old = grants.change(|grants| grants.swap_remove(position));
        snapshot
            .grant_holders
            .update((old.application, old.organization), |holders| {
                remove_one(holders, user);
            });
        snapshot.stats.grants = snapshot.stats.grants.saturating_sub(1);
    }

    fn mandate(&mut self, snapshot: &mut Snapshot, mandate: &Mandate) {
        let id = mandate.id.as_str();
        if let Some((application, mandator, mandatary)) = self.mandate_places.remove(id) {
            snapshot.mandates.update((application, mandator), |list| {
                list.retain(|m| &*m.id != id)
            });
            if let Some(record) = snapshot.organizations.get_mut(mandator) {
                record.mandates_given = record.mandates_given.saturating_sub(1);
            }
            snapshot
                .mandators
                .update((application, mandatary), |list| remove_one(list, mandator));
        }
        // Only an active mandate can be in force.
        if mandate.status != MandateStatus::Active {
            return;
        }
        let application = snapshot.keys.intern(mandate.application.as_str());
        let mandator = snapshot
            .organization_names
            .intern(mandate.mandator.as_str());
        let mandatary = snapshot
            .organization_names
            .intern(mandate.mandatary.as_str());
        let scope = intern_scope(&mut snapshot.keys, &mandate.scope);
        let id: Name = Name::from(id);
        let record = MandateRec {
            id: id.clone(),
            mandatary,
            scope,
            validity: mandate.validity,
        };
        snapshot
            .mandates
            .update((application, mandator), |list| list.push(record));
        if let Some(record) = snapshot.organizations.get_mut(mandator) {
            record.mandates_given = record.mandates_given.saturating_add(1);
        }
        snapshot.mandators.update((application, mandatary), |list| {
            insert_sorted(list, mandator)
        });
        self.mandate_places
            .insert(id, (application, mandator, mandatary));
    }

    fn suspension(&mut self, snapshot: &mut Snapshot, suspension: &Suspension) {
        let id = suspension.id.as_str();
        if let Some(previous) = self.suspension_users.remove(id)
            && let Some(record) = snapshot.users.get_mut(previous)
        {
            record.suspensions.retain(|s| &*s.id != id);
            mark_plain(snapshot, previous);
        }
        // Lifted suspensions stay: a question may be about a moment before the lifting.
        let user = snapshot.user_names.intern(suspension.user.as_str());
        let application = suspension
            .application
            .as_ref()
            .map(|a| snapshot.keys.intern(a.as_str()));
        let id: Name = Name::from(id);
        let Some(record) = snapshot.users.get_mut(user) else {
            return;
        };
        record.suspensions.push(SuspensionRec {
            id: id.clone(),
            application,
            window: Window::of(Validity {
                from: suspension.at,
                until: suspension.lifted.as_ref().map(|lifted| lifted.at),
            }),
        });
        mark_plain(snapshot, user);
        self.suspension_users.insert(id, user);
    }

    fn resource(&mut self, snapshot: &mut Snapshot, resource: &Resource) {
        let application = snapshot.keys.intern(resource.application.as_str());
        let resource_type = snapshot.keys.intern(resource.resource_type.as_str());
        snapshot
            .resource_types
            .add(resource.resource_type.as_str(), resource_type);
        let organization = snapshot
            .organization_names
            .intern(resource.organization.as_str());
        let matter = resource
            .matter
            .as_ref()
            .map(|m| snapshot.keys.intern(m.as_str()));
        let category = resource
            .category
            .as_ref()
            .map(|c| snapshot.keys.intern(c.as_str()));
        let owner = resource
            .owner
            .as_ref()
            .map(|o| snapshot.user_names.intern(o.as_str()));
        let at = Place {
            application,
            resource_type,
            organization,
            matter,
            category,
        };
        let record = ResourceRec::new(snapshot.place_ids.intern(&at), owner);
        let previous =
            snapshot
                .resources
                .insert((application, resource_type), resource.id.as_str(), record);
        match previous {
            Some(old) => unplace(snapshot, &old, &resource.id),
            None => snapshot.stats.resources += 1,
        }
        place(snapshot, at, &record, Name::from(resource.id.as_str()));
    }

    fn remove_resource(
        &mut self,
        snapshot: &mut Snapshot,
        application: &Key,
        resource_type: &Key,
        id: &str,
    ) {
        let (Some(application), Some(resource_type)) = (
            snapshot.keys.get(application.as_str()),
            snapshot.keys.get(resource_type.as_str()),
        ) else {
            return;
        };
        let Some(old) = snapshot.resources.remove(&(application, resource_type), id) else {
            return;
        };
        unplace(snapshot, &old, id);
        snapshot.stats.resources = snapshot.stats.resources.saturating_sub(1);
    }
}

/// Files a resource under its place, and the place under its organisation.
fn place(snapshot: &mut Snapshot, at: Place, resource: &ResourceRec, id: Name) {
    let mut first = false;
    let owner = resource.owner().unwrap_or(UNSEEN);
    snapshot.resources_by_place.update(at, |list| {
        first = list.is_empty();
        // Sorted by id: resources arrive in id order at load, so this appends.
        if let Err(position) = list.binary_search_by(|p| p.id.as_str().cmp(id.as_str())) {
            list.insert(position, Placed { id, owner });
        }
    });
    if first {
        snapshot.places.update(
            (at.application, at.resource_type, at.organization),
            |pairs| pairs.push((at.matter, at.category)),
        );
    }
}

/// Undoes `place`; a place left empty leaves its organisation's list.
fn unplace(snapshot: &mut Snapshot, resource: &ResourceRec, id: &str) {
    let Some(at) = snapshot.place_of(resource).copied() else {
        return;
    };
    let mut emptied = false;
    snapshot.resources_by_place.update(at, |list| {
        if let Ok(position) = list.binary_search_by(|p| p.id.as_str().cmp(id)) {
            list.remove(position);
        }
        emptied = list.is_empty();
    });
    if emptied {
        snapshot.places.update(
            (at.application, at.resource_type, at.organization),
            |pairs| pairs.retain(|p| *p != (at.matter, at.category)),
        );
    }
}
