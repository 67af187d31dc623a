//! `peers`: the benchmark workload of BENCH.md (files written by `habilis bench --export DIR`)
//! through Cedar, Casbin and the bare `HashMap` chains, timed the way `habilis bench` times
//! Habilis, so that its figures and these compare as ratios.
//!
//! Each system is measured in a child process of its own: freed memory is not always given
//! back to the system, so a system measured after another in one process would show too
//! little resident memory, and could inherit its predecessor's heap layout.

mod casbin_peer;
mod cedar_peer;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context as _, bail};
use clap::{Parser, ValueEnum};
use serde_json::{Value, json};

use self::casbin_peer::CasbinPeer;
use self::cedar_peer::CedarPeer;
use habilis::bench::baseline::{NumericChain, StringChain};
use habilis::bench::measure::{cores, measure_checks, measure_lookups, resident_mib, round};
use habilis::bench::workload::{Lookup, Query, Workload, name_of};

/// The names the peers give users, dossiers and places, from the workload's numbers. The
/// workload's reader, the bare chains and the timing code are `habilis bench`'s own, so that
/// both programs read, build and measure alike.
pub(crate) trait Names {
    fn user(&self, user: u32) -> &str;
    /// `o12_c3`: the name both peers give the place (organisation, category).
    fn scope(&self, organization: u32, category: u8) -> String;
}

impl Names for Workload {
    fn user(&self, user: u32) -> &str {
        name_of(&self.user_names, user)
    }

    fn scope(&self, organization: u32, category: u8) -> String {
        format!(
            "{}_{}",
            name_of(&self.organization_names, organization),
            name_of(&self.category_names, u32::from(category))
        )
    }
}

#[derive(Debug, Parser)]
#[command(about = "BENCH.md's workload through Cedar, Casbin and bare hash-map chains")]
struct Args {
    /// Directory of workload files, as written by `habilis bench --export DIR`.
    #[arg(long)]
    workload: PathBuf,
    /// Seconds of each timed phase (latency, 1 thread, all cores; lookups get half).
    #[arg(long, default_value_t = 2.0)]
    seconds: f64,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Systems to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "chains,casbin,cedar")]
    only: Vec<Group>,
    /// Measure this one system in this process and print its JSON: what each child does.
    #[arg(long, hide = true)]
    system: Option<System>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Group {
    Cedar,
    Casbin,
    /// Both bare chains, string and numeric ids.
    Chains,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum System {
    #[value(name = "bare_chain_numeric_ids")]
    BareChainNumericIds,
    #[value(name = "bare_chain_string_ids")]
    BareChainStringIds,
    #[value(name = "casbin")]
    Casbin,
    #[value(name = "cedar")]
    Cedar,
}

impl System {
    /// The key of the report, as in `habilis bench --json`.
    fn key(self) -> &'static str {
        match self {
            System::BareChainNumericIds => "bare_chain_numeric_ids",
            System::BareChainStringIds => "bare_chain_string_ids",
            System::Casbin => "casbin",
            System::Cedar => "cedar",
        }
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if !(args.seconds > 0.0 && args.seconds.is_finite()) {
        bail!("--seconds must be a positive number");
    }
    if let Some(system) = args.system {
        let report = measure_in_this_process(system, &args.workload, args.seconds)?;
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    let report = measure_each_in_a_child(&args)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

fn measure_each_in_a_child(args: &Args) -> anyhow::Result<Value> {
    let mut systems = Vec::new();
    for group in &args.only {
        let members: &[System] = match group {
            Group::Chains => &[System::BareChainNumericIds, System::BareChainStringIds],
            Group::Casbin => &[System::Casbin],
            Group::Cedar => &[System::Cedar],
        };
        for system in members {
            if !systems.contains(system) {
                systems.push(*system);
            }
        }
    }
    let program = std::env::current_exe().context("the path of this program")?;
    let mut workload = Value::Null;
    let mut measured = serde_json::Map::new();
    for system in systems {
        eprintln!("peers: measuring {} …", system.key());
        let output = Command::new(&program)
            .arg("--workload")
            .arg(&args.workload)
            .arg("--seconds")
            .arg(args.seconds.to_string())
            .arg("--system")
            .arg(system.key())
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("cannot start {}", program.display()))?;
        if !output.status.success() {
            bail!("measuring {} failed ({})", system.key(), output.status);
        }
        let mut report: Value = serde_json::from_slice(&output.stdout)
            .with_context(|| format!("the report of {}", system.key()))?;
        let mut part = |key: &str| report.get_mut(key).map(Value::take).unwrap_or_default();
        workload = part("workload");
        measured.insert(system.key().to_owned(), part("system"));
    }
    Ok(json!({
        "workload": workload,
        "seconds": args.seconds,
        "threads": cores(),
        "versions": {
            "casbin": env!("PEERS_VERSION_CASBIN"),
            "cedar-policy": env!("PEERS_VERSION_CEDAR_POLICY"),
            "rustc": env!("PEERS_RUSTC_VERSION"),
        },
        "systems": measured,
    }))
}

/// What every system must answer: a check per query, and (if it has a reverse query) the
/// dossiers a user may read.
trait Peer: Sync {
    /// `query`, whose user and dossier are named `user` and `dossier`.
    fn check(&self, query: &Query, user: &str, dossier: &str) -> anyhow::Result<bool>;

    /// How the system finds the dossiers a user may read; `None` without a reverse query.
    fn lookup_method(&self) -> Option<&'static str>;

    fn lookup(&self, workload: &Workload, lookup: &Lookup) -> anyhow::Result<usize>;
}

impl Peer for NumericChain {
    fn check(&self, q: &Query, _: &str, _: &str) -> anyhow::Result<bool> {
        Ok(NumericChain::check(
            self, q.user, q.action, q.dossier, q.level,
        ))
    }

    fn lookup_method(&self) -> Option<&'static str> {
        Some("user → places → dossiers, hash maps")
    }

    fn lookup(&self, _: &Workload, l: &Lookup) -> anyhow::Result<usize> {
        Ok(NumericChain::lookup(self, l.user, l.level).len())
    }
}

impl Peer for StringChain {
    fn check(&self, q: &Query, user: &str, dossier: &str) -> anyhow::Result<bool> {
        Ok(StringChain::check(
            self,
            user,
            q.action.name(),
            dossier,
            q.level,
        ))
    }

    fn lookup_method(&self) -> Option<&'static str> {
        Some("user → places → dossiers, hash maps")
    }

    fn lookup(&self, w: &Workload, l: &Lookup) -> anyhow::Result<usize> {
        Ok(StringChain::lookup(self, w.user(l.user), l.level))
    }
}

impl Peer for CasbinPeer {
    fn check(&self, q: &Query, user: &str, dossier: &str) -> anyhow::Result<bool> {
        CasbinPeer::check(self, user, q.action.name(), dossier, q.level)
    }

    fn lookup_method(&self) -> Option<&'static str> {
        Some("helper index: the user's domains from grants.csv, one enforce per domain")
    }

    fn lookup(&self, w: &Workload, l: &Lookup) -> anyhow::Result<usize> {
        Ok(CasbinPeer::lookup(self, w.user(l.user), l.level)?.len())
    }
}

impl Peer for CedarPeer {
    fn check(&self, q: &Query, user: &str, dossier: &str) -> anyhow::Result<bool> {
        CedarPeer::check(self, user, q.action.name(), dossier, q.level)
    }

    fn lookup_method(&self) -> Option<&'static str> {
        None
    }

    fn lookup(&self, _: &Workload, _: &Lookup) -> anyhow::Result<usize> {
        bail!("Cedar has no reverse query")
    }
}

fn measure_in_this_process(
    system: System,
    directory: &Path,
    seconds: f64,
) -> anyhow::Result<Value> {
    let started = Instant::now();
    let workload = Workload::read(directory)?;
    let summary = summary(&workload, directory, started.elapsed().as_secs_f64());
    let measured = match system {
        System::BareChainNumericIds => measure_peer(&workload, seconds, numeric_chain)?,
        System::BareChainStringIds => measure_peer(&workload, seconds, string_chain)?,
        System::Casbin => measure_peer(&workload, seconds, CasbinPeer::build)?,
        System::Cedar => measure_peer(&workload, seconds, CedarPeer::build)?,
    };
    Ok(json!({ "workload": summary, "system": measured }))
}

fn numeric_chain(workload: &Workload) -> anyhow::Result<NumericChain> {
    Ok(NumericChain::build(workload))
}

fn string_chain(workload: &Workload) -> anyhow::Result<StringChain> {
    Ok(StringChain::build(workload))
}

fn summary(workload: &Workload, directory: &Path, read_s: f64) -> Value {
    let queries = workload.queries.len();
    let lookups = workload.lookups.len();
    let allowed = workload.queries.iter().filter(|q| q.expected).count();
    let results: usize = workload.lookups.iter().map(|l| l.expected_count).sum();
    json!({
        "directory": directory.display().to_string(),
        "preset": workload.preset,
        "organizations": workload.organization_names.len(),
        "users": workload.user_names.len(),
        "grants": workload.grants.len(),
        "dossiers": workload.dossiers.len(),
        "queries": queries,
        "lookups": lookups,
        "allowed_share": round(allowed as f64 / queries.max(1) as f64),
        "lookup_mean_results": round(results as f64 / lookups.max(1) as f64),
        "read_s": round(read_s),
    })
}

/// Builds the system from the parsed files (timed: load), checks every answer against the
/// expected ones, then times checks and lookups.
fn measure_peer<P: Peer>(
    workload: &Workload,
    seconds: f64,
    build: fn(&Workload) -> anyhow::Result<P>,
) -> anyhow::Result<Value> {
    let before = resident_mib();
    let t = Instant::now();
    let peer = build(workload)?;
    let load = t.elapsed();
    let after = resident_mib();

    let carried = workload.carried_names();
    let mut check_mismatches = 0;
    for (query, (user, dossier)) in workload.queries.iter().zip(&carried) {
        if peer.check(query, user, dossier)? != query.expected {
            check_mismatches += 1;
        }
    }
    let lookup_mismatches = match peer.lookup_method() {
        None => None,
        Some(_) => {
            let mut wrong = 0;
            for lookup in &workload.lookups {
                if peer.lookup(workload, lookup)? != lookup.expected_count {
                    wrong += 1;
                }
            }
            Some(wrong)
        }
    };

    // Answers were checked above, so an error cannot hide in the timed loops.
    let check = measure_checks(workload.queries.len(), seconds, |i| {
        workload
            .queries
            .get(i)
            .zip(carried.get(i))
            .is_some_and(|(q, (user, dossier))| peer.check(q, user, dossier).unwrap_or(false))
    });
    let lookup = peer.lookup_method().map(|method| {
        let measured = measure_lookups(workload.lookups.len(), seconds / 2.0, |i| {
            workload
                .lookups
                .get(i)
                .map_or(0, |l| peer.lookup(workload, l).unwrap_or(0))
        });
        json!({ "latency": at(&measured, "/latency"), "method": method })
    });
    Ok(json!({
        "load_s": round(load.as_secs_f64()),
        "resident_mib": after,
        "resident_before_mib": before,
        "resident_delta_mib": before.zip(after).map(|(b, a)| round(a - b)),
        "check": check,
        "lookup": lookup,
        "mismatches": { "checks": check_mismatches, "lookups": lookup_mismatches },
    }))
}

fn print_table(report: &Value) {
    let w = at(report, "/workload");
    println!(
        "workload {} ({}): {} organisations, {} users, {} grants, {} dossiers, \
         {} queries ({}% allowed), {} lookups (mean {} results)",
        at(w, "/preset").as_str().unwrap_or("?"),
        at(w, "/directory").as_str().unwrap_or("?"),
        at(w, "/organizations"),
        at(w, "/users"),
        at(w, "/grants"),
        at(w, "/dossiers"),
        at(w, "/queries"),
        (at(w, "/allowed_share").as_f64().unwrap_or(0.0) * 100.0).round(),
        at(w, "/lookups"),
        at(w, "/lookup_mean_results"),
    );
    println!(
        "{} s per timed phase, {} threads; casbin {}, cedar-policy {}",
        at(report, "/seconds"),
        at(report, "/threads"),
        at(report, "/versions/casbin").as_str().unwrap_or("?"),
        at(report, "/versions/cedar-policy").as_str().unwrap_or("?"),
    );
    println!(
        "{:<24} {:>8} {:>9} {:>8} {:>8} {:>9} {:>12} {:>12} {:>11} {:>11} {:>11}",
        "system",
        "load s",
        "+MiB",
        "p50 µs",
        "p99 µs",
        "p99.9 µs",
        "/s 1 thread",
        "/s all cores",
        "lookup p50",
        "lookup p99",
        "mismatches",
    );
    let Some(systems) = at(report, "/systems").as_object() else {
        return;
    };
    for (name, s) in systems {
        let (check, lookup) = (at(s, "/check"), at(s, "/lookup/latency"));
        let mismatches = at(s, "/mismatches");
        println!(
            "{:<24} {:>8} {:>9} {:>8} {:>8} {:>9} {:>12} {:>12} {:>11} {:>11} {:>11}",
            name,
            number(at(s, "/load_s")),
            number(at(s, "/resident_delta_mib")),
            number(at(check, "/latency/p50_us")),
            number(at(check, "/latency/p99_us")),
            number(at(check, "/latency/p999_us")),
            rate(at(check, "/per_second_1_thread")),
            rate(at(check, "/per_second_all_cores")),
            number(at(lookup, "/p50_us")),
            number(at(lookup, "/p99_us")),
            format!(
                "{} / {}",
                number(at(mismatches, "/checks")),
                number(at(mismatches, "/lookups"))
            ),
        );
    }
}

/// A figure of the report as text; "none" where the system has no such answer.
fn number(value: &Value) -> String {
    match value.as_f64() {
        Some(x) => format!("{x}"),
        None => "none".to_owned(),
    }
}

/// Calls per second, in thousands or millions.
fn rate(value: &Value) -> String {
    match value.as_f64() {
        Some(x) if x >= 1e6 => format!("{:.2} M", x / 1e6),
        Some(x) if x >= 1e3 => format!("{:.1} k", x / 1e3),
        Some(x) => format!("{x}"),
        None => "none".to_owned(),
    }
}

/// The value at a JSON pointer of a report, `null` when absent.
fn at<'a>(value: &'a Value, pointer: &str) -> &'a Value {
    value.pointer(pointer).unwrap_or(&Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-made workload whose answers follow from BENCH.md's rule by hand: validators
    /// need level 2, only validators validate, and a grant covers one (organisation,
    /// category). u4 has no grant at all.
    const FILES: [(&str, &str); 5] = [
        ("meta.json", r#"{"preset": "test", "seed": 0}"#),
        (
            "grants.csv",
            "user,org,category,role\nu1,o1,c1,validator\nu2,o1,c1,reader\n\
             u3,o1,c2,editor\nu3,o2,c1,submitter\n",
        ),
        (
            "dossiers.csv",
            "dossier,org,category\nd1,o1,c1\nd2,o1,c2\nd3,o2,c1\nd4,o2,c2\n",
        ),
        (
            "queries.csv",
            "user,action,dossier,level,expected\n\
             u1,read,d1,1,false\nu1,read,d1,2,true\nu1,validate,d1,2,true\n\
             u1,validate,d1,1,false\nu1,read,d2,2,false\nu2,read,d1,1,true\n\
             u2,validate,d1,2,false\nu3,read,d2,1,true\nu3,read,d3,1,true\n\
             u3,validate,d3,2,false\nu3,read,d4,2,false\nu4,read,d1,2,false\n",
        ),
        (
            "lookups.csv",
            "user,level,expected_count\nu1,2,1\nu1,1,0\nu2,2,1\nu3,1,2\nu4,2,0\n",
        ),
    ];

    fn answers_as_expected<P: Peer>(
        name: &str,
        build: fn(&Workload) -> anyhow::Result<P>,
    ) -> anyhow::Result<()> {
        let directory = std::env::temp_dir().join(format!("peers-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&directory)?;
        for (file, text) in FILES {
            std::fs::write(directory.join(file), text)?;
        }
        let workload = Workload::read(&directory);
        std::fs::remove_dir_all(&directory)?;
        let workload = workload?;
        let peer = build(&workload)?;
        for (query, (user, dossier)) in workload.queries.iter().zip(workload.carried_names()) {
            let answer = peer.check(query, &user, &dossier)?;
            anyhow::ensure!(
                answer == query.expected,
                "{name}: {query:?} answered {answer}"
            );
        }
        if peer.lookup_method().is_some() {
            for lookup in &workload.lookups {
                let count = peer.lookup(&workload, lookup)?;
                anyhow::ensure!(
                    count == lookup.expected_count,
                    "{name}: {lookup:?} found {count}"
                );
            }
        }
        Ok(())
    }

    #[test]
    fn numeric_chain_answers_as_expected() -> anyhow::Result<()> {
        answers_as_expected("numeric", numeric_chain)
    }

    #[test]
    fn string_chain_answers_as_expected() -> anyhow::Result<()> {
        answers_as_expected("string", string_chain)
    }

    #[test]
    fn casbin_answers_as_expected() -> anyhow::Result<()> {
        answers_as_expected("casbin", CasbinPeer::build)
    }

    #[test]
    fn cedar_answers_as_expected() -> anyhow::Result<()> {
        answers_as_expected("cedar", CedarPeer::build)
    }
}
