//! Casbin (casbin-rs) as BENCH.md models it: RBAC with domains, one domain per
//! (organisation, category), the grants as `g` links, five `p` rules that give each role its
//! action and minimum level.

use std::collections::HashMap;

use anyhow::{Context as _, bail};
use casbin::prelude::*;

use habilis::bench::workload::{Role, Workload};

use crate::Names as _;

const MODEL: &str = r#"
[request_definition]
r = sub, dom, act, lvl

[policy_definition]
p = sub, act, lvl

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.act == p.act && r.lvl >= p.lvl
"#;

/// Casbin hands policy values to its matcher as strings, and Rhai (the matcher's language)
/// answers `false` to `>=` between a number and a string. So the request's level is a string
/// too, compared with the rule's as text: right for one-digit levels, which `build` insists
/// on.
const LEVELS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

pub struct CasbinPeer {
    enforcer: Enforcer,
    /// dossier → its domain, looked up inside each timed check: Casbin knows no dossiers.
    domains: HashMap<String, String>,
    /// The helper index of the lookups, built from the same files: a user's domains and a
    /// domain's dossiers. Casbin-rs 2.x has no reverse query of its own.
    user_domains: HashMap<String, Vec<String>>,
    dossiers_by_domain: HashMap<String, Vec<String>>,
}

impl CasbinPeer {
    pub fn build(workload: &Workload) -> anyhow::Result<CasbinPeer> {
        let mut levels = (workload.queries.iter().map(|q| q.level))
            .chain(workload.lookups.iter().map(|l| l.level));
        if let Some(level) = levels.find(|&l| level_text(l).is_none()) {
            bail!("level {level}: the Casbin model compares levels as one-digit text");
        }

        let rules: Vec<Vec<String>> = Role::ALL
            .into_iter()
            .map(|role| (role, "read"))
            .chain([(Role::Validator, "validate")])
            .map(|(role, action)| {
                let level = level_text(role.level()).unwrap_or_default();
                vec![role.name().to_owned(), action.to_owned(), level.to_owned()]
            })
            .collect();
        let mut links = Vec::with_capacity(workload.grants.len());
        let mut user_domains: HashMap<String, Vec<String>> = HashMap::new();
        for g in &workload.grants {
            let user = workload.user(g.user).to_owned();
            let domain = workload.scope(g.organization, g.category);
            links.push(vec![user.clone(), g.role.name().to_owned(), domain.clone()]);
            let known = user_domains.entry(user).or_default();
            if !known.contains(&domain) {
                known.push(domain);
            }
        }
        let mut domains = HashMap::with_capacity(workload.dossiers.len());
        let mut dossiers_by_domain: HashMap<String, Vec<String>> = HashMap::new();
        for (index, d) in workload.dossiers.iter().enumerate() {
            let dossier = workload
                .dossier_names
                .get(index)
                .context("a dossier without a name")?;
            let domain = workload.scope(d.organization, d.category);
            dossiers_by_domain
                .entry(domain.clone())
                .or_default()
                .push(dossier.clone());
            domains.insert(dossier.clone(), domain);
        }

        // Casbin's set-up API is async; nothing here waits on I/O (the model is a string, the
        // adapter in memory), so a current-thread runtime just drives the futures.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .context("tokio runtime for Casbin's set-up")?;
        let enforcer = runtime.block_on(async {
            let model = DefaultModel::from_str(MODEL).await?;
            let mut enforcer = Enforcer::new(model, MemoryAdapter::default()).await?;
            // Policies live in the model only: no adapter write per rule.
            enforcer.enable_auto_save(false);
            enforcer.add_policies(rules).await?;
            enforcer.add_grouping_policies(links).await?;
            Ok::<_, casbin::Error>(enforcer)
        })?;
        Ok(CasbinPeer {
            enforcer,
            domains,
            user_domains,
            dossiers_by_domain,
        })
    }

    pub fn check(
        &self,
        user: &str,
        action: &str,
        dossier: &str,
        level: u8,
    ) -> anyhow::Result<bool> {
        let Some(domain) = self.domains.get(dossier) else {
            return Ok(false);
        };
        self.enforce(user, domain, action, level)
    }

    fn enforce(&self, user: &str, domain: &str, action: &str, level: u8) -> anyhow::Result<bool> {
        let level = level_text(level).with_context(|| format!("level {level}"))?;
        Ok(self.enforcer.enforce((user, domain, action, level))?)
    }

    /// The dossiers `user` may read at `level`: one enforce per domain the user has a grant
    /// in, then that domain's dossiers.
    pub fn lookup(&self, user: &str, level: u8) -> anyhow::Result<Vec<&str>> {
        let mut found = Vec::new();
        for domain in self.user_domains.get(user).into_iter().flatten() {
            if self.enforce(user, domain, "read", level)? {
                let dossiers = self.dossiers_by_domain.get(domain).into_iter().flatten();
                found.extend(dossiers.map(String::as_str));
            }
        }
        Ok(found)
    }
}

fn level_text(level: u8) -> Option<&'static str> {
    LEVELS.get(usize::from(level)).copied()
}
