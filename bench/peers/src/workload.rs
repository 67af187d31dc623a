//! The workload files of BENCH.md (`habilis bench --export DIR`), read the way `habilis bench
//! --workload DIR` reads them: ids are any strings, numbered in order of appearance, so that
//! the numeric chain here sees the same numbers as the one inside `habilis bench`.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context as _, bail};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

#[derive(Clone, Copy, Debug)]
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

/// A workload over dense numbers; `*_names` give each number its id in the files.
pub struct Workload {
    pub preset: String,
    pub seed: Option<u64>,
    pub organization_names: Vec<String>,
    pub user_names: Vec<String>,
    pub dossier_names: Vec<String>,
    pub category_names: Vec<String>,
    pub grants: Vec<Grant>,
    pub dossiers: Vec<Dossier>,
    pub queries: Vec<Query>,
    pub lookups: Vec<Lookup>,
    _kept: Kept,
}

/// What reading the files allocated and no one needs any more, held rather than freed (see
/// `Workload::read`).
#[expect(dead_code, reason = "held only so that their memory is not reused")]
struct Kept {
    texts: [String; 4],
    numbers: [HashMap<String, u32>; 4],
}

impl Workload {
    /// Reads the files so that nothing large is freed on the way (no intermediate lists, no
    /// growing vectors, the file texts kept): freed memory would be reused by the system
    /// built next and hide from its resident-memory figure.
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
        let header = ["user", "org", "category", "role"];
        for row in rows(&grants_text, "grants.csv", header)? {
            let (line, [user, organization, category, role]) = row?;
            let Some(role) = Role::parse(role) else {
                bail!("grants.csv line {line}: unknown role `{role}`");
            };
            grants.push(Grant {
                user: users.number(user)?,
                organization: organizations.number(organization)?,
                category: category_number(&mut categories, category, line)?,
                role,
            });
        }

        let mut dossiers = Vec::with_capacity(lines(&dossiers_text));
        let header = ["dossier", "org", "category"];
        for row in rows(&dossiers_text, "dossiers.csv", header)? {
            let (line, [dossier, organization, category]) = row?;
            if index_of(dossier_names.number(dossier)?) != dossiers.len() {
                bail!("dossiers.csv line {line}: dossier `{dossier}` appears twice");
            }
            dossiers.push(Dossier {
                organization: organizations.number(organization)?,
                category: category_number(&mut categories, category, line)?,
            });
        }

        let mut queries = Vec::with_capacity(lines(&queries_text));
        let header = ["user", "action", "dossier", "level", "expected"];
        for row in rows(&queries_text, "queries.csv", header)? {
            let (line, [user, action, dossier, level, expected]) = row?;
            let Some(action) = Action::parse(action) else {
                bail!("queries.csv line {line}: unknown action `{action}`");
            };
            let Some(dossier) = dossier_names.get(dossier) else {
                bail!("queries.csv line {line}: unknown dossier `{dossier}`");
            };
            queries.push(Query {
                user: users.number(user)?,
                action,
                dossier,
                level: level
                    .parse()
                    .with_context(|| format!("queries.csv line {line}: level `{level}`"))?,
                expected: expected
                    .parse()
                    .with_context(|| format!("queries.csv line {line}: expected `{expected}`"))?,
            });
        }

        let mut lookups = Vec::with_capacity(lines(&lookups_text));
        let header = ["user", "level", "expected_count"];
        for row in rows(&lookups_text, "lookups.csv", header)? {
            let (line, [user, level, count]) = row?;
            lookups.push(Lookup {
                user: users.number(user)?,
                level: level
                    .parse()
                    .with_context(|| format!("lookups.csv line {line}: level `{level}`"))?,
                expected_count: count.parse().with_context(|| {
                    format!("lookups.csv line {line}: expected_count `{count}`")
                })?,
            });
        }

        Ok(Workload {
            preset: meta
                .get("preset")
                .and_then(|p| p.as_str())
                .unwrap_or("custom")
                .to_owned(),
            seed: meta.get("seed").and_then(serde_json::Value::as_u64),
            organization_names: organizations.names,
            user_names: users.names,
            dossier_names: dossier_names.names,
            category_names: categories.names,
            grants,
            dossiers,
            queries,
            lookups,
            _kept: Kept {
                texts: [grants_text, dossiers_text, queries_text, lookups_text],
                numbers: [
                    organizations.numbers,
                    users.numbers,
                    dossier_names.numbers,
                    categories.numbers,
                ],
            },
        })
    }

    pub fn user(&self, user: u32) -> &str {
        name(&self.user_names, user)
    }

    pub fn dossier(&self, dossier: u32) -> &str {
        name(&self.dossier_names, dossier)
    }

    /// `o12_c3`: the name both peers give the place (organisation, category).
    pub fn scope(&self, organization: u32, category: u8) -> String {
        format!(
            "{}_{}",
            name(&self.organization_names, organization),
            name(&self.category_names, u32::from(category))
        )
    }
}

/// Numbers are handed out in order, so every one indexes its list of names.
fn name(names: &[String], number: u32) -> &str {
    names.get(index_of(number)).map_or("", String::as_str)
}

pub fn index_of(number: u32) -> usize {
    usize::try_from(number).unwrap_or(usize::MAX)
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

    fn number(&mut self, name: &str) -> anyhow::Result<u32> {
        if let Some(number) = self.numbers.get(name) {
            return Ok(*number);
        }
        let number = u32::try_from(self.names.len()).context("more than 2^32 ids")?;
        self.names.push(name.to_owned());
        self.numbers.insert(name.to_owned(), number);
        Ok(number)
    }

    fn get(&self, name: &str) -> Option<u32> {
        self.numbers.get(name).copied()
    }
}

/// Categories are a u8, as in `habilis bench`, so that the chains hash the same keys.
fn category_number(categories: &mut Names, name: &str, line: usize) -> anyhow::Result<u8> {
    u8::try_from(categories.number(name)?)
        .with_context(|| format!("line {line}: more than 256 categories (`{name}`)"))
}

/// The data rows of a CSV file without quoting (ids are plain words), with line numbers,
/// after checking that the header names the columns BENCH.md gives.
fn rows<'a, const N: usize>(
    text: &'a str,
    file: &'a str,
    header: [&str; N],
) -> anyhow::Result<impl Iterator<Item = anyhow::Result<(usize, [&'a str; N])>>> {
    let mut lines = text.lines().enumerate();
    let found: Vec<&str> = lines
        .next()
        .map(|(_, line)| line.split(',').map(str::trim).collect())
        .unwrap_or_default();
    if found != header {
        bail!(
            "{file}: header `{}`, expected `{}`",
            found.join(","),
            header.join(",")
        );
    }
    Ok(lines
        .filter(|(_, line)| !line.trim().is_empty())
        .map(move |(index, line)| {
            let mut fields = line.split(',').map(str::trim);
            let row: [&str; N] = std::array::from_fn(|_| fields.next().unwrap_or(""));
            if fields.next().is_some() || row.iter().any(|f| f.is_empty()) {
                bail!("{file} line {}: expected {N} non-empty columns", index + 1);
            }
            Ok((index + 1, row))
        }))
}

fn read_file(directory: &Path, name: &str) -> anyhow::Result<String> {
    let path = directory.join(name);
    std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
}
