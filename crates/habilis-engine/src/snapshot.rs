//! `Snapshot`: one immutable, indexed picture of the world, and every question it answers.
//!
//! The records hold interned ids, not strings. Each question follows
//! `habilis_domain::decision` step by step (the same resolutions, the same order of checks,
//! the same choice of deny reason); only the lookups differ. The reverse questions narrow
//! the candidates with an index, then put each candidate to the same `allow`, so that they
//! can never disagree with the forward one.

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::Arc;

use thin_vec::ThinVec;

use habilis_domain::decision::{Decision, DenyReason, Question, ResourceOverrides, Via};
use habilis_domain::{
    Email, EnterpriseNumber, GrantId, Key, Levels, MandateId, NationalNumber, OrganizationId,
    Reach, ResourceProperties, Scope, Timestamp, UserId, Validity,
};

use crate::EngineStats;
use crate::grants::{GrantList, Reaching};
use crate::prefetch::{prefetch, prefetch_all};
use crate::runs::{id_prefix, merge_runs};
use crate::shards::{
    DenseShards, FewNames, HashShards, Hashed, Interner, LARGE, Name, NamedShards, SMALL,
    ShortName, UNSEEN, same_text,
};
use crate::slots::{HalfLine, OnLine};

/// A scope over interned keys; lists are sorted. A mandate's scope, and the list of a grant
/// scoped to several matters or categories (interned in `Snapshot::scope_lists`; a grant's
/// record keeps one matter or one category inline: `GrantScope`). Lists are behind a thin
/// pointer (`ThinVec` keeps its length in its allocation), so that a scope is 16 bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum ScopeRec {
    #[default]
    All,
    Matter(u32),
    Category((u32, u32)),
    Matters(ThinVec<u32>),
    Categories(ThinVec<(u32, u32)>),
}

/// For `Interner<ScopeRec>`: a scope is its own owned form.
impl From<&ScopeRec> for ScopeRec {
    fn from(scope: &ScopeRec) -> ScopeRec {
        scope.clone()
    }
}

impl ScopeRec {
    pub(crate) fn of_matters(mut matters: Vec<u32>) -> ScopeRec {
        matters.sort_unstable();
        matters.dedup();
        match matters.as_slice() {
            [matter] => ScopeRec::Matter(*matter),
            _ => ScopeRec::Matters(matters.into()),
        }
    }

    pub(crate) fn of_categories(mut pairs: Vec<(u32, u32)>) -> ScopeRec {
        pairs.sort_unstable();
        pairs.dedup();
        match pairs.as_slice() {
            [pair] => ScopeRec::Category(*pair),
            _ => ScopeRec::Categories(pairs.into()),
        }
    }

    pub(crate) fn view(&self) -> ScopeView<'_> {
        match self {
            ScopeRec::All => ScopeView::All,
            ScopeRec::Matter(matter) => ScopeView::Matter(*matter),
            ScopeRec::Category(pair) => ScopeView::Category(*pair),
            ScopeRec::Matters(list) => ScopeView::Matters(list),
            ScopeRec::Categories(list) => ScopeView::Categories(list),
        }
    }

    pub(crate) fn covers(&self, matter: Option<u32>, category: Option<u32>) -> bool {
        self.view().covers(matter, category)
    }
}

/// A scope as the rule reads it, a grant's (with its list, if it has one) or a mandate's.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ScopeView<'s> {
    All,
    Matter(u32),
    Category((u32, u32)),
    Matters(&'s [u32]),
    Categories(&'s [(u32, u32)]),
}

impl ScopeView<'_> {
    /// A scope that covers nothing: what a list that cannot be found stands for.
    const NOTHING: ScopeView<'static> = ScopeView::Matters(&[]);

    /// `Scope::covers` over interned keys: a resource outside the taxonomy (no matter) is
    /// covered only by `All`.
    pub(crate) fn covers(&self, matter: Option<u32>, category: Option<u32>) -> bool {
        match self {
            ScopeView::All => true,
            ScopeView::Matter(only) => matter == Some(*only),
            ScopeView::Matters(matters) => {
                matter.is_some_and(|m| matters.binary_search(&m).is_ok())
            }
            ScopeView::Category(only) => matter.zip(category) == Some(*only),
            ScopeView::Categories(pairs) => match (matter, category) {
                (Some(m), Some(c)) => pairs.binary_search(&(m, c)).is_ok(),
                _ => false,
            },
        }
    }
}

/// A grant's scope as its record keeps it: everything, one matter or one category inline
/// (the usual scopes), or the id of a longer list in `Snapshot::scope_lists`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GrantScope {
    All,
    Matter(u32),
    Category((u32, u32)),
    Listed(u32),
}

impl GrantScope {
    /// `scope` as a grant keeps it, its list (if any) interned in `lists`.
    pub(crate) fn of(scope: &ScopeRec, lists: &mut Interner<ScopeRec>) -> GrantScope {
        match scope {
            ScopeRec::All => GrantScope::All,
            ScopeRec::Matter(matter) => GrantScope::Matter(*matter),
            ScopeRec::Category(pair) => GrantScope::Category(*pair),
            ScopeRec::Matters(_) | ScopeRec::Categories(_) => {
                GrantScope::Listed(lists.intern(scope))
            }
        }
    }
}

/// `Validity` in 16 bytes instead of 24, as a closed range `[from, last]`: an open end is
/// `i64::MAX`, and a window ending before it starts holds no moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    from: i64,
    last: i64,
}

impl Window {
    pub(crate) fn of(validity: Validity) -> Window {
        match validity.until {
            None => Window {
                from: validity.from.0,
                last: i64::MAX,
            },
            Some(until) => match until.0.checked_sub(1) {
                Some(last) => Window {
                    from: validity.from.0,
                    last,
                },
                None => Window::NEVER,
            },
        }
    }

    pub(crate) fn contains(&self, at: Timestamp) -> bool {
        self.from <= at.0 && at.0 <= self.last
    }

    /// The moments both windows hold.
    pub(crate) fn and(self, other: Window) -> Window {
        Window {
            from: self.from.max(other.from),
            last: self.last.min(other.last),
        }
    }

    /// A window that holds no moment.
    pub(crate) const NEVER: Window = Window {
        from: i64::MAX,
        last: i64::MIN,
    };

    /// The exclusive end, as `Validity::until` has it (for a window that holds a moment).
    pub(crate) fn until(&self) -> Option<Timestamp> {
        self.last.checked_add(1).map(Timestamp)
    }
}

/// A moment as a check compares it with grants' windows: the time, and the same in the
/// seconds of a `ShortWindow` when it is one of theirs (`None` before 1970 and from 2106 on,
/// when the rule reads each grant's exact window instead).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Moment {
    pub(crate) at: Timestamp,
    short: Option<u32>,
}

impl Moment {
    pub(crate) fn of(at: Timestamp) -> Moment {
        Moment {
            at,
            // `u32::MAX` stands for "no end" in a short window: not a moment of its own.
            short: u32::try_from(at.0)
                .ok()
                .filter(|&seconds| seconds != u32::MAX),
        }
    }
}

/// A window in 8 bytes: its ends in seconds as `u32`, clamped, which keeps `contains` exact
/// for every moment from 1970 to 2106 (`Moment::short`). An end before 1970 or past 2106
/// compares with those moments as it would unclamped: a start before them is before each
/// of them, an end after them after each; a window that ends before 1970 holds none of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ShortWindow {
    from: u32,
    last: u32,
}

impl ShortWindow {
    /// Holds none of the moments a short window compares.
    const EMPTY: ShortWindow = ShortWindow {
        from: u32::MAX,
        last: 0,
    };

    fn of(window: Window) -> ShortWindow {
        if window.last < 0 || window.from > window.last {
            return ShortWindow::EMPTY;
        }
        let clamped = |seconds: i64| u32::try_from(seconds.max(0)).unwrap_or(u32::MAX);
        ShortWindow {
            from: clamped(window.from),
            last: clamped(window.last),
        }
    }

    fn contains(self, seconds: u32) -> bool {
        self.from <= seconds && seconds <= self.last
    }
}

/// An active grant, kept in its user's list (in the entry of the user's name:
/// `Snapshot::user_names`); its id and own validity are in the user's `grant_tags` at the
/// same position, out of the way of the scan.
///
/// 32 bytes, two to a cache line: a check may read every grant of its user (their reads
/// start as soon as the user is found), and ten grants are five lines instead of the
/// eight they took at 48 bytes. Hence a scope of several matters or categories by the id of
/// its list, the window in 32-bit seconds, the reach in a bit.
#[derive(Clone, Debug)]
pub(crate) struct GrantRec {
    pub(crate) organization: u32,
    pub(crate) application: u32,
    pub(crate) role: u32,
    /// The values of the scope `form` names: a matter; a matter and a category; the id of
    /// a list.
    scope_values: [u32; 2],
    /// When the grant counts: its validity, and the user's membership of the grant's
    /// organisation (a grant counts only while its holder is a member). Kept current by
    /// the writer when either changes, so a check reads no membership.
    in_force: ShortWindow,
    /// The scope's form (`FORM_*`), and `WIDE` for a grant that reaches every subscriber.
    form: u8,
}

const FORM_ALL: u8 = 0;
const FORM_MATTER: u8 = 1;
const FORM_CATEGORY: u8 = 2;
const FORM_LISTED: u8 = 3;
const FORM_BITS: u8 = 3;
const WIDE: u8 = 4;

impl GrantRec {
    pub(crate) fn new(
        organization: u32,
        application: u32,
        role: u32,
        scope: GrantScope,
        reach: Reach,
        in_force: Window,
    ) -> GrantRec {
        let (form, scope_values) = match scope {
            GrantScope::All => (FORM_ALL, [0, 0]),
            GrantScope::Matter(matter) => (FORM_MATTER, [matter, 0]),
            GrantScope::Category((matter, category)) => (FORM_CATEGORY, [matter, category]),
            GrantScope::Listed(list) => (FORM_LISTED, [list, 0]),
        };
        let wide = match reach {
            Reach::Organization => 0,
            Reach::AllSubscribers => WIDE,
        };
        GrantRec {
            organization,
            application,
            role,
            scope_values,
            in_force: ShortWindow::of(in_force),
            form: form | wide,
        }
    }

    pub(crate) fn scope(&self) -> GrantScope {
        let [first, second] = self.scope_values;
        match self.form & FORM_BITS {
            FORM_ALL => GrantScope::All,
            FORM_MATTER => GrantScope::Matter(first),
            FORM_CATEGORY => GrantScope::Category((first, second)),
            _ => GrantScope::Listed(first),
        }
    }

    pub(crate) fn reach(&self) -> Reach {
        if self.is_wide() {
            Reach::AllSubscribers
        } else {
            Reach::Organization
        }
    }

    /// Whether the grant reaches every subscriber of its application (`Reach::AllSubscribers`).
    pub(crate) fn is_wide(&self) -> bool {
        self.form & WIDE != 0
    }

    /// Whether the grant is in force at `moment`; `None` when only its exact window can tell
    /// (`Snapshot::in_force`).
    #[inline]
    fn in_force_at(&self, moment: Moment) -> Option<bool> {
        moment.short.map(|seconds| self.in_force.contains(seconds))
    }

    pub(crate) fn set_in_force(&mut self, in_force: Window) {
        self.in_force = ShortWindow::of(in_force);
    }
}

// The records a million grants and resources are made of keep their size: a byte more per
// record is a megabyte more per million (on 64-bit targets, where pointers are 8 bytes).
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<ScopeRec>() == 16);
    assert!(size_of::<GrantRec>() == 32);
    assert!(size_of::<ResourceRec>() == 8);
    assert!(size_of::<UserRec>() == 64);
    // The entry of a user's name, in a slot of the table of user names (`OnLine`).
    assert!(size_of::<Option<(Name, (u32, GrantList))>>() == 64);
    // The entry of a resource, in a slot of the table of resources (`HalfLine`).
    assert!(size_of::<Option<((u32, u32), ShortName, ResourceRec)>>() == 32);
};

/// What a check does not need of a grant: its id, and its own validity.
#[derive(Clone, Debug)]
pub(crate) struct GrantTag {
    pub(crate) id: Name,
    pub(crate) validity: Window,
}

/// A membership; its window `[since, ended_at)` is a `Validity`.
#[derive(Clone, Debug)]
pub(crate) struct MembershipRec {
    pub(crate) organization: u32,
    pub(crate) window: Window,
}

/// A suspension, lifted or not; its window `[at, lifted)` is a `Validity`.
#[derive(Clone, Debug)]
pub(crate) struct SuspensionRec {
    pub(crate) id: Name,
    /// `None`: platform-wide.
    pub(crate) application: Option<u32>,
    pub(crate) window: Window,
}

/// Everything the decision needs about one user, in one place so that a check costs one
/// lookup. A record exists for every user id ever named; `exists` says whether the user
/// itself was registered.
///
/// The user's grants are not here but in the entry of their name (`Snapshot::user_names`),
/// where a check finds them as soon as it finds the user, instead of after reading this
/// record. What a check reads here comes first, and the record starts a cache line
/// (`align(64)`), so that a check reads one line of it: the fields in order (`repr(C)`),
/// the lists a check does not index as thin vectors (a pointer; the length is in the
/// allocation, and an empty one allocates nothing): 64 bytes, one line in all. (The
/// national number and e-mail the indexes list a user under are the writer's to keep.)
#[derive(Clone, Debug, Default)]
#[repr(C, align(64))]
pub(crate) struct UserRec {
    pub(crate) exists: bool,
    pub(crate) suspensions: ThinVec<SuspensionRec>,
    /// The id and validity of each of the user's grants, in the order of their list (in
    /// the entry of the user's name).
    pub(crate) grant_tags: Vec<GrantTag>,
    pub(crate) memberships: ThinVec<MembershipRec>,
    /// (application, subject id) linked to this user.
    pub(crate) subject_ids: ThinVec<(u32, Name)>,
}

impl UserRec {
    /// The window of the user's membership of `organization` (never, for none).
    pub(crate) fn membership(&self, organization: u32) -> Window {
        self.memberships
            .iter()
            .find(|m| m.organization == organization)
            .map_or(Window::NEVER, |m| m.window)
    }

    fn is_suspended(&self, application: u32, at: Timestamp) -> bool {
        self.suspensions.iter().any(|s| {
            s.window.contains(at)
                && s.application
                    .is_none_or(|suspended| suspended == application)
        })
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct OrganizationRec {
    pub(crate) exists: bool,
    /// Suspension of an organisation is not time-bound in the model: it holds while set.
    pub(crate) suspended: bool,
    pub(crate) enterprise_number: Option<Box<str>>,
    pub(crate) external_id: Option<Box<str>>,
    /// Active mandates this organisation gave, in any application: when there are none, a
    /// check for one of its resources skips the lookup of mandates (a cache miss) for the
    /// grants a user holds elsewhere.
    pub(crate) mandates_given: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct RoleRec {
    pub(crate) permissions: Box<[u32]>,
    pub(crate) owned_permissions: Box<[u32]>,
    pub(crate) level: Option<Key>,
    /// `World::role_rank` of `level` under the snapshot's levels: 0 for no level,
    /// `u8::MAX` for a level that does not exist. Kept current when the levels change.
    pub(crate) rank: u8,
    pub(crate) scoped: bool,
}

impl RoleRec {
    pub(crate) fn rank_under(level: Option<&Key>, levels: &Levels) -> u8 {
        match level {
            None => 0,
            Some(key) => levels
                .by_key(key.as_str())
                .map_or(u8::MAX, |level| level.rank),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct ApplicationRec {
    pub(crate) key: Key,
    pub(crate) owner: u32,
    /// The permissions in key order (an application's permissions are a `BTreeSet`), for
    /// `search_actions` and `permission_named`.
    pub(crate) permissions: Vec<(u32, Key)>,
    /// The same ids sorted, for membership tests.
    pub(crate) permission_ids: Box<[u32]>,
    /// Sorted by role key; the first role of a key wins, as `Application::role` finds it.
    /// An application has a handful of roles: a binary search beats hashing.
    pub(crate) roles: Box<[(u32, RoleRec)]>,
    /// Whether one of the roles ignores the scope of its grants (`RoleRec::scoped`).
    pub(crate) has_unscoped_role: bool,
    /// The property names the application uses for a resource's attributes.
    pub(crate) resource_properties: ResourceProperties,
}

impl ApplicationRec {
    fn has_permission(&self, action: u32) -> bool {
        self.permission_ids.binary_search(&action).is_ok()
    }

    /// The id of the application's permission named `name`: a search among its few
    /// permissions by name, cheaper than hashing the name into the snapshot's keys and then
    /// searching the ids (the answer is the same: a permission's key is interned).
    fn permission_named(&self, name: &str) -> Option<u32> {
        // Among a few, a scan that compares names in place costs less than a binary search
        // whose every step calls `memcmp` to order them.
        const SCANNED: usize = 16;
        if self.permissions.len() <= SCANNED {
            return self
                .permissions
                .iter()
                .find(|(_, key)| same_text(key.as_str(), name))
                .map(|(id, _)| *id);
        }
        let index = self
            .permissions
            .binary_search_by(|(_, key)| key.as_str().cmp(name))
            .ok()?;
        self.permissions.get(index).map(|(id, _)| *id)
    }

    /// A check looks up the role of each grant it considers: among a handful of roles, the
    /// usual case, a scan in order costs fewer instructions than a binary search.
    pub(crate) fn role(&self, key: u32) -> Option<&RoleRec> {
        const SCANNED: usize = 8;
        if self.roles.len() <= SCANNED {
            return self
                .roles
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, role)| role);
        }
        let index = self.roles.binary_search_by_key(&key, |(k, _)| *k).ok()?;
        self.roles.get(index).map(|(_, role)| role)
    }
}

/// An active mandate, kept under (application, mandator).
#[derive(Clone, Debug)]
pub(crate) struct MandateRec {
    pub(crate) id: Name,
    pub(crate) mandatary: u32,
    pub(crate) scope: ScopeRec,
    pub(crate) validity: Validity,
}

/// A registered resource, filed under (application, resource type) and its id: its place
/// (organisation, subject-matter and category, interned: `Snapshot::place_of`) and its
/// owner, in 8 bytes. A million resources make this the largest table; with the key (its
/// id in a `ShortName`), an entry is 32 bytes (40 with the id in a `Name`, 48 when the record
/// held the place's parts, 64 with `Option`s).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResourceRec {
    pub(crate) place: u32,
    /// The owner, `UNSEEN` for none (no interned id reaches it).
    owner: u32,
}

impl ResourceRec {
    pub(crate) fn new(place: u32, owner: Option<u32>) -> ResourceRec {
        ResourceRec {
            place,
            owner: owner.unwrap_or(UNSEEN),
        }
    }

    pub(crate) fn owner(&self) -> Option<u32> {
        (self.owner != UNSEEN).then_some(self.owner)
    }
}

/// Where a resource sits for reverse search: the resources of one type of one application
/// of one organisation with one subject-matter and category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Place {
    pub(crate) application: u32,
    pub(crate) resource_type: u32,
    pub(crate) organization: u32,
    pub(crate) matter: Option<u32>,
    pub(crate) category: Option<u32>,
}

/// For `Interner<Place>`: a place is its own owned form.
impl From<&Place> for Place {
    fn from(place: &Place) -> Place {
        *place
    }
}

/// A resource as its place lists it: what resource search needs, without reading the
/// resource's own record for each result.
#[derive(Clone, Debug)]
pub(crate) struct Placed {
    pub(crate) id: Name,
    /// The owner, `UNSEEN` for none.
    pub(crate) owner: u32,
}

/// A (subject-matter, category) pair of interned keys; either may be absent.
pub(crate) type Classification = (Option<u32>, Option<u32>);

/// A resource as the decision sees it (`decision::ResourceAttributes` over interned ids).
/// A matter or category that no one ever named is `Some(UNSEEN)`: it matches no scope.
#[derive(Clone, Copy, Debug)]
struct Target {
    organization: u32,
    matter: Option<u32>,
    category: Option<u32>,
    owner: Option<u32>,
}

/// A user as a question names them: their id, and their grants.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Subject<'s> {
    pub(crate) id: u32,
    pub(crate) grants: &'s GrantList,
}

impl<'s> Subject<'s> {
    /// A user just found, with the reads of every line of their grants started at once:
    /// whichever of them the rule reads (the candidates the marks name, which depend on the
    /// resource, or all of them) are on their way as soon as their address is known, not
    /// only once the resource's entry, farther in memory, has arrived or the scan reaches
    /// them. Requesting the few lines of every grant costs next to nothing.
    fn found(id: u32, grants: &'s GrantList) -> Subject<'s> {
        prefetch_all(grants.as_slice());
        Subject { id, grants }
    }
}

/// A question with borrowed names: `decision::Question` without the copies.
#[derive(Clone, Copy, Debug)]
pub struct Asked<'a> {
    pub application: &'a str,
    pub subject: &'a str,
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: &'a str,
    pub overrides: &'a ResourceOverrides,
    /// The session's level rank; `None` for a session with no known level.
    pub level: Option<u8>,
    pub at: Timestamp,
}

/// The stages of `Snapshot::verdicts`, which start the reads of the questions ahead, and
/// the ids of the last question's application and resource type (a batch asks about one
/// application, mostly about one type of resource, so they are looked up once).
struct Ahead<'s, 'q> {
    snapshot: &'s Snapshot,
    part: Option<KnownPart<'q>>,
}

/// An (application, resource type) pair by name, and its ids (`None`: either is unknown).
type KnownPart<'q> = ((&'q str, &'q str), Option<(u32, u32)>);

impl<'q> Ahead<'_, 'q> {
    /// The (application, resource type) ids of `asked`, `None` when either is unknown.
    fn part(&mut self, asked: &Asked<'q>) -> Option<(u32, u32)> {
        let names = (asked.application, asked.resource_type);
        if let Some((known, ids)) = self.part
            && known == names
        {
            return ids;
        }
        let snapshot = self.snapshot;
        let ids = snapshot
            .application(asked.application)
            .and_then(|(application, _)| {
                Some((application, snapshot.keys.get(asked.resource_type)?))
            });
        self.part = Some((names, ids));
        ids
    }

    /// The first reads of a check: the slots of its resource and of its user's name.
    fn entries(&mut self, asked: &Asked<'q>) {
        if let Some(part) = self.part(asked) {
            self.snapshot.resources.prefetch(&part, asked.resource_id);
        }
        self.snapshot.user_names.prefetch(asked.subject);
    }

    /// The reads after the entries (which `entries` brought): the resource's place, the
    /// user's record, and every line of the user's grants (found in the user's entry),
    /// which the check scans in order.
    fn records(&mut self, asked: &Asked<'q>) {
        let snapshot = self.snapshot;
        if let Some(part) = self.part(asked)
            && let Some(resource) = snapshot.resources.get(&part, asked.resource_id)
            && let Some(place) = snapshot.place_ids.name(resource.place)
        {
            prefetch(place);
        }
        if let Some((user, grants)) = snapshot.user_names.entry(asked.subject) {
            prefetch_all(grants.as_slice());
            if let Some(record) = snapshot.user(user) {
                // What a check reads of the record is in its first line.
                prefetch(record);
            }
        }
    }
}

impl<'a> Asked<'a> {
    /// `question`'s names, borrowed.
    pub fn of(question: &'a Question) -> Asked<'a> {
        Asked {
            application: &question.application,
            subject: &question.subject,
            action: &question.action,
            resource_type: &question.resource_type,
            resource_id: &question.resource_id,
            overrides: &question.overrides,
            level: question.level,
            at: question.at,
        }
    }
}

/// The grant that allows (its id), and how it reaches the resource's organisation.
enum Permit<'a> {
    /// Allowed, by a grant not named: the answer of `permit::<ANY_REASON>`, which has no
    /// use for the name (kept in the user's record, a read from memory it spares).
    Allowed,
    Organization(&'a Name),
    ApplicationWide(&'a Name),
    Mandate(&'a Name, &'a MandateRec),
}

/// One role a user holds in an application, and where: see `Snapshot::entitlements`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entitlement {
    /// The organisation whose resources the role reaches.
    pub organization: OrganizationId,
    pub role: Key,
    /// The role's security level; `None`: any session.
    pub level: Option<Key>,
    /// The grant's scope (`All` for a role that is not scoped).
    pub scope: Scope,
    /// Through a mandate, its scope, which narrows the grant's.
    pub mandate_scope: Option<Scope>,
    pub reach: Reach,
    pub via: Via,
    pub grant: GrantId,
    pub valid_until: Option<Timestamp>,
}

/// An immutable picture of the world at one revision, with the indexes that answer
/// decisions. Cheap to clone: every container is a vector of shared shards.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub(crate) revision: u64,
    pub(crate) levels: Arc<Levels>,
    pub(crate) stats: EngineStats,

    /// Application keys, roles, actions, subject-matters, categories, resource types.
    pub(crate) keys: Interner,
    /// User ids, each name's entry holding the user's active grants and their marks: a
    /// check reads the grants that can allow right after the entry, without the user's
    /// record in between (`grants`). An entry is 64 bytes, each in a cache line of its own
    /// (`OnLine`): one line read for the user's name, id and marks.
    pub(crate) user_names: Interner<Name, GrantList, OnLine>,
    /// The lists of grants' scopes of several matters or categories (`GrantScope::Listed`).
    pub(crate) scope_lists: Interner<ScopeRec>,
    pub(crate) organization_names: Interner,

    pub(crate) users: DenseShards<UserRec>,
    pub(crate) organizations: DenseShards<OrganizationRec>,
    /// Indexed by the application key's interned id: a check finds its application in the
    /// snapshot's keys and then reads it here directly, without hashing again.
    pub(crate) applications: DenseShards<Option<ApplicationRec>>,
    /// Every key an application was ever defined under (`application`).
    pub(crate) application_keys: FewNames,

    pub(crate) users_by_national_number: HashShards<Box<str>, Vec<u32>>,
    pub(crate) users_by_email: HashShards<Box<str>, Vec<u32>>,
    pub(crate) organizations_by_enterprise_number: HashShards<Box<str>, Vec<u32>>,
    pub(crate) organizations_by_external_id: HashShards<Box<str>, Vec<u32>>,
    /// (application, subject id) → user.
    pub(crate) subject_ids: NamedShards<u32, u32>,

    /// Application → subscribed organisations, sorted.
    pub(crate) subscribers: HashShards<u32, Vec<u32>>,
    /// (application, mandator) → active mandates.
    pub(crate) mandates: HashShards<(u32, u32), Vec<MandateRec>>,
    /// (application, mandatary) → mandators, one entry per active mandate, sorted.
    pub(crate) mandators: HashShards<(u32, u32), Vec<u32>>,
    /// (application, organisation) → holders of active grants there, one entry per grant,
    /// sorted: the candidates of subject search.
    pub(crate) grant_holders: HashShards<(u32, u32), Vec<u32>>,

    /// (application, resource type) and id → the resource: one table entry, read in place.
    pub(crate) resources: NamedShards<(u32, u32), ResourceRec, HalfLine>,
    /// Every resource type a resource was ever registered under (`registered`).
    pub(crate) resource_types: FewNames,
    /// The places of `ResourceRec`s, interned: as many as (application, type,
    /// organisation, matter, category) that ever had a resource.
    pub(crate) place_ids: Interner<Place>,
    /// Place → its resources, sorted by id: the candidates of resource search.
    pub(crate) resources_by_place: HashShards<Place, Vec<Placed>>,
    /// (application, resource type, organisation) → the (matter, category) pairs that have
    /// resources there, so that a search visits only places that exist.
    pub(crate) places: HashShards<(u32, u32, u32), Vec<Classification>>,
}

impl Default for Snapshot {
    fn default() -> Snapshot {
        Snapshot {
            revision: 0,
            levels: Arc::new(Levels::default()),
            stats: EngineStats::default(),
            keys: Interner::new(SMALL),
            user_names: Interner::new(LARGE),
            scope_lists: Interner::new(SMALL),
            organization_names: Interner::new(LARGE),
            users: DenseShards::new(LARGE),
            organizations: DenseShards::new(LARGE),
            applications: DenseShards::new(SMALL),
            application_keys: FewNames::default(),
            users_by_national_number: HashShards::new(LARGE),
            users_by_email: HashShards::new(LARGE),
            organizations_by_enterprise_number: HashShards::new(LARGE),
            organizations_by_external_id: HashShards::new(LARGE),
            subject_ids: NamedShards::new(LARGE),
            subscribers: HashShards::new(SMALL),
            mandates: HashShards::new(LARGE),
            mandators: HashShards::new(LARGE),
            grant_holders: HashShards::new(LARGE),
            resources: NamedShards::new(LARGE),
            resource_types: FewNames::default(),
            place_ids: Interner::new(LARGE),
            resources_by_place: HashShards::new(LARGE),
            places: HashShards::new(LARGE),
        }
    }
}

/// What `Snapshot::permit` gives as the reason of a denial: the closest, as the reference
/// does, or any one (for the questions that need only yes or no).
const CLOSEST_REASON: bool = true;
const ANY_REASON: bool = false;

/// How close a denial is to allowing; higher is closer. The same order as the reference
/// evaluator: `step_up` (a lower rank is closer), `not_owner`, `outside_scope`.
fn closeness(reason: &DenyReason) -> u16 {
    match reason {
        DenyReason::StepUp { rank } => 1000 - u16::from(*rank),
        DenyReason::NotOwner => 3,
        DenyReason::OutsideScope => 2,
        _ => 1,
    }
}

/// Keeps the closer of two denials; on a tie the first, as the reference does.
fn closer(best: Option<DenyReason>, candidate: DenyReason) -> DenyReason {
    match best {
        Some(current) if closeness(&candidate) <= closeness(&current) => current,
        _ => candidate,
    }
}

impl Snapshot {
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn levels(&self) -> &Levels {
        &self.levels
    }

    pub fn stats(&self) -> EngineStats {
        self.stats
    }

    fn user(&self, user: u32) -> Option<&UserRec> {
        self.users.get(user)
    }

    fn user_exists(&self, user: u32) -> bool {
        self.user(user).is_some_and(|u| u.exists)
    }

    /// The scope of a grant, with its list if it has one.
    #[inline]
    pub(crate) fn scope_view(&self, grant: &GrantRec) -> ScopeView<'_> {
        match grant.scope() {
            GrantScope::All => ScopeView::All,
            GrantScope::Matter(matter) => ScopeView::Matter(matter),
            GrantScope::Category(pair) => ScopeView::Category(pair),
            GrantScope::Listed(list) => self
                .scope_lists
                .name(list)
                .map_or(ScopeView::NOTHING, ScopeRec::view),
        }
    }

    /// Whether the grant at `position` in `user`'s list is in force at `moment`.
    #[inline]
    fn in_force(&self, user: u32, position: usize, grant: &GrantRec, moment: Moment) -> bool {
        match grant.in_force_at(moment) {
            Some(in_force) => in_force,
            None => self.in_force_exactly(user, position, grant, moment.at),
        }
    }

    /// `in_force` at a moment a grant's short window cannot tell: from the grant's own
    /// validity and the user's membership, which its short window is made of.
    #[cold]
    #[inline(never)]
    fn in_force_exactly(
        &self,
        user: u32,
        position: usize,
        grant: &GrantRec,
        at: Timestamp,
    ) -> bool {
        self.user(user).is_some_and(|record| {
            record.grant_tags.get(position).is_some_and(|tag| {
                tag.validity
                    .and(record.membership(grant.organization))
                    .contains(at)
            })
        })
    }

    fn is_organization_suspended(&self, organization: u32) -> bool {
        self.organizations
            .get(organization)
            .is_some_and(|o| o.suspended)
    }

    fn is_subscribed(&self, organization: u32, application: u32) -> bool {
        self.subscribers
            .get(&application)
            .is_some_and(|orgs| orgs.binary_search(&organization).is_ok())
    }

    #[inline(always)]
    fn application(&self, key: &str) -> Option<(u32, &ApplicationRec)> {
        let id = self.application_keys.id_of(key, &self.keys)?;
        Some((id, self.applications.get(id)?.as_ref()?))
    }

    /// Among users registered under one number or e-mail, the one first in id order, as the
    /// reference's scan in id order finds it.
    fn first_user(&self, users: Option<&Vec<u32>>) -> Option<u32> {
        users?
            .iter()
            .copied()
            .min_by(|a, b| self.user_names.name(*a).cmp(&self.user_names.name(*b)))
    }

    fn first_organization(&self, organizations: Option<&Vec<u32>>) -> Option<u32> {
        organizations?.iter().copied().min_by(|a, b| {
            self.organization_names
                .name(*a)
                .cmp(&self.organization_names.name(*b))
        })
    }

    /// `World::resolve_user` over the indexes.
    fn find_user(&self, name: &str, application: Option<&str>) -> Option<u32> {
        // Not through `find_subject`: a caller that needs only the id (a resource's owner
        // named in a request, say) has no use for the reads of the user's grants.
        self.user_names
            .get(name)
            .filter(|&user| self.user_exists(user))
            .or_else(|| self.find_other_user(name, application))
    }

    /// `find_user`, with the user's grants. A user named by their id (the usual case) has
    /// their grants in the entry of that name, found with the id.
    #[inline]
    fn find_subject(&self, name: &str, application: Option<&str>) -> Option<Subject<'_>> {
        self.find_hashed_subject(&self.user_names.hashed(name), application)
    }

    /// `find_subject` of a name hashed for the table of user names.
    #[inline(always)]
    fn find_hashed_subject(
        &self,
        name: &Hashed<&str>,
        application: Option<&str>,
    ) -> Option<Subject<'_>> {
        if let Some((user, grants)) = self.user_names.entry_hashed(name)
            && (grants.is_plain() || self.user_exists(user))
        {
            return Some(Subject::found(user, grants));
        }
        self.find_other_user(name.key(), application)
            .map(|user| self.subject(user))
    }

    /// A user with their grants, found from their id.
    fn subject(&self, user: u32) -> Subject<'_> {
        Subject::found(
            user,
            self.user_names
                .value(user)
                .unwrap_or_else(|| GrantList::empty()),
        )
    }

    /// `find_user` for a name that is not a registered user's id. Cold: a question names
    /// its user by id, and this path's code kept out of the check's leaves it shorter.
    #[cold]
    fn find_other_user(&self, name: &str, application: Option<&str>) -> Option<u32> {
        if let Some(application) = application
            && let Some(application) = self.keys.get(application)
            && let Some(user) = self.subject_ids.get(&application, name)
        {
            // A subject id linked to an unknown user names no one; the reference does not
            // try the other forms either.
            return self.user_exists(*user).then_some(*user);
        }
        if let Ok(number) = NationalNumber::parse(name) {
            return self.first_user(self.users_by_national_number.get(number.digits()));
        }
        if let Ok(email) = Email::parse(name) {
            return self.first_user(self.users_by_email.get(email.as_str()));
        }
        None
    }

    /// `World::resolve_organization` over the indexes.
    fn find_organization(&self, name: &str) -> Option<u32> {
        if let Some(organization) = self.organization_names.get(name)
            && self
                .organizations
                .get(organization)
                .is_some_and(|o| o.exists)
        {
            return Some(organization);
        }
        if let Ok(number) = EnterpriseNumber::parse(name) {
            return self
                .first_organization(self.organizations_by_enterprise_number.get(number.digits()));
        }
        self.first_organization(self.organizations_by_external_id.get(name))
    }

    pub(crate) fn place_of(&self, resource: &ResourceRec) -> Option<&Place> {
        self.place_ids.name(resource.place)
    }

    fn registered(&self, application: u32, resource_type: &str, id: &str) -> Option<&ResourceRec> {
        let resource_type = self.resource_types.id_of(resource_type, &self.keys)?;
        self.resources.get(&(application, resource_type), id)
    }

    /// `decision::resolve_resource` over the indexes.
    #[inline]
    fn resolve_target(
        &self,
        registered: Option<&ResourceRec>,
        application: &ApplicationRec,
        overrides: &ResourceOverrides,
    ) -> Option<Target> {
        if overrides.is_empty() {
            // The usual question: the registered resource says it all.
            let resource = registered?;
            let place = self.place_of(resource);
            return Some(Target {
                organization: place.map_or(application.owner, |p| p.organization),
                matter: place.and_then(|p| p.matter),
                category: place.and_then(|p| p.category),
                owner: resource.owner(),
            });
        }
        self.resolve_overridden_target(registered, application, overrides)
    }

    /// `resolve_target` for a question that names some of the resource's attributes
    /// itself: apart, so that the usual question's path stays a few instructions inlined.
    #[inline(never)]
    fn resolve_overridden_target(
        &self,
        registered: Option<&ResourceRec>,
        application: &ApplicationRec,
        overrides: &ResourceOverrides,
    ) -> Option<Target> {
        let place = registered.and_then(|resource| self.place_of(resource));
        let organization = match (&overrides.organization, place) {
            (Some(name), _) => self.find_organization(name)?,
            (None, Some(place)) => place.organization,
            (None, None) => application.owner,
        };
        // An override that is not a valid key counts as no value, as in the reference.
        let key = |text: &String| {
            Key::parse("resource", text)
                .is_ok()
                .then(|| self.keys.get_or_unseen(text.as_str()))
        };
        let matter = match &overrides.matter {
            Some(text) => key(text),
            None => place.and_then(|p| p.matter),
        };
        let category = match &overrides.category {
            Some(text) => key(text),
            None => place.and_then(|p| p.category),
        };
        let owner = match &overrides.owner {
            Some(name) => self.find_user(name, Some(application.key.as_str())),
            None => registered.and_then(ResourceRec::owner),
        };
        Some(Target {
            organization,
            matter,
            category,
            owner,
        })
    }

    /// The decision rule over resolved values: `decision::allow`, check for check.
    #[expect(
        clippy::too_many_arguments,
        reason = "the rule's own parameters, as in decision::allow"
    )]
    fn allow(
        &self,
        user: Subject<'_>,
        action: u32,
        application_id: u32,
        application: &ApplicationRec,
        target: &Target,
        level: Option<u8>,
        at: Timestamp,
    ) -> Decision {
        match self.permit::<CLOSEST_REASON>(
            user,
            action,
            application_id,
            application,
            target,
            level,
            at,
        ) {
            // Never: the closest reason is asked for, and with it the allowing grant's name.
            Ok(Permit::Allowed) => Decision::Deny(DenyReason::NoGrant),
            Ok(Permit::Organization(grant)) => Decision::Allow {
                grant: GrantId::new(grant.as_str()),
                via: Via::Organization,
            },
            Ok(Permit::ApplicationWide(grant)) => Decision::Allow {
                grant: GrantId::new(grant.as_str()),
                via: Via::ApplicationWide,
            },
            Ok(Permit::Mandate(grant, mandate)) => Decision::Allow {
                grant: GrantId::new(grant.as_str()),
                via: Via::Mandate(MandateId::new(&*mandate.id)),
            },
            Err(reason) => Decision::Deny(reason),
        }
    }

    /// `allow` without building the answer: the allowing grant (and how it reaches the
    /// resource) by reference, so that the hot path allocates nothing. `REASON` says what a
    /// denial carries: `CLOSEST_REASON`, the reference's choice among the grants' reasons;
    /// `ANY_REASON`, for the questions that need only yes or no (a check, the reverse
    /// searches), which lets the rule pass over the grants that cannot allow sooner.
    ///
    /// `action` is one of the application's permissions: every caller found it among them
    /// (by name in `resolve`, by id in the searches) and answered `unknown_action` itself
    /// otherwise, so the rule does not search for it again.
    #[expect(
        clippy::too_many_arguments,
        reason = "the rule's own parameters, as in decision::allow"
    )]
    #[inline(always)]
    fn permit<const REASON: bool>(
        &self,
        user: Subject<'_>,
        action: u32,
        application_id: u32,
        application: &ApplicationRec,
        target: &Target,
        level: Option<u8>,
        at: Timestamp,
    ) -> Result<Permit<'_>, DenyReason> {
        debug_assert!(application.has_permission(action));
        // A plain user exists and was never suspended: nothing to read in their record.
        let record = if user.grants.is_plain() {
            None
        } else {
            self.user(user.id)
        };
        if record.is_some_and(|r| r.is_suspended(application_id, at)) {
            return Err(DenyReason::UserSuspended);
        }
        let target_organization = self.organizations.get(target.organization);
        if target_organization.is_some_and(|o| o.suspended) {
            return Err(DenyReason::OrganizationSuspended);
        }
        if record.is_none() && !user.grants.is_plain() {
            return Err(DenyReason::NoGrant);
        }
        let session_rank = level.unwrap_or(0);
        let moment = Moment::of(at);
        // Looked up on first need: most decisions end before any mandate matters, and an
        // organisation that gave no mandate has none to look up.
        let mut mandates: Option<&[MandateRec]> =
            if target_organization.is_some_and(|o| o.mandates_given > 0) {
                None
            } else {
                Some(&[])
            };
        // A question that needs only yes or no, about a resource that no mandate reaches,
        // in an application whose roles all keep to their scope, can be allowed only by a
        // grant in the resource's organisation whose scope covers it, or by one that
        // reaches every subscriber: the grants the marks tell (`grants`), read alone.
        let scan = if REASON == ANY_REASON && mandates.is_some() && !application.has_unscoped_role {
            user.grants.candidates(&Reaching::of(
                target.organization,
                application_id,
                target.matter,
                target.category,
            ))
        } else {
            // Every grant is scanned (their reads started when the user was found).
            user.grants.all()
        };
        let mut best: Option<DenyReason> = None;
        for (index, grant) in scan {
            // The grant's id, read only when the grant allows and the caller wants it named:
            // it is in the user's record, which a check does not read. The writer keeps both
            // lists in step, so it is always there.
            let id = || {
                self.user(user.id)
                    .and_then(|record| record.grant_tags.get(index))
                    .map(|tag| &tag.id)
            };
            if grant.application != application_id || !self.in_force(user.id, index, grant, moment)
            {
                continue;
            }
            // Whether the grant can reach the resource's organisation at all, before any
            // other lookup: a user's grants are mostly elsewhere.
            let reaches = grant.organization == target.organization
                || grant.is_wide()
                || !mandates
                    .get_or_insert_with(|| {
                        self.mandates
                            .get(&(application_id, target.organization))
                            .map_or(&[][..], Vec::as_slice)
                    })
                    .is_empty();
            if !reaches {
                continue;
            }
            let Some(role) = application.role(grant.role) else {
                continue;
            };
            let grant_scope = if role.scoped {
                self.scope_view(grant)
            } else {
                ScopeView::All
            };
            // A grant whose scope leaves the resource out allows it by no way (a mandate's
            // scope only narrows), and the denial it would add, `outside_scope`, can change
            // the answer only while no denial as close is known: most of a user's grants
            // are for other categories, and this spares them the lookups below.
            if !grant_scope.covers(target.matter, target.category)
                && (REASON == ANY_REASON
                    || best.as_ref().is_some_and(|known| {
                        closeness(known) >= closeness(&DenyReason::OutsideScope)
                    }))
            {
                continue;
            }
            let holds_everywhere = role.permissions.binary_search(&action).is_ok();
            if !holds_everywhere && role.owned_permissions.binary_search(&action).is_err() {
                continue;
            }
            // The resource's organisation is known not to be suspended (checked above):
            // only a grant of another one has its organisation read.
            if grant.organization != target.organization
                && self.is_organization_suspended(grant.organization)
            {
                continue;
            }
            let rank = role.rank;
            // One way the grant reaches the resource's organisation, with the mandate's
            // scope when it goes through one: allowed, or the reason it is not.
            let judge = |extra_scope: Option<&ScopeRec>| -> Result<(), DenyReason> {
                let in_scope = grant_scope.covers(target.matter, target.category)
                    && extra_scope.is_none_or(|s| s.covers(target.matter, target.category));
                if !in_scope {
                    Err(DenyReason::OutsideScope)
                } else if !holds_everywhere && target.owner != Some(user.id) {
                    Err(DenyReason::NotOwner)
                } else if session_rank < rank {
                    Err(DenyReason::StepUp { rank })
                } else {
                    Ok(())
                }
            };
            if grant.organization == target.organization {
                match judge(None) {
                    Ok(()) if REASON == ANY_REASON => return Ok(Permit::Allowed),
                    Ok(()) => {
                        if let Some(id) = id() {
                            return Ok(Permit::Organization(id));
                        }
                    }
                    Err(reason) => best = Some(closer(best, reason)),
                }
            }
            if grant.is_wide()
                && grant.organization == application.owner
                && self.is_subscribed(target.organization, application_id)
            {
                match judge(None) {
                    Ok(()) if REASON == ANY_REASON => return Ok(Permit::Allowed),
                    Ok(()) => {
                        if let Some(id) = id() {
                            return Ok(Permit::ApplicationWide(id));
                        }
                    }
                    Err(reason) => best = Some(closer(best, reason)),
                }
            }
            let mandates = *mandates.get_or_insert_with(|| {
                self.mandates
                    .get(&(application_id, target.organization))
                    .map_or(&[][..], Vec::as_slice)
            });
            for mandate in mandates {
                if mandate.mandatary != grant.organization || !mandate.validity.contains(at) {
                    continue;
                }
                match judge(Some(&mandate.scope)) {
                    Ok(()) if REASON == ANY_REASON => return Ok(Permit::Allowed),
                    Ok(()) => {
                        if let Some(id) = id() {
                            return Ok(Permit::Mandate(id, mandate));
                        }
                    }
                    Err(reason) => best = Some(closer(best, reason)),
                }
            }
        }
        Err(best.unwrap_or(DenyReason::NoGrant))
    }

    /// Same answer as `habilis_domain::decision::evaluate` on the equivalent world. For
    /// Allow, any allowing grant may be named; a denial carries the same reason.
    pub fn evaluate(&self, question: &Question) -> Decision {
        self.decide(&Asked::of(question))
    }

    /// `evaluate` over borrowed names, as a server holds them after parsing a request.
    pub fn decide(&self, asked: &Asked<'_>) -> Decision {
        match self.resolve(asked) {
            Ok((user, action, application_id, application, target)) => self.allow(
                user,
                action,
                application_id,
                application,
                &target,
                asked.level,
                asked.at,
            ),
            Err(reason) => Decision::Deny(reason),
        }
    }

    /// `decide` without naming the allowing grant: allowed, or the reason for the denial.
    /// Allocates nothing: the hot path of the AuthZEN API.
    pub fn verdict(&self, asked: &Asked<'_>) -> Result<(), DenyReason> {
        let (user, action, application_id, application, target) = self.resolve(asked)?;
        self.permit::<CLOSEST_REASON>(
            user,
            action,
            application_id,
            application,
            &target,
            asked.level,
            asked.at,
        )
        .map(|_| ())
    }

    /// `verdict` of each question in turn, handed to `answer` with its index until `answer`
    /// breaks; `None` stands for an item the caller could not make a question of, and is
    /// handed back as `None`. The answers are `verdict`'s, one by one.
    ///
    /// Faster than one `verdict` after another at a million grants and resources, where a
    /// check waits on reads that miss every cache, each needing the one before: while
    /// deciding one question it starts the reads of the questions ahead (`prefetch`), each
    /// question's first reads (its resource's and user's slots) `2 * STRIDE` questions
    /// ahead, the next ones (the resource's place, the user's record and grants) `STRIDE`
    /// ahead, so that the processor waits for the reads of several questions at once, and
    /// the question it decides finds what it reads in the cache.
    pub fn verdicts(
        &self,
        asked: &[Option<Asked<'_>>],
        mut answer: impl FnMut(usize, Option<Result<(), DenyReason>>) -> ControlFlow<()>,
    ) {
        /// Questions between two stages of one question's reads: about the time one
        /// question's decision takes to cover a read from memory.
        const STRIDE: usize = 2;
        let mut ahead = Ahead {
            snapshot: self,
            part: None,
        };
        let question_at = |index: usize| asked.get(index).and_then(Option::as_ref);
        for question in asked.iter().take(2 * STRIDE).flatten() {
            ahead.entries(question);
        }
        for (index, question) in asked.iter().enumerate() {
            if let Some(question) = question_at(index + 2 * STRIDE) {
                ahead.entries(question);
            }
            if let Some(question) = question_at(index + STRIDE) {
                ahead.records(question);
            }
            let verdict = question.as_ref().map(|question| self.verdict(question));
            if answer(index, verdict).is_break() {
                break;
            }
        }
    }

    /// Whether `decide` would allow: for an application that needs only yes or no.
    pub fn check(&self, asked: &Asked<'_>) -> bool {
        self.resolve(asked)
            .is_ok_and(|(user, action, application_id, application, target)| {
                self.permit::<ANY_REASON>(
                    user,
                    action,
                    application_id,
                    application,
                    &target,
                    asked.level,
                    asked.at,
                )
                .is_ok()
            })
    }

    /// The names of a question resolved, in the reference's order of checks.
    fn resolve(
        &self,
        asked: &Asked<'_>,
    ) -> Result<(Subject<'_>, u32, u32, &ApplicationRec, Target), DenyReason> {
        // The user's slot is read first of all, before the names that need no memory are
        // resolved: the user's chain is the longer one (the slot, then the grants, both
        // from memory at a million grants), and while a check waits on the grants of one
        // question the processor can already start the slot of the next only if few
        // instructions stand between them.
        let subject = self.user_names.hashed(asked.subject);
        self.user_names.prefetch_hashed(&subject);
        let Some((application_id, application)) = self.application(asked.application) else {
            return Err(DenyReason::UnknownApplication);
        };
        // Both names are hashed, and the reads of both their slots started, before either
        // slot is probed: a probe branches on what its slot holds, and a branch the
        // processor guesses wrong while the slot is still on its way from memory would hold
        // back the other read until it arrives, one read after the other instead of both at
        // once.
        let part = self
            .resource_types
            .id_of(asked.resource_type, &self.keys)
            .map(|resource_type| (application_id, resource_type));
        let resource = part
            .as_ref()
            .map(|part| self.resources.hashed(part, asked.resource_id));
        if let Some(resource) = &resource {
            self.resources.prefetch_hashed(resource);
        }
        // The user first: their grants are one more read from memory away, and finding the
        // user starts those reads (`Subject::found`).
        let user = self.find_hashed_subject(&subject, Some(application.key.as_str()));
        let registered = resource.and_then(|resource| self.resources.get_hashed(&resource));
        // The read the resource's chain needs next, started as soon as its address is known
        // rather than when the rule gets to it: the resource's place.
        if let Some(place) = registered.and_then(|resource| self.place_of(resource)) {
            prefetch(place);
        }
        let Some(user) = user else {
            return Err(DenyReason::UnknownSubject);
        };
        let Some(action) = application.permission_named(asked.action) else {
            return Err(DenyReason::UnknownAction);
        };
        let Some(target) = self.resolve_target(registered, application, asked.overrides) else {
            return Err(DenyReason::UnknownResource);
        };
        Ok((user, action, application_id, application, target))
    }

    /// Registered resources of `resource_type` of `application` that `subject` may act on
    /// with `action`, sorted by id, each once; the ids are the snapshot's own (no copy per
    /// result). Unknown application, subject or action: empty.
    ///
    /// Candidates come from the places each of the subject's grants can reach (its own
    /// organisation, the subscribers for an application-wide grant, the mandators of its
    /// organisation) restricted to the (matter, category) pairs its scope covers; each
    /// candidate is then decided by `allow`.
    pub fn search_resources(
        &self,
        application: &str,
        subject: &str,
        action: &str,
        resource_type: &str,
        level: Option<u8>,
        at: Timestamp,
    ) -> Vec<&str> {
        let Some((application_id, app)) = self.application(application) else {
            return Vec::new();
        };
        let Some(subject) = self.find_subject(subject, Some(app.key.as_str())) else {
            return Vec::new();
        };
        let user = subject.id;
        let (Some(action), Some(resource_type)) =
            (self.keys.get(action), self.keys.get(resource_type))
        else {
            return Vec::new();
        };
        let Some(record) = self.user(user) else {
            return Vec::new();
        };
        if !app.has_permission(action) || record.is_suspended(application_id, at) {
            return Vec::new();
        }
        // The places the subject's grants can reach, each once.
        let mut places: Vec<Place> = Vec::new();
        let moment = Moment::of(at);
        for (position, grant) in subject.grants.as_slice().iter().enumerate() {
            if grant.application != application_id || !self.in_force(user, position, grant, moment)
            {
                continue;
            }
            let Some(role) = app.role(grant.role) else {
                continue;
            };
            let holds = role.permissions.binary_search(&action).is_ok()
                || role.owned_permissions.binary_search(&action).is_ok();
            if !holds {
                continue;
            }
            let scope = if role.scoped {
                self.scope_view(grant)
            } else {
                ScopeView::All
            };
            let application_wide = grant.is_wide() && grant.organization == app.owner;
            let organizations = std::iter::once(grant.organization)
                .chain(
                    // Only an application-wide grant reaches the subscribers; the test is on
                    // the list, not on each of its (possibly thousand) organisations.
                    self.subscribers
                        .get(&application_id)
                        .filter(|_| application_wide)
                        .into_iter()
                        .flatten()
                        .copied(),
                )
                .chain(
                    self.mandators
                        .get(&(application_id, grant.organization))
                        .into_iter()
                        .flatten()
                        .copied(),
                );
            for organization in organizations {
                let pairs = self
                    .places
                    .get(&(application_id, resource_type, organization))
                    .into_iter()
                    .flatten();
                for &(matter, category) in pairs {
                    if scope.covers(matter, category) {
                        places.push(Place {
                            application: application_id,
                            resource_type,
                            organization,
                            matter,
                            category,
                        });
                    }
                }
            }
        }
        places.sort_unstable_by_key(|p| (p.organization, p.matter, p.category));
        places.dedup();
        // The resources of one place differ only by owner, and owning a resource can only
        // allow more: when the rule allows a resource of the place that no one owns, it
        // allows them all; otherwise only those the subject owns may still be allowed. One
        // decision per place instead of one per resource.
        // Each id with its prefix, which decides most comparisons of the merge below.
        let mut found: Vec<(u64, &str)> = Vec::new();
        // Where each place's run of ids starts in `found`.
        let mut runs: Vec<usize> = Vec::with_capacity(places.len());
        for place in &places {
            runs.push(found.len());
            let listed = self
                .resources_by_place
                .get(place)
                .map_or(&[][..], Vec::as_slice);
            let unowned = Target {
                organization: place.organization,
                matter: place.matter,
                category: place.category,
                owner: None,
            };
            let allowed = |target: &Target| {
                self.permit::<ANY_REASON>(subject, action, application_id, app, target, level, at)
                    .is_ok()
            };
            if allowed(&unowned) {
                found.extend(
                    listed
                        .iter()
                        .map(|placed| (id_prefix(&placed.id), &*placed.id)),
                );
            } else {
                // The subject's own resources of the place: the same decision for each.
                let owned = Target {
                    owner: Some(user),
                    ..unowned
                };
                if listed.iter().any(|placed| placed.owner == user) && allowed(&owned) {
                    found.extend(
                        listed
                            .iter()
                            .filter(|placed| placed.owner == user)
                            .map(|placed| (id_prefix(&placed.id), &*placed.id)),
                    );
                }
            }
        }
        // Each place's list is sorted by id and no resource has two places: `found` is a few
        // sorted runs of distinct ids, merged instead of sorted from scratch (a general sort
        // sees no runs this short and compares every id about log2(n) times).
        merge_runs(found, runs)
            .into_iter()
            .map(|(_, id)| id)
            .collect()
    }

    /// Users who may act on the resource with `action`, sorted by id. Unknown application,
    /// resource or action: empty.
    ///
    /// Candidates are the holders of grants in the resource's organisation, in the
    /// application owner's organisation when the resource's organisation subscribes, and in
    /// its mandataries; each is then decided by `allow`.
    #[expect(
        clippy::too_many_arguments,
        reason = "the public question's own parameters"
    )]
    pub fn search_subjects(
        &self,
        application: &str,
        action: &str,
        resource_type: &str,
        resource_id: &str,
        overrides: &ResourceOverrides,
        level: Option<u8>,
        at: Timestamp,
    ) -> Vec<UserId> {
        let Some((application_id, app)) = self.application(application) else {
            return Vec::new();
        };
        let Some(action) = self.keys.get(action) else {
            return Vec::new();
        };
        let Some(target) = self.resolve_target(
            self.registered(application_id, resource_type, resource_id),
            app,
            overrides,
        ) else {
            return Vec::new();
        };
        if !app.has_permission(action) || self.is_organization_suspended(target.organization) {
            return Vec::new();
        }
        let holders = |organization: u32| {
            self.grant_holders
                .get(&(application_id, organization))
                .into_iter()
                .flatten()
                .copied()
        };
        let mut candidates: HashSet<u32> = holders(target.organization).collect();
        if self.is_subscribed(target.organization, application_id) {
            candidates.extend(holders(app.owner));
        }
        for mandate in self
            .mandates
            .get(&(application_id, target.organization))
            .into_iter()
            .flatten()
        {
            candidates.extend(holders(mandate.mandatary));
        }
        let mut found: Vec<UserId> = candidates
            .into_iter()
            .filter(|user| self.user_exists(*user))
            .filter(|user| {
                self.permit::<ANY_REASON>(
                    self.subject(*user),
                    action,
                    application_id,
                    app,
                    &target,
                    level,
                    at,
                )
                .is_ok()
            })
            .filter_map(|user| self.user_names.name(user))
            .map(|name| UserId::new(&**name))
            .collect();
        found.sort_unstable();
        found
    }

    /// Actions of the application that `subject` may take on the resource, sorted.
    /// Unknown application, subject or resource: empty.
    #[expect(
        clippy::too_many_arguments,
        reason = "the public question's own parameters"
    )]
    pub fn search_actions(
        &self,
        application: &str,
        subject: &str,
        resource_type: &str,
        resource_id: &str,
        overrides: &ResourceOverrides,
        level: Option<u8>,
        at: Timestamp,
    ) -> Vec<Key> {
        let Some((application_id, app)) = self.application(application) else {
            return Vec::new();
        };
        let Some(user) = self.find_subject(subject, Some(app.key.as_str())) else {
            return Vec::new();
        };
        let Some(target) = self.resolve_target(
            self.registered(application_id, resource_type, resource_id),
            app,
            overrides,
        ) else {
            return Vec::new();
        };
        app.permissions
            .iter()
            .filter(|(action, _)| {
                self.permit::<ANY_REASON>(user, *action, application_id, app, &target, level, at)
                    .is_ok()
            })
            .map(|(_, key)| key.clone())
            .collect()
    }

    /// What `subject` holds in `application` at `at`, for token enrichment: one entry per
    /// grant in force and per organisation it reaches by itself or through a mandate. A
    /// grant of the owner's organisation that reaches every subscriber is listed once, under
    /// the owner's organisation, with `reach: AllSubscribers`. A suspended user holds
    /// nothing; grants of an organisation that is suspended, or whose member the user no
    /// longer is, are left out, as are mandators that are suspended. Sorted by organisation,
    /// role and grant.
    pub fn entitlements(
        &self,
        application: &str,
        subject: &str,
        at: Timestamp,
    ) -> Vec<Entitlement> {
        let Some((application_id, app)) = self.application(application) else {
            return Vec::new();
        };
        let Some(subject) = self.find_subject(subject, Some(app.key.as_str())) else {
            return Vec::new();
        };
        let Some(record) = self.user(subject.id) else {
            return Vec::new();
        };
        if record.is_suspended(application_id, at) {
            return Vec::new();
        }
        let mut found = Vec::new();
        let moment = Moment::of(at);
        let grants = subject.grants.as_slice().iter().zip(&record.grant_tags);
        for (position, (grant, tag)) in grants.enumerate() {
            if grant.application != application_id
                || !self.in_force(subject.id, position, grant, moment)
                || self.is_organization_suspended(grant.organization)
            {
                continue;
            }
            let Some(role) = app.role(grant.role) else {
                continue;
            };
            let (Some(role_key), Some(scope)) = (
                self.key_of(grant.role),
                if role.scoped {
                    self.scope_of(self.scope_view(grant))
                } else {
                    Some(Scope::All)
                },
            ) else {
                continue;
            };
            let entry = |organization: u32, via: Via, mandate_scope: Option<Scope>| {
                let organization = self.organization_names.name(organization)?;
                Some(Entitlement {
                    organization: OrganizationId::new(&**organization),
                    role: role_key.clone(),
                    level: role.level.clone(),
                    scope: scope.clone(),
                    mandate_scope,
                    reach: grant.reach(),
                    via,
                    grant: GrantId::new(tag.id.as_str()),
                    valid_until: tag.validity.until(),
                })
            };
            found.extend(entry(grant.organization, Via::Organization, None));
            for &mandator in self
                .mandators
                .get(&(application_id, grant.organization))
                .into_iter()
                .flatten()
            {
                if self.is_organization_suspended(mandator) {
                    continue;
                }
                for mandate in self
                    .mandates
                    .get(&(application_id, mandator))
                    .into_iter()
                    .flatten()
                {
                    if mandate.mandatary != grant.organization || !mandate.validity.contains(at) {
                        continue;
                    }
                    found.extend(entry(
                        mandator,
                        Via::Mandate(MandateId::new(&*mandate.id)),
                        self.scope_of(mandate.scope.view()),
                    ));
                }
            }
        }
        found.sort_by(|a, b| {
            (a.organization.as_str(), a.role.as_str(), a.grant.as_str()).cmp(&(
                b.organization.as_str(),
                b.role.as_str(),
                b.grant.as_str(),
            ))
        });
        found.dedup();
        found
    }

    fn key_of(&self, id: u32) -> Option<Key> {
        Key::parse("key", self.keys.name(id)?).ok()
    }

    /// A scope over interned keys back as the domain's scope.
    fn scope_of(&self, scope: ScopeView<'_>) -> Option<Scope> {
        let matters = |matters: &[u32]| -> Option<Scope> {
            let keys = matters.iter().map(|m| self.key_of(*m));
            Some(Scope::Matters(keys.collect::<Option<_>>()?))
        };
        let categories = |pairs: &[(u32, u32)]| -> Option<Scope> {
            let keys = pairs
                .iter()
                .map(|(m, c)| Some((self.key_of(*m)?, self.key_of(*c)?)));
            Some(Scope::Categories(keys.collect::<Option<_>>()?))
        };
        match scope {
            ScopeView::All => Some(Scope::All),
            ScopeView::Matter(matter) => matters(&[matter]),
            ScopeView::Matters(list) => matters(list),
            ScopeView::Category(pair) => categories(&[pair]),
            ScopeView::Categories(list) => categories(list),
        }
    }

    /// The name an application knows a user by: a linked subject id if any (the first in
    /// order), else the Habilis id.
    pub fn subject_name(&self, user: &UserId, application: &str) -> String {
        let linked = self
            .user_names
            .get(user.as_str())
            .zip(self.keys.get(application))
            .and_then(|(user, application)| {
                self.user(user)?
                    .subject_ids
                    .iter()
                    .filter(|(a, _)| *a == application)
                    .map(|(_, subject)| subject)
                    .min()
            });
        linked.map_or_else(|| user.as_str().to_owned(), |subject| subject.to_string())
    }

    /// The enterprise number of an organisation, when it has one.
    pub fn enterprise_number(&self, organization: &OrganizationId) -> Option<String> {
        let id = self.organization_names.get(organization.as_str())?;
        let number = self.organizations.get(id)?.enterprise_number.as_deref()?;
        Some(number.to_owned())
    }

    /// The property names under which `application` passes resource attributes.
    pub fn resource_properties(&self, application: &str) -> Option<ResourceProperties> {
        self.application(application)
            .map(|(_, record)| record.resource_properties.clone())
    }

    /// Resolves a user named by Habilis id, national register number, e-mail, or a subject
    /// id linked for `application`, like `World::resolve_user`.
    pub fn resolve_user(&self, name: &str, application: Option<&str>) -> Option<UserId> {
        let user = self.find_user(name, application)?;
        self.user_names.name(user).map(|name| UserId::new(&**name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grant's short window says what its exact window says at every moment it answers
    /// for, and leaves no moment from 1970 to 2106 to the exact window.
    #[test]
    fn a_short_window_agrees_with_the_exact_one() {
        let max = i64::from(u32::MAX);
        let ends = [
            i64::MIN,
            -5_000_000_000,
            -1,
            0,
            1,
            1_700_000_000,
            max - 2,
            max - 1,
            max,
            max + 1,
            5_000_000_000,
            i64::MAX,
        ];
        let moments = ends
            .iter()
            .flat_map(|&t| [t.saturating_sub(1), t, t.saturating_add(1)]);
        for from in ends {
            for last in ends {
                let exact = Window { from, last };
                let short = ShortWindow::of(exact);
                for at in moments.clone() {
                    let moment = Moment::of(Timestamp(at));
                    match moment.short {
                        Some(seconds) => assert_eq!(
                            short.contains(seconds),
                            exact.contains(Timestamp(at)),
                            "[{from}, {last}] at {at}"
                        ),
                        None => assert!(!(0..max).contains(&at), "{at} left to the exact window"),
                    }
                }
            }
        }
        assert_eq!(Window::of(Validity::from(Timestamp(10))).until(), None);
    }
}
