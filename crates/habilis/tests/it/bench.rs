//! The benchmark's workload: generated as BENCH.md describes, written and read back as its
//! files, and answered by the engine exactly as the plain reference evaluator expects.

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
