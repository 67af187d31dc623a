//! The benchmark's workload: generated as BENCH.md describes, written and read back as its
//! files, and answered by the engine exactly as the plain reference evaluator expects.

use habilis::bench::baseline::{LeanChain, NumericChain, StringChain};
use habilis::bench::load;
use habilis::bench::workload::{Reference, Workload, preset};
use habilis_domain::Timestamp;
use habilis_domain::decision::ResourceOverrides;
use habilis_engine::{Asked, EngineHost};

#[test]
fn the_tiny_workload_round_trips_and_the_engine_matches_the_reference() {
    let generated = Workload::generate(&preset("tiny").unwrap());
    assert_eq!(generated.grants.len(), 2_000);
    assert_eq!(generated.dossiers.len(), 2_000);
    assert_eq!(generated.queries.len(), 2_000);
    assert_eq!(generated.lookups.len(), 20);
    // About 47% of the queries are allowed, as BENCH.md says; both answers occur.
    let allowed = generated.queries.iter().filter(|q| q.expected).count();
    assert!((800..1_100).contains(&allowed), "{allowed} allowed");

    let directory = tempfile::tempdir().unwrap();
    generated.write(directory.path()).unwrap();
    let workload = Workload::read(directory.path()).unwrap();
    // Ids are renumbered on reading; by name, the grants are the same.
    let named = |w: &Workload| -> Vec<(String, String, String, &'static str)> {
        w.grants
            .iter()
            .map(|g| {
                (
                    w.user_names[g.user as usize].clone(),
                    w.organization_names[g.organization as usize].clone(),
                    w.category_names[g.category as usize].clone(),
                    g.role.name(),
                )
            })
            .collect()
    };
    assert!(
        named(&workload) == named(&generated),
        "the grants changed on the way"
    );
    let reference = Reference::new(&workload);
    for query in &workload.queries {
        assert_eq!(reference.check(&workload, query), query.expected);
    }

    let at = Timestamp(1_793_610_000);
    let host = EngineHost::new();
    host.apply(1, &load::changes(&workload, at).unwrap());
    let snapshot = host.snapshot();
    let none = ResourceOverrides::default();
    for query in &workload.queries {
        let asked = Asked {
            application: load::APPLICATION,
            subject: &workload.user_names[query.user as usize],
            action: query.action.name(),
            resource_type: "dossier",
            resource_id: &workload.dossier_names[query.dossier as usize],
            overrides: &none,
            level: Some(query.level),
            at,
        };
        assert_eq!(snapshot.check(&asked), query.expected, "{query:?}");
    }
    for lookup in &workload.lookups {
        let user = &workload.user_names[lookup.user as usize];
        let found =
            snapshot.search_resources(load::APPLICATION, user, "read", "dossier", Some(2), at);
        assert_eq!(found.len(), lookup.expected_count, "{lookup:?}");
    }
}

/// The chains Habilis is measured against do the same work: a ratio to a chain that
/// answered differently would compare nothing.
#[test]
fn the_bare_chains_answer_every_query_as_the_reference_does() {
    let workload = Workload::generate(&preset("tiny").unwrap());
    let numbers = NumericChain::build(&workload);
    let strings = StringChain::build(&workload);
    let lean = LeanChain::build(&workload);
    // The names the timed loops ask with: each query's own, in query order.
    let carried = workload.carried_names();
    assert_eq!(carried.len(), workload.queries.len());
    for (query, (user, dossier)) in workload.queries.iter().zip(&carried) {
        assert_eq!(user, &workload.user_names[query.user as usize]);
        assert_eq!(dossier, &workload.dossier_names[query.dossier as usize]);
        let action = query.action.name();
        assert_eq!(
            numbers.check(query.user, query.action, query.dossier, query.level),
            query.expected,
            "numeric chain, {query:?}"
        );
        assert_eq!(
            strings.check(user, action, dossier, query.level),
            query.expected,
            "string chain, {query:?}"
        );
        assert_eq!(
            lean.check(user, action, dossier, query.level),
            query.expected,
            "lean chain, {query:?}"
        );
    }
    // Names it does not hold, and an action it does not know, are refused.
    let user = &workload.user_names[0];
    let dossier = &workload.dossier_names[0];
    assert!(!lean.check("nobody", "read", dossier, 2));
    assert!(!lean.check(user, "read", "no-such-dossier", 2));
    assert!(!lean.check(user, "delete", dossier, 2));
}

#[test]
fn bad_workload_files_are_refused_with_the_line() {
    let directory = tempfile::tempdir().unwrap();
    Workload::generate(&preset("tiny").unwrap())
        .write(directory.path())
        .unwrap();
    std::fs::write(
        directory.path().join("grants.csv"),
        "user,org,category,role\nu1,o1,c1,emperor\n",
    )
    .unwrap();
    let error = Workload::read(directory.path()).err().unwrap().to_string();
    assert!(
        error.contains("line 2") && error.contains("emperor"),
        "{error}"
    );
    assert!(preset("huge").is_err());
}

#[test]
fn side_by_side_ratios_are_the_median_of_the_rounds_ratios() {
    use habilis::bench::measure::{median, ratio_of_rounds};
    // Round by round 2, 0.5 and 3: the median round says 2, where the totals (60 / 55)
    // would say 1.09 and let one slow round decide.
    assert_eq!(
        ratio_of_rounds(&[10.0, 20.0, 30.0], &[5.0, 40.0, 10.0]),
        Some(2.0)
    );
    // A round the other system did not run (no throughput) counts for nothing.
    assert_eq!(ratio_of_rounds(&[10.0, 20.0], &[5.0, 0.0]), Some(2.0));
    assert_eq!(ratio_of_rounds(&[], &[]), None);
    assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(vec![]), None);
}

#[test]
fn every_system_measured_side_by_side_gets_every_round() {
    use habilis::bench::measure::{Checker, ROUNDS, measure_checks_side_by_side};
    let even = |i: usize| i.is_multiple_of(2);
    let small = |i: usize| i < 3;
    let systems: [&dyn Checker; 2] = [&even, &small];
    let measured = measure_checks_side_by_side(10, 0.05, &systems);
    assert_eq!(measured.reports.len(), 2);
    for report in &measured.reports {
        for kind in ["per_second_1_thread", "per_second_all_cores"] {
            let rounds = report["rounds"][kind].as_array().unwrap();
            assert_eq!(rounds.len(), ROUNDS, "{report}");
            assert!(rounds.iter().all(|r| r.as_f64().unwrap() > 0.0), "{report}");
        }
        assert!(report["latency"]["p50_us"].as_f64().is_some(), "{report}");
    }
    assert!(measured.ratio_1_thread(0, 1).is_some_and(|r| r > 0.0));
    assert!(measured.ratio_1_thread(0, 2).is_none(), "no third system");
    // No queries: nothing to time, and the measurement ends at once instead of spinning.
    let empty = measure_checks_side_by_side(0, 0.05, &systems);
    assert!(empty.ratio_1_thread(0, 1).is_none());
}
