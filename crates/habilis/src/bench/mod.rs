//! `habilis bench`: the workload of BENCH.md through Habilis and, in the same run, through
//! the bare hash-map chains it is measured against.
//!
//! Timings are medians and percentiles of one run; the machine is shared and noisy, so the
//! figures that matter are the ratios to the chains measured alongside: Habilis and the
//! chains (and, over HTTP, the evaluation endpoints and the do-nothing one) take turns in
//! alternated rounds, and a ratio is the median of the rounds' ratios.

pub mod baseline;
mod http;
pub mod load;
pub mod measure;
pub mod workload;

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use habilis_core::{Services, SystemClock};
use habilis_domain::decision::ResourceOverrides;
use habilis_domain::{Change, Grant, Status, Timestamp};
use habilis_engine::{Asked, EngineHost, Snapshot};
use habilis_store::{AuditDraft, Db};
use serde_json::{Value, json};

use self::baseline::{LeanChain, NumericChain, StringChain};
use self::measure::{
    ROUNDS, measure_batches, measure_checks_side_by_side, measure_lookups, percentiles,
    resident_mib, round,
};
use self::workload::{Query, Workload, usize_of};

/// Empty publications timed after the load into the engine.
const PUBLISHES: u32 = 200;
/// Questions in one batch, in process (`Snapshot::verdicts`) and over HTTP (`evaluations`).
const BATCH: usize = 100;

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Generate the workload of this preset: tiny, small, medium or full.
    #[arg(long, conflicts_with = "workload")]
    pub preset: Option<String>,
    /// Run on the workload files of this directory instead.
    #[arg(long)]
    pub workload: Option<PathBuf>,
    /// Write the generated workload's files to this directory.
    #[arg(long)]
    pub export: Option<PathBuf>,
    /// Skip loading through the store (and so the HTTP part).
    #[arg(long)]
    pub no_store: bool,
    /// Database for the load through the store; default: a fresh SQLite file in a
    /// temporary directory.
    #[arg(long)]
    pub database: Option<String>,
    /// Also measure over HTTP: AuthZEN evaluation and evaluations next to a do-nothing
    /// endpoint of the same server.
    #[arg(long)]
    pub http: bool,
    /// Seconds of each timed phase.
    #[arg(long, default_value_t = 2.0)]
    pub seconds: f64,
    /// Time the in-process checks on the workload's first N queries only (every query is
    /// still checked against its expected answer): fewer queries touch less memory, so
    /// comparing runs shows how much of a check's time is waiting for memory.
    #[arg(long, value_name = "N")]
    pub timed_queries: Option<usize>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the benchmark and prints its report. The in-process phases hold the calling thread
/// (they are the measurement); nothing else runs on the runtime meanwhile.
pub async fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let mut report = serde_json::Map::new();
    let started = Instant::now();
    let workload = match (&args.preset, &args.workload) {
        (_, Some(directory)) => Workload::read(directory)?,
        (Some(name), None) => Workload::generate(&workload::preset(name)?),
        (None, None) => Workload::generate(&workload::preset("small")?),
    };
    let timed_queries = args.timed_queries.map_or(workload.queries.len(), |n| {
        n.clamp(1, workload.queries.len().max(1))
    });
    report.insert("workload".into(), json!({
        "preset": workload.preset,
        "organizations": workload.organization_names.len(),
        "users": workload.user_names.len(),
        "grants": workload.grants.len(),
        "dossiers": workload.dossiers.len(),
        "queries": workload.queries.len(),
        "timed_queries": timed_queries,
        "lookups": workload.lookups.len(),
        "allowed_share": round(workload.queries.iter().filter(|q| q.expected).count() as f64 / workload.queries.len().max(1) as f64),
        "prepare_s": round(started.elapsed().as_secs_f64()),
    }));
    if let Some(directory) = &args.export {
        workload.write(directory)?;
        eprintln!("workload written to {}", directory.display());
    }
    let memory_before = resident_mib();
    let now = habilis_core::Clock::now(&SystemClock);
    let changes = load::changes(&workload, now)?;

    // Straight into the engine.
    let host = EngineHost::new();
    let t = Instant::now();
    host.apply(1, &changes);
    let engine_load = t.elapsed();
    // What publishing a snapshot costs at this size, before any change: the floor of every
    // write's way to the decisions.
    let t = Instant::now();
    for revision in 2..2 + u64::from(PUBLISHES) {
        host.apply(revision, &[]);
    }
    let publish = t.elapsed() / PUBLISHES;
    let snapshot = host.snapshot();
    report.insert(
        "engine".into(),
        json!({
            "load_s": round(engine_load.as_secs_f64()),
            "empty_publish_us": round(publish.as_secs_f64() * 1e6),
            "resident_mib": resident_mib(),
            "resident_before_mib": memory_before,
        }),
    );
    let carried = workload.carried_names();
    report.insert(
        "mismatches".into(),
        mismatches(&workload, &carried, &snapshot, now),
    );

    let no_overrides = ResourceOverrides::default();
    // Query `i` with the names it carries.
    let query = |i: usize| workload.queries.get(i).zip(carried.get(i));
    let asked = |i: usize| {
        let (query, (user, dossier)) = query(i)?;
        Some(asked_with_names(query, user, dossier, &no_overrides, now))
    };
    let queries = timed_queries;
    let strings = StringChain::build(&workload);
    let numbers = NumericChain::build(&workload);
    let lean = LeanChain::build(&workload);
    let habilis_check = |i: usize| asked(i).is_some_and(|a| snapshot.check(&a));
    let strings_check = |i: usize| {
        query(i).is_some_and(|(q, (user, dossier))| {
            strings.check(user, q.action.name(), dossier, q.level)
        })
    };
    let lean_check = |i: usize| {
        query(i)
            .is_some_and(|(q, (user, dossier))| lean.check(user, q.action.name(), dossier, q.level))
    };
    let numbers_check = |i: usize| {
        workload
            .queries
            .get(i)
            .is_some_and(|q| numbers.check(q.user, q.action, q.dossier, q.level))
    };
    // Side by side, so that the ratios compare rounds run next to each other.
    let side_by_side = measure_checks_side_by_side(
        queries,
        args.seconds,
        &[&habilis_check, &strings_check, &numbers_check, &lean_check],
    );
    let ratios = json!({
        "rounds": ROUNDS,
        "habilis_to_string_chain_1_thread": side_by_side.ratio_1_thread(0, 1),
        "habilis_to_string_chain_all_cores": side_by_side.ratio_all_cores(0, 1),
        "numeric_chain_to_habilis_1_thread": side_by_side.ratio_1_thread(2, 0),
        "lean_chain_to_habilis_1_thread": side_by_side.ratio_1_thread(3, 0),
        "numeric_chain_to_lean_chain_1_thread": side_by_side.ratio_1_thread(2, 3),
    });
    let mut measured = side_by_side.reports.into_iter();
    let mut check = serde_json::Map::new();
    check.insert("habilis".into(), measured.next().unwrap_or(Value::Null));
    let strings_measured = measured.next().unwrap_or(Value::Null);
    let numbers_measured = measured.next().unwrap_or(Value::Null);
    let lean_measured = measured.next().unwrap_or(Value::Null);
    let batches: Vec<Option<Asked<'_>>> = (0..queries).map(asked).collect();
    check.insert(
        "habilis_batches_100".into(),
        measure_batches(queries, BATCH, args.seconds, |start| {
            let mut allowed = 0;
            let end = (start + BATCH).min(queries);
            if let Some(batch) = batches.get(start..end) {
                snapshot.verdicts(batch, |_, verdict| {
                    allowed += usize::from(verdict.is_some_and(|v| v.is_ok()));
                    ControlFlow::Continue(())
                });
            }
            allowed
        }),
    );
    drop(batches);
    check.insert("bare_chain_string_ids".into(), strings_measured);
    check.insert("bare_chain_numeric_ids".into(), numbers_measured);
    check.insert("bare_chain_lean_string_ids".into(), lean_measured);
    check.insert("ratios".into(), ratios);
    report.insert("check".into(), Value::Object(check));
    let lookups = workload.lookups.len();
    let lookup_user = |i: usize| {
        workload.lookups.get(i).and_then(|l| {
            workload
                .user_names
                .get(usize_of(l.user))
                .map(|u| (u, l.level))
        })
    };
    report.insert("lookup".into(), json!({
        "mean_results": round(workload.lookups.iter().map(|l| l.expected_count).sum::<usize>() as f64 / lookups.max(1) as f64),
        "habilis": measure_lookups(lookups, args.seconds / 2.0, |i| {
            lookup_user(i).map_or(0, |(user, level)| snapshot.search_resources(load::APPLICATION, user, "read", "dossier", Some(level), now).len())
        }),
        "bare_chain_string_ids": measure_lookups(lookups, args.seconds / 2.0, |i| {
            lookup_user(i).map_or(0, |(user, level)| strings.lookup(user, level))
        }),
    }));
    drop(strings);
    drop(numbers);
    drop(snapshot);
    drop(host);

    if !args.no_store {
        let directory = tempfile::tempdir()?;
        let url = args
            .database
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", directory.path().join("bench.db").display()));
        let (store, services) = load_through_store(&url, changes, &workload, now).await?;
        report.insert("store".into(), store);
        if args.http {
            report.insert(
                "http".into(),
                http::measure(&services, &url, &workload, args.seconds).await?,
            );
        }
    } else {
        drop(changes);
    }
    let report = Value::Object(report);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

/// Answers that differ from the workload's expected ones: checks and lookup counts.
/// The queries are asked with the names the timed loops use (`carried`).
fn mismatches(
    workload: &Workload,
    carried: &[(String, String)],
    snapshot: &Snapshot,
    now: Timestamp,
) -> Value {
    let no_overrides = ResourceOverrides::default();
    let asked: Vec<Option<Asked<'_>>> = workload
        .queries
        .iter()
        .zip(carried)
        .map(|(query, (user, dossier))| {
            Some(asked_with_names(query, user, dossier, &no_overrides, now))
        })
        .collect();
    if asked.len() != workload.queries.len() {
        // Every query unanswered counts.
        return json!({ "checks": workload.queries.len(), "lookups": workload.lookups.len() });
    }
    let mut checks = 0;
    for (query, asked) in workload.queries.iter().zip(&asked) {
        if asked.as_ref().is_some_and(|a| snapshot.check(a)) != query.expected {
            checks += 1;
        }
    }
    // The same questions in batches, as the evaluations endpoint decides them.
    for (queries, batch) in workload.queries.chunks(BATCH).zip(asked.chunks(BATCH)) {
        snapshot.verdicts(batch, |index, verdict| {
            let allowed = verdict.is_some_and(|v| v.is_ok());
            if queries.get(index).is_none_or(|q| q.expected != allowed) {
                checks += 1;
            }
            ControlFlow::Continue(())
        });
    }
    let mut lookups = 0;
    for lookup in &workload.lookups {
        let user = workload
            .user_names
            .get(usize_of(lookup.user))
            .map_or("", String::as_str);
        let found = snapshot.search_resources(
            load::APPLICATION,
            user,
            "read",
            "dossier",
            Some(lookup.level),
            now,
        );
        if found.len() != lookup.expected_count {
            lookups += 1;
        }
    }
    json!({ "checks": checks, "lookups": lookups })
}

/// An audit event of the bench's own writes.
fn bench_draft(action: &str, count: usize) -> AuditDraft {
    AuditDraft {
        at: habilis_core::Clock::now(&SystemClock),
        actor_user: None,
        actor_application: None,
        actor_level: None,
        action: action.into(),
        organization: None,
        application: None,
        subject_user: None,
        target: None,
        reason: None,
        code: None,
        detail: json!({ "count": count }),
    }
}

/// How many grants (each then revoked) measure the visibility of a change.
const VISIBILITY_WRITES: usize = 100;

/// Writes the workload through the real store (batches of changes, each one revision with
/// its audit event), then starts Habilis on it as `serve` does: the engine built from the
/// store. Then commits single grants, each turning a denied query into an allowed one, and
/// measures how long after its commit the engine's decisions see it.
async fn load_through_store(
    url: &str,
    changes: Vec<Change>,
    workload: &Workload,
    now: Timestamp,
) -> anyhow::Result<(Value, Arc<Services>)> {
    let db = Db::connect(url).await.context("bench database")?;
    db.migrate().await?;
    let t = Instant::now();
    let mut changes = changes;
    let mut batches = 0;
    while !changes.is_empty() {
        let rest = changes.split_off(changes.len().min(20_000));
        let batch = std::mem::replace(&mut changes, rest);
        let tx = db.begin().await?;
        tx.commit_change(bench_draft("bench.load", batch.len()), batch)
            .await?;
        batches += 1;
    }
    let write = t.elapsed();
    let t = Instant::now();
    let services = Services::open(db, Arc::new(SystemClock)).await?;
    let start = t.elapsed();
    let resident = resident_mib();

    let members = load::members(workload);
    let no_overrides = ResourceOverrides::default();
    let mut commits = Vec::new();
    let mut visible = Vec::new();
    let mut not_seen = 0;
    let writes = workload
        .queries
        .iter()
        .enumerate()
        .filter_map(|(index, query)| {
            let id = format!("visibility-{index}");
            Some((
                query,
                load::allowing_grant(workload, &members, query, &id, now)?,
            ))
        });
    for (query, change) in writes.take(VISIBILITY_WRITES) {
        // The grant, then its revocation, so that the world is the workload's again for the
        // measures that follow; both must be seen.
        let revoked = match &change {
            Change::Grant(grant) => Change::Grant(Grant {
                status: Status::Revoked,
                ..grant.clone()
            }),
            other => other.clone(),
        };
        for (change, allowed) in [(change, true), (revoked, false)] {
            // As a write of this server's reaches its decisions: the commit, then the engine
            // brought to its revision (`Services::apply_committed`, what every command does).
            let t = Instant::now();
            let tx = services.db().begin().await?;
            let written = tx
                .commit_changes(bench_draft("bench.visibility", 1), vec![change])
                .await?;
            let committed = Instant::now();
            commits.push(committed - t);
            services.apply_committed(&written).await;
            visible.push(committed.elapsed());
            let seen = asked_of(workload, query, &no_overrides, now)
                .is_some_and(|a| services.snapshot().check(&a) == allowed);
            if !seen {
                not_seen += 1;
            }
        }
    }
    Ok((
        json!({
            "url": if url.starts_with("sqlite") { "sqlite (temporary file)" } else { "given" },
            "write_s": round(write.as_secs_f64()),
            "revisions": batches,
            "startup_s": round(start.as_secs_f64()),
            "resident_mib_after_startup": resident,
            "single_write": {
                "writes": commits.len(),
                "commit": percentiles(&mut commits),
                "visible_after_commit": percentiles(&mut visible),
                "not_seen": not_seen,
            },
        }),
        services,
    ))
}

/// The workload's query as a decision question.
fn asked_of<'a>(
    workload: &'a Workload,
    query: &Query,
    overrides: &'a ResourceOverrides,
    at: Timestamp,
) -> Option<Asked<'a>> {
    Some(asked_with_names(
        query,
        workload.user_names.get(usize_of(query.user))?,
        workload.dossier_names.get(usize_of(query.dossier))?,
        overrides,
        at,
    ))
}

/// The query as a decision question about the user and the dossier so named.
fn asked_with_names<'a>(
    query: &Query,
    user: &'a str,
    dossier: &'a str,
    overrides: &'a ResourceOverrides,
    at: Timestamp,
) -> Asked<'a> {
    Asked {
        application: load::APPLICATION,
        subject: user,
        action: query.action.name(),
        resource_type: "dossier",
        resource_id: dossier,
        overrides,
        level: Some(query.level),
        at,
    }
}

fn print_table(report: &Value) {
    let w = at(report, "/workload");
    println!(
        "workload {}: {} organisations, {} users, {} grants, {} dossiers, {} queries ({}% allowed), {} lookups",
        at(w, "/preset").as_str().unwrap_or("?"),
        at(w, "/organizations"),
        at(w, "/users"),
        at(w, "/grants"),
        at(w, "/dossiers"),
        at(w, "/queries"),
        (at(w, "/allowed_share").as_f64().unwrap_or(0.0) * 100.0).round(),
        at(w, "/lookups")
    );
    if at(w, "/timed_queries") != at(w, "/queries") {
        println!(
            "checks timed on the first {} queries only (--timed-queries)",
            at(w, "/timed_queries")
        );
    }
    println!(
        "mismatches: {} checks, {} lookups",
        at(report, "/mismatches/checks"),
        at(report, "/mismatches/lookups")
    );
    println!(
        "engine load {} s, resident {} MiB, empty publish {} µs",
        at(report, "/engine/load_s"),
        at(report, "/engine/resident_mib"),
        at(report, "/engine/empty_publish_us")
    );
    println!(
        "{:<26} {:>9} {:>9} {:>9} {:>14} {:>14}",
        "check", "p50 µs", "p99 µs", "p99.9 µs", "/s 1 thread", "/s all cores"
    );
    for name in [
        "habilis",
        "habilis_batches_100",
        "bare_chain_string_ids",
        "bare_chain_numeric_ids",
        "bare_chain_lean_string_ids",
    ] {
        let c = at(report, &format!("/check/{name}"));
        println!(
            "{:<26} {:>9} {:>9} {:>9} {:>14} {:>14}",
            name,
            cell(c, "/latency/p50_us"),
            cell(c, "/latency/p99_us"),
            cell(c, "/latency/p999_us"),
            cell(c, "/per_second_1_thread"),
            cell(c, "/per_second_all_cores")
        );
    }
    let ratios = at(report, "/check/ratios");
    println!(
        "side by side in {} alternated rounds, medians of the rounds' ratios: habilis ÷ string chain {}× on 1 thread, {}× on all cores; numeric chain ÷ habilis {}× on 1 thread",
        at(ratios, "/rounds"),
        at(ratios, "/habilis_to_string_chain_1_thread"),
        at(ratios, "/habilis_to_string_chain_all_cores"),
        at(ratios, "/numeric_chain_to_habilis_1_thread")
    );
    println!(
        "the leanest layout of string ids (names in the slots, a user's grants in one run): lean chain ÷ habilis {}× and numeric chain ÷ lean chain {}× on 1 thread",
        at(ratios, "/lean_chain_to_habilis_1_thread"),
        at(ratios, "/numeric_chain_to_lean_chain_1_thread")
    );
    println!(
        "lookup (mean {} results)",
        at(report, "/lookup/mean_results")
    );
    for name in ["habilis", "bare_chain_string_ids"] {
        let l = at(report, &format!("/lookup/{name}/latency"));
        println!(
            "{:<26} {:>9} {:>9} {:>9}",
            name,
            cell(l, "/p50_us"),
            cell(l, "/p99_us"),
            cell(l, "/p999_us")
        );
    }
    if let Some(store) = report.get("store") {
        println!(
            "store: written in {} s ({} revisions); start-up from the store {} s; resident {} MiB",
            at(store, "/write_s"),
            at(store, "/revisions"),
            at(store, "/startup_s"),
            at(store, "/resident_mib_after_startup")
        );
        let w = at(store, "/single_write");
        println!(
            "single writes ({}): commit p50 {} µs p99 {} µs; visible to decisions after the commit p50 {} µs p99 {} µs; not seen {}",
            at(w, "/writes"),
            cell(w, "/commit/p50_us"),
            cell(w, "/commit/p99_us"),
            cell(w, "/visible_after_commit/p50_us"),
            cell(w, "/visible_after_commit/p99_us"),
            at(w, "/not_seen")
        );
    }
    if let Some(http) = report.get("http") {
        println!(
            "server process: ready in {} s, resident {} MiB after start-up, {} MiB after the load",
            at(http, "/server_startup_s"),
            at(http, "/server_resident_mib_after_startup"),
            at(http, "/server_resident_mib")
        );
        println!(
            "{:<26} {:>9} {:>9} {:>9} {:>9} {:>14} {:>14}",
            "http (keep-alive)",
            "p50 µs",
            "p95 µs",
            "p99 µs",
            "p99.9 µs",
            "requests/s",
            "decisions/s"
        );
        for name in [
            "do_nothing",
            "evaluation",
            "evaluations_100",
            "evaluation_1_connection",
        ] {
            let h = at(http, &format!("/{name}"));
            println!(
                "{:<26} {:>9} {:>9} {:>9} {:>9} {:>14} {:>14}",
                name,
                cell(h, "/latency/p50_us"),
                cell(h, "/latency/p95_us"),
                cell(h, "/latency/p99_us"),
                cell(h, "/latency/p999_us"),
                cell(h, "/requests_per_second"),
                cell(h, "/decisions_per_second")
            );
        }
        println!(
            "evaluation ÷ do-nothing {}×, the median of {} alternated rounds' ratios; http mismatches: {}",
            at(http, "/ratios/evaluation_to_do_nothing"),
            at(http, "/ratios/rounds"),
            at(http, "/mismatches")
        );
    }
}

/// The value at a JSON pointer of the report, `null` when absent.
fn at<'a>(value: &'a Value, pointer: &str) -> &'a Value {
    value.pointer(pointer).unwrap_or(&Value::Null)
}

/// A report value as text, so that table widths apply.
fn cell(value: &Value, pointer: &str) -> String {
    at(value, pointer).to_string()
}
