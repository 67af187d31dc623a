//! The benchmark workload of BENCH.md: generated from SplitMix64 with seed 42, written to and
//! read from its CSV files, with the expected answers of a plain reference evaluator.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context as _, bail};

/// The random numbers of BENCH.md, so that the data depends on no crate's generator.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        // `n` fits in u64 and the remainder is below `n`, so it fits back in usize.
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

pub const SEED: u64 = 42;
pub const CATEGORIES: usize = 20;
pub const CATEGORIES_PER_MATTER: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Reader,
    Editor,
    Validator,
    Submitter,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Reader, Role::Editor, Role::Validator, Role::Submitter];

    pub fn name(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Editor => "editor",
            Role::Validator => "validator",
            Role::Submitter => "submitter",
        }
    }

    fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == text)
    }

    /// The security level the role needs: 2 ("high") for a validator, else 1 ("low").
    pub fn level(self) -> u8 {
        if self == Role::Validator { 2 } else { 1 }
    }

    /// Weights 40 / 30 / 15 / 15.
    fn draw(rng: &mut SplitMix64) -> Role {
        match rng.below(100) {
            0..40 => Role::Reader,
            40..70 => Role::Editor,
            70..85 => Role::Validator,
            _ => Role::Submitter,
        }
    }

    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Read,
    Validate,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Validate => "validate",
        }
    }

    /// The action named `text`, as a request or `queries.csv` names it.
    pub fn parse(text: &str) -> Option<Action> {
        [Action::Read, Action::Validate]
            .into_iter()
            .find(|a| a.name() == text)
    }

    /// The role bits that allow this action at this session level.
    pub fn allowing_roles(self, level: u8) -> u8 {
        Role::ALL
            .into_iter()
            .filter(|role| role.level() <= level)
            .filter(|role| self == Action::Read || *role == Role::Validator)
            .fold(0, |bits, role| bits | role.bit())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Grant {
    pub user: u32,
    pub organization: u32,
    pub category: u8,
    pub role: Role,
}

#[derive(Clone, Copy, Debug)]
pub struct Dossier {
    pub organization: u32,
    pub category: u8,
}

#[derive(Clone, Copy, Debug)]
pub struct Query {
    pub user: u32,
    pub action: Action,
    pub dossier: u32,
    pub level: u8,
    pub expected: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct Lookup {
    pub user: u32,
    pub level: u8,
    pub expected_count: usize,
}

#[derive(Clone, Copy, Debug)]
pub struct Preset {
    pub name: &'static str,
    pub organizations: usize,
    pub users: usize,
    pub grants: usize,
    pub dossiers: usize,
    pub queries: usize,
    pub lookups: usize,
}

pub const PRESETS: [Preset; 4] = [
    Preset {
        name: "tiny",
        organizations: 10,
        users: 200,
        grants: 2_000,
        dossiers: 2_000,
        queries: 2_000,
        lookups: 20,
    },
    Preset {
        name: "small",
        organizations: 100,
        users: 10_000,
        grants: 100_000,
        dossiers: 100_000,
        queries: 20_000,
        lookups: 100,
    },
    Preset {
        name: "medium",
        organizations: 300,
        users: 30_000,
        grants: 300_000,
        dossiers: 300_000,
        queries: 20_000,
        lookups: 100,
    },
    Preset {
        name: "full",
        organizations: 1_000,
        users: 100_000,
        grants: 1_000_000,
        dossiers: 1_000_000,
        queries: 20_000,
        lookups: 100,
    },
];

pub fn preset(name: &str) -> anyhow::Result<Preset> {
    PRESETS
        .into_iter()
        .find(|p| p.name == name)
        .with_context(|| format!("unknown preset `{name}` (tiny, small, medium, full)"))
}

/// A workload over dense numbers; `*_names` give each number its id in the files.
pub struct Workload {
    pub preset: String,
    pub organization_names: Vec<String>,
    pub user_names: Vec<String>,
    pub dossier_names: Vec<String>,
    pub category_names: Vec<String>,
    pub grants: Vec<Grant>,
    pub dossiers: Vec<Dossier>,
    pub queries: Vec<Query>,
    pub lookups: Vec<Lookup>,
    /// What `read` allocated and no one needs any more, held rather than freed.
    _kept: Option<Kept>,
}

#[expect(dead_code, reason = "held only so that its memory is not reused")]
struct Kept {
    texts: [String; 4],
    numbers: [HashMap<String, u32>; 4],
}

impl Workload {
    /// Each query's user and dossier names in its own copy, laid out in query order, as
    /// requests carry them: a timed check by string ids reads its question where the
    /// previous one ended, not through the tables of every name (at the full preset a
    /// random read into a million dossier names, then into the name itself), reads no
    /// server makes and a check by numbers never pays. Every system that takes names is
    /// timed on these, Habilis and the peers alike.
    pub fn carried_names(&self) -> Vec<(String, String)> {
        self.queries
            .iter()
            .map(|q| {
                (
                    name_of(&self.user_names, q.user).to_owned(),
                    name_of(&self.dossier_names, q.dossier).to_owned(),
                )
            })
            .collect()
    }

    /// The subject-matter of a category: 5 matters of 4 categories, in category order.
    pub fn matter_of(category: u8) -> usize {
        usize::from(category) / CATEGORIES_PER_MATTER
    }

    pub fn generate(preset: &Preset) -> Workload {
        let mut rng = SplitMix64::new(SEED);
        let memberships: Vec<Vec<u32>> = (0..preset.users)
            .map(|_| {
                let count = 1 + rng.below(3);
                let mut organizations: Vec<u32> = Vec::with_capacity(count);
                while organizations.len() < count.min(preset.organizations) {
                    let organization = u32_of(rng.below(preset.organizations));
                    if !organizations.contains(&organization) {
                        organizations.push(organization);
                    }
                }
                organizations
            })
            .collect();
        let capacity = memberships.iter().map(Vec::len).sum::<usize>() * CATEGORIES * 4;
        let wanted = preset.grants.min(capacity);
        let mut seen: HashSet<Grant> = HashSet::with_capacity(wanted);
        let mut grants = Vec::with_capacity(wanted);
        while grants.len() < wanted {
            let user = rng.below(preset.users);
            let organizations = memberships.get(user).map_or(&[][..], Vec::as_slice);
            let Some(&organization) = organizations.get(rng.below(organizations.len())) else {
                continue;
            };
            let grant = Grant {
                user: u32_of(user),
                organization,
                category: u8_of(rng.below(CATEGORIES)),
                role: Role::draw(&mut rng),
            };
            if seen.insert(grant) {
                grants.push(grant);
            }
        }
        let dossiers: Vec<Dossier> = (0..preset.dossiers)
            .map(|_| Dossier {
                organization: u32_of(rng.below(preset.organizations)),
                category: u8_of(rng.below(CATEGORIES)),
            })
            .collect();
        let mut workload = Workload {
            preset: preset.name.to_owned(),
            organization_names: (0..preset.organizations).map(|i| format!("o{i}")).collect(),
            user_names: (0..preset.users).map(|i| format!("u{i}")).collect(),
            dossier_names: (0..preset.dossiers).map(|i| format!("d{i}")).collect(),
            category_names: (0..CATEGORIES).map(|i| format!("c{i}")).collect(),
            grants,
            dossiers,
            queries: Vec::new(),
            lookups: Vec::new(),
            _kept: None,
        };
        let reference = Reference::new(&workload);
        let mut by_place: HashMap<(u32, u8), Vec<u32>> = HashMap::new();
        let mut by_organization: HashMap<u32, Vec<u32>> = HashMap::new();
        for (index, dossier) in workload.dossiers.iter().enumerate() {
            let index = u32_of(index);
            by_place
                .entry((dossier.organization, dossier.category))
                .or_default()
                .push(index);
            by_organization
                .entry(dossier.organization)
                .or_default()
                .push(index);
        }
        let users_with_grants: Vec<u32> = reference.by_user.keys().copied().collect::<Vec<_>>();
        let mut users_with_grants = users_with_grants;
        users_with_grants.sort_unstable();
        let pick = |rng: &mut SplitMix64, list: &[u32]| list.get(rng.below(list.len())).copied();
        while workload.queries.len() < preset.queries && !users_with_grants.is_empty() {
            let Some(user) = pick(&mut rng, &users_with_grants) else {
                break;
            };
            let own = reference.by_user.get(&user).map_or(&[][..], Vec::as_slice);
            let (organization, category) = if rng.chance(50) {
                // Inside the scope of one of the user's grants.
                let Some(grant) = own.get(rng.below(own.len())) else {
                    continue;
                };
                (grant.organization, grant.category)
            } else {
                // One of the user's organisations, a random category.
                let organizations = memberships
                    .get(usize_of(user))
                    .map_or(&[][..], Vec::as_slice);
                let Some(&organization) = organizations.get(rng.below(organizations.len())) else {
                    continue;
                };
                (organization, u8_of(rng.below(CATEGORIES)))
            };
            let dossier = match by_place.get(&(organization, category)) {
                Some(list) => pick(&mut rng, list),
                None => by_organization
                    .get(&organization)
                    .and_then(|list| pick(&mut rng, list)),
            };
            let Some(dossier) = dossier else {
                continue;
            };
            let action = if rng.chance(75) {
                Action::Read
            } else {
                Action::Validate
            };
            let level = if rng.chance(60) { 2 } else { 1 };
            let mut query = Query {
                user,
                action,
                dossier,
                level,
                expected: false,
            };
            query.expected = reference.check(&workload, &query);
            workload.queries.push(query);
        }
        let mut looked: Vec<u32> = Vec::new();
        for query in &workload.queries {
            if looked.len() >= preset.lookups {
                break;
            }
            if !looked.contains(&query.user) {
                looked.push(query.user);
            }
        }
        workload.lookups = looked
            .into_iter()
            .map(|user| Lookup {
                user,
                level: 2,
                expected_count: reference.lookup(&workload, user, 2).len(),
            })
            .collect();
        workload
    }

    pub fn write(&self, directory: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(directory)
            .with_context(|| format!("cannot create {}", directory.display()))?;
        let name = |names: &[String], index: usize| names.get(index).cloned().unwrap_or_default();
        let mut text = String::from("user,org,category,role\n");
        for g in &self.grants {
            let _ = writeln!(
                text,
                "{},{},{},{}",
                name(&self.user_names, usize_of(g.user)),
                name(&self.organization_names, usize_of(g.organization)),
                name(&self.category_names, usize::from(g.category)),
                g.role.name()
            );
        }
        write_file(directory, "grants.csv", &text)?;
        let mut text = String::from("dossier,org,category\n");
        for (index, d) in self.dossiers.iter().enumerate() {
            let _ = writeln!(
                text,
                "{},{},{}",
                name(&self.dossier_names, index),
                name(&self.organization_names, usize_of(d.organization)),
                name(&self.category_names, usize::from(d.category))
            );
        }
        write_file(directory, "dossiers.csv", &text)?;
        let mut text = String::from("user,action,dossier,level,expected\n");
        for q in &self.queries {
            let _ = writeln!(
                text,
                "{},{},{},{},{}",
                name(&self.user_names, usize_of(q.user)),
                q.action.name(),
                name(&self.dossier_names, usize_of(q.dossier)),
                q.level,
                q.expected
            );
        }
        write_file(directory, "queries.csv", &text)?;
        let mut text = String::from("user,level,expected_count\n");
        for l in &self.lookups {
            let _ = writeln!(
                text,
                "{},{},{}",
                name(&self.user_names, usize_of(l.user)),
                l.level,
                l.expected_count
            );
        }
        write_file(directory, "lookups.csv", &text)?;
        let meta = serde_json::json!({
            "preset": self.preset,
            "seed": SEED,
            "organizations": self.organization_names.len(),
            "users": self.user_names.len(),
            "grants": self.grants.len(),
            "dossiers": self.dossiers.len(),
            "queries": self.queries.len(),
            "lookups": self.lookups.len(),
        });
        write_file(
            directory,
            "meta.json",
            &serde_json::to_string_pretty(&meta)?,
        )
    }

    /// Reads a directory of workload files made by anyone: ids are any strings, numbered in
    /// order of appearance; the first 20 distinct categories are the taxonomy's.
    ///
    /// Nothing large is freed on the way (no lists of rows, vectors sized from the line
    /// counts, the file texts and name tables kept in the workload): freed memory would be
    /// reused by what is built next and hide from its resident-memory figure.
    pub fn read(directory: &Path) -> anyhow::Result<Workload> {
        let meta: serde_json::Value =
            serde_json::from_str(&read_file(directory, "meta.json")?).context("meta.json")?;
        let grants_text = read_file(directory, "grants.csv")?;
        let dossiers_text = read_file(directory, "dossiers.csv")?;
        let queries_text = read_file(directory, "queries.csv")?;
        let lookups_text = read_file(directory, "lookups.csv")?;
        let lines = |text: &str| text.lines().count();
        let mut organizations = Names::default();
        let mut users = Names::with_capacity(lines(&grants_text) + lines(&queries_text));
        let mut dossier_names = Names::with_capacity(lines(&dossiers_text));
        let mut categories = Names::default();
        let mut grants = Vec::with_capacity(lines(&grants_text));
        for row in rows(&grants_text, "grants.csv") {
            let (line, [user, organization, category, role]) = row?;
            let Some(role) = Role::parse(role) else {
                bail!("grants.csv line {line}: unknown role `{role}`");
            };
            grants.push(Grant {
                user: users.number(user),
                organization: organizations.number(organization),
                category: category_number(&mut categories, category, line)?,
                role,
            });
        }
        let mut dossiers = Vec::with_capacity(lines(&dossiers_text));
        for row in rows(&dossiers_text, "dossiers.csv") {
            let (line, [dossier, organization, category]) = row?;
            if usize_of(dossier_names.number(dossier)) != dossiers.len() {
                bail!("dossiers.csv line {line}: dossier `{dossier}` appears twice");
            }
            dossiers.push(Dossier {
                organization: organizations.number(organization),
                category: category_number(&mut categories, category, line)?,
            });
        }
        let mut queries = Vec::with_capacity(lines(&queries_text));
        for row in rows(&queries_text, "queries.csv") {
            let (line, [user, action, dossier, level, expected]) = row?;
            let Some(action) = Action::parse(action) else {
                bail!("queries.csv line {line}: unknown action `{action}`");
            };
            let Some(dossier) = dossier_names.get(dossier) else {
                bail!("queries.csv line {line}: unknown dossier `{dossier}`");
            };
            queries.push(Query {
                user: users.number(user),
                action,
                dossier,
                level: level
                    .parse()
                    .with_context(|| format!("queries.csv line {line}: level"))?,
                expected: expected
                    .parse()
                    .with_context(|| format!("queries.csv line {line}: expected"))?,
            });
        }
        let mut lookups = Vec::with_capacity(lines(&lookups_text));
        for row in rows(&lookups_text, "lookups.csv") {
            let (line, [user, level, count]) = row?;
            lookups.push(Lookup {
                user: users.number(user),
                level: level
                    .parse()
                    .with_context(|| format!("lookups.csv line {line}: level"))?,
                expected_count: count
                    .parse()
                    .with_context(|| format!("lookups.csv line {line}: expected_count"))?,
            });
        }
        Ok(Workload {
            preset: meta
                .get("preset")
                .and_then(|p| p.as_str())
                .unwrap_or("custom")
                .to_owned(),
            organization_names: organizations.names,
            user_names: users.names,
            dossier_names: dossier_names.names,
            category_names: categories.names,
            grants,
            dossiers,
            queries,
            lookups,
            _kept: Some(Kept {
                texts: [grants_text, dossiers_text, queries_text, lookups_text],
                numbers: [
                    organizations.numbers,
                    users.numbers,
                    dossier_names.numbers,
                    categories.numbers,
                ],
            }),
        })
    }
}

/// The plain reference evaluator: the rule of BENCH.md over the grants grouped by user.
pub struct Reference {
    pub by_user: HashMap<u32, Vec<Grant>>,
}

impl Reference {
    pub fn new(workload: &Workload) -> Reference {
        let mut by_user: HashMap<u32, Vec<Grant>> = HashMap::new();
        for grant in &workload.grants {
            by_user.entry(grant.user).or_default().push(*grant);
        }
        Reference { by_user }
    }

    pub fn check(&self, workload: &Workload, query: &Query) -> bool {
        let Some(dossier) = workload.dossiers.get(usize_of(query.dossier)) else {
            return false;
        };
        self.by_user.get(&query.user).is_some_and(|grants| {
            grants.iter().any(|g| {
                g.organization == dossier.organization
                    && g.category == dossier.category
                    && g.role.level() <= query.level
                    && (query.action == Action::Read || g.role == Role::Validator)
            })
        })
    }

    /// The dossiers `user` may read at `level`.
    pub fn lookup(&self, workload: &Workload, user: u32, level: u8) -> Vec<u32> {
        let places: HashSet<(u32, u8)> = self
            .by_user
            .get(&user)
            .into_iter()
            .flatten()
            .filter(|g| g.role.level() <= level)
            .map(|g| (g.organization, g.category))
            .collect();
        workload
            .dossiers
            .iter()
            .enumerate()
            .filter(|(_, d)| places.contains(&(d.organization, d.category)))
            .map(|(index, _)| u32_of(index))
            .collect()
    }
}

#[derive(Default)]
struct Names {
    names: Vec<String>,
    numbers: HashMap<String, u32>,
}

impl Names {
    fn with_capacity(capacity: usize) -> Names {
        Names {
            names: Vec::with_capacity(capacity),
            numbers: HashMap::with_capacity(capacity),
        }
    }

    fn number(&mut self, name: &str) -> u32 {
        if let Some(number) = self.numbers.get(name) {
            return *number;
        }
        let number = u32_of(self.names.len());
        self.names.push(name.to_owned());
        self.numbers.insert(name.to_owned(), number);
        number
    }

    fn get(&self, name: &str) -> Option<u32> {
        self.numbers.get(name).copied()
    }
}

fn category_number(categories: &mut Names, name: &str, line: usize) -> anyhow::Result<u8> {
    let number = categories.number(name);
    if usize_of(number) >= CATEGORIES {
        bail!("line {line}: more than {CATEGORIES} categories (`{name}`)");
    }
    Ok(u8_of(usize_of(number)))
}

/// The data rows of a CSV file without quoting (ids are plain words), with line numbers, one
/// at a time: no list of rows is built and freed on the way.
fn rows<'a, const N: usize>(
    text: &'a str,
    file: &'a str,
) -> impl Iterator<Item = anyhow::Result<(usize, [&'a str; N])>> + 'a {
    text.lines()
        .enumerate()
        .skip(1)
        .filter(|(_, line)| !line.trim().is_empty())
        .map(move |(index, line)| {
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            match <[&str; N]>::try_from(fields) {
                Ok(row) => Ok((index + 1, row)),
                Err(_) => bail!("{file} line {}: expected {N} columns", index + 1),
            }
        })
}

fn write_file(directory: &Path, name: &str, text: &str) -> anyhow::Result<()> {
    let path = directory.join(name);
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn read_file(directory: &Path, name: &str) -> anyhow::Result<String> {
    let path = directory.join(name);
    std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
}

/// Workload numbers are below the preset sizes, far from `u32::MAX`.
pub fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub fn u8_of(n: usize) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

pub fn usize_of(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The name numbered `number` in `names` (numbers are handed out in order); "" for none.
pub fn name_of(names: &[String], number: u32) -> &str {
    names.get(usize_of(number)).map_or("", String::as_str)
}
