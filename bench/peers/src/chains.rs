//! The bare `HashMap` chains, replicated line for line from `habilis bench`
//! (`crates/habilis/src/bench/baseline.rs`), so that the least work any system must do is
//! measured in the same process, with the same allocator and timer, as the peers.
//! Keep the two in step.

use std::collections::HashMap;

use crate::workload::{Action, Workload};

/// Numeric ids: dossier → (organisation, category) → the user's roles there, as bits.
pub struct NumericChain {
    dossiers: HashMap<u32, (u32, u8)>,
    roles: HashMap<(u32, u32, u8), u8>,
    places: HashMap<u32, Vec<(u32, u8, u8)>>,
    by_place: HashMap<(u32, u8), Vec<u32>>,
}

impl NumericChain {
    pub fn build(workload: &Workload) -> anyhow::Result<NumericChain> {
        let mut dossiers = HashMap::with_capacity(workload.dossiers.len());
        let mut by_place: HashMap<(u32, u8), Vec<u32>> = HashMap::new();
        for (index, d) in workload.dossiers.iter().enumerate() {
            let index = u32::try_from(index)?;
            dossiers.insert(index, (d.organization, d.category));
            by_place
                .entry((d.organization, d.category))
                .or_default()
                .push(index);
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
        Ok(NumericChain {
            dossiers,
            roles,
            places,
            by_place,
        })
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
    pub fn build(workload: &Workload) -> anyhow::Result<StringChain> {
        let numbered = |names: &[String]| -> anyhow::Result<HashMap<String, u32>> {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| Ok((n.clone(), u32::try_from(i)?)))
                .collect()
        };
        Ok(StringChain {
            users: numbered(&workload.user_names)?,
            dossiers: numbered(&workload.dossier_names)?,
            chain: NumericChain::build(workload)?,
        })
    }

    pub fn check(&self, user: &str, action: &str, dossier: &str, level: u8) -> bool {
        let action = match action {
            "read" => Action::Read,
            "validate" => Action::Validate,
            _ => return false,
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
