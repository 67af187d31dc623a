//! The bare `HashMap` chains of BENCH.md: the least work any system must do to answer the
//! workload's questions, measured in the same run as Habilis so that ratios mean something.
//! Not an authorization system: no memberships, suspensions, validity or reasons.

use std::collections::HashMap;
use std::hash::BuildHasher as _;

use compact_str::CompactString;

use super::workload::{Action, Workload, u32_of, usize_of};

/// Numeric ids: dossier → (organisation, category) → the user's roles there, as bits.
pub struct NumericChain {
    dossiers: HashMap<u32, (u32, u8)>,
    roles: HashMap<(u32, u32, u8), u8>,
    places: HashMap<u32, Vec<(u32, u8, u8)>>,
    by_place: HashMap<(u32, u8), Vec<u32>>,
}

impl NumericChain {
    pub fn build(workload: &Workload) -> NumericChain {
        let mut dossiers = HashMap::with_capacity(workload.dossiers.len());
        let mut by_place: HashMap<(u32, u8), Vec<u32>> = HashMap::new();
        for (index, d) in workload.dossiers.iter().enumerate() {
            dossiers.insert(u32_of(index), (d.organization, d.category));
            by_place
                .entry((d.organization, d.category))
                .or_default()
                .push(u32_of(index));
        }
        let mut roles: HashMap<(u32, u32, u8), u8> = HashMap::with_capacity(workload.grants.len());
        let mut places: HashMap<u32, Vec<(u32, u8, u8)>> = HashMap::new();
        for g in &workload.grants {
            *roles
                .entry((g.user, g.organization, g.category))
                .or_default() |= g.role.bit();
            places
                .entry(g.user)
                .or_default()
                .push((g.organization, g.category, g.role.bit()));
        }
        NumericChain {
            dossiers,
            roles,
            places,
            by_place,
        }
    }

    pub fn check(&self, user: u32, action: Action, dossier: u32, level: u8) -> bool {
        let Some(&(organization, category)) = self.dossiers.get(&dossier) else {
            return false;
        };
        self.roles
            .get(&(user, organization, category))
            .is_some_and(|bits| bits & action.allowing_roles(level) != 0)
    }

    /// The dossiers `user` may read at `level`.
    pub fn lookup(&self, user: u32, level: u8) -> Vec<u32> {
        let allowing = Action::Read.allowing_roles(level);
        let mut found = Vec::new();
        let mut seen: Vec<(u32, u8)> = Vec::new();
        for &(organization, category, bit) in self.places.get(&user).into_iter().flatten() {
            if bit & allowing == 0 || seen.contains(&(organization, category)) {
                continue;
            }
            seen.push((organization, category));
            found.extend(
                self.by_place
                    .get(&(organization, category))
                    .into_iter()
                    .flatten(),
            );
        }
        found
    }
}

/// The same chain behind string ids, as a server receives them: resolve the user and the
/// dossier by name first.
pub struct StringChain {
    users: HashMap<String, u32>,
    dossiers: HashMap<String, u32>,
    chain: NumericChain,
}

impl StringChain {
    pub fn build(workload: &Workload) -> StringChain {
        let numbered = |names: &[String]| -> HashMap<String, u32> {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), u32_of(i)))
                .collect()
        };
        StringChain {
            users: numbered(&workload.user_names),
            dossiers: numbered(&workload.dossier_names),
            chain: NumericChain::build(workload),
        }
    }

    pub fn check(&self, user: &str, action: &str, dossier: &str, level: u8) -> bool {
        let Some(action) = Action::parse(action) else {
            return false;
        };
        match (self.users.get(user), self.dossiers.get(dossier)) {
            (Some(&user), Some(&dossier)) => self.chain.check(user, action, dossier, level),
            _ => false,
        }
    }

    pub fn lookup(&self, user: &str, level: u8) -> usize {
        self.users
            .get(user)
            .map_or(0, |&user| self.chain.lookup(user, level).len())
    }
}

/// The same work as `StringChain` with the fewest reads to memory string ids allow: each
/// name kept in its table's slot (open addressing, linear probing, so a lookup hashes and
/// reads one place, where it compares the name), a user's slot giving the run of their
/// grants in one shared list (8 bytes a grant), a dossier's slot its place. Not an
/// authorization system either: it bounds what a layout can bring to a check by string
/// ids, where `NumericChain` bounds what numbers can.
pub struct LeanChain {
    users: SlotIndex<(u32, u32)>,
    dossiers: SlotIndex<(u32, u8)>,
    /// (organisation, category, role bit), each user's grants in one run.
    grants: Vec<(u32, u8, u8)>,
}

/// Names in the slots of one table, at most three in four slots filled.
struct SlotIndex<V> {
    slots: Vec<Option<(CompactString, V)>>,
    hasher: foldhash::fast::FixedState,
}

impl<V: Copy> SlotIndex<V> {
    fn with_capacity(entries: usize) -> SlotIndex<V> {
        let count = (entries.saturating_mul(4) / 3 + 1).next_power_of_two();
        SlotIndex {
            slots: vec![None; count],
            hasher: foldhash::fast::FixedState::with_seed(42),
        }
    }

    /// The slot `name` is in, or the empty one where it would go.
    fn position(&self, name: &str) -> usize {
        let mask = self.slots.len().saturating_sub(1);
        let mut index = self.hasher.hash_one(name) as usize & mask;
        // Bounded by the slot count; an empty slot ends the probe first.
        for _ in 0..self.slots.len() {
            match self.slots.get(index) {
                Some(Some((held, _))) if held.as_str() != name => index = (index + 1) & mask,
                _ => break,
            }
        }
        index
    }

    fn insert(&mut self, name: &str, value: V) {
        let index = self.position(name);
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Some((CompactString::from(name), value));
        }
    }

    fn get(&self, name: &str) -> Option<V> {
        match self.slots.get(self.position(name))? {
            Some((held, value)) if held.as_str() == name => Some(*value),
            _ => None,
        }
    }
}

impl LeanChain {
    pub fn build(workload: &Workload) -> LeanChain {
        let mut by_user: Vec<Vec<(u32, u8, u8)>> = vec![Vec::new(); workload.user_names.len()];
        for g in &workload.grants {
            if let Some(list) = by_user.get_mut(usize_of(g.user)) {
                list.push((g.organization, g.category, g.role.bit()));
            }
        }
        let mut users = SlotIndex::with_capacity(workload.user_names.len());
        let mut grants = Vec::with_capacity(workload.grants.len());
        for (name, list) in workload.user_names.iter().zip(&by_user) {
            users.insert(name, (u32_of(grants.len()), u32_of(list.len())));
            grants.extend_from_slice(list);
        }
        let mut dossiers = SlotIndex::with_capacity(workload.dossiers.len());
        for (name, d) in workload.dossier_names.iter().zip(&workload.dossiers) {
            dossiers.insert(name, (d.organization, d.category));
        }
        LeanChain {
            users,
            dossiers,
            grants,
        }
    }

    pub fn check(&self, user: &str, action: &str, dossier: &str, level: u8) -> bool {
        let Some(action) = Action::parse(action) else {
            return false;
        };
        let (Some((first, count)), Some((organization, category))) =
            (self.users.get(user), self.dossiers.get(dossier))
        else {
            return false;
        };
        let allowing = action.allowing_roles(level);
        let (first, count) = (usize_of(first), usize_of(count));
        self.grants
            .get(first..first + count)
            .into_iter()
            .flatten()
            .any(|&(o, c, bit)| o == organization && c == category && bit & allowing != 0)
    }
}
