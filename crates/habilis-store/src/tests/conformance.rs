//! The conformance suite: every test takes a freshly migrated `Db` and must pass on SQLite
//! and on PostgreSQL alike.

use std::collections::BTreeSet;

use habilis_domain::*;

use super::fixtures::*;
use crate::{
    AuditDraft, AuditFilter, AuditOutcome, Db, EntityFilter, EntityKind, GENESIS_HASH,
    OperatorRecord, StoreError, SubjectIdRecord, TokenKind, TokenRecord, composite_key,
};

fn draft(at: i64, action: &str) -> AuditDraft {
    AuditDraft::new(Timestamp(at), action)
}

async fn commit(db: &Db, at: i64, changes: Vec<Change>) -> u64 {
    let tx = db.begin().await.unwrap();
    tx.commit_change(draft(at, "test.change"), changes)
        .await
        .unwrap()
}

/// Runs raw SQL, as someone tampering with the database would.
async fn raw(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
        Db::Postgres(pool) => {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
    }
}

async fn event_count(db: &Db) -> usize {
    db.audit_events(&AuditFilter {
        limit: 10_000,
        ..AuditFilter::default()
    })
    .await
    .unwrap()
    .len()
}

pub async fn migrating_twice_is_idempotent(db: &Db) {
    db.migrate().await.unwrap();
    db.migrate().await.unwrap();
    assert_eq!(db.current_revision().await.unwrap(), 0);
    let (world, revision) = db.load_world().await.unwrap();
    assert_eq!(revision, 0);
    assert_eq!(render(&world), render(&World::default()));
    let verification = db.verify_audit().await.unwrap();
    assert_eq!(verification.events, 0);
    assert_eq!(verification.first_broken, None);
    assert_eq!(verification.head, GENESIS_HASH);
}

pub async fn numbered_parameters_bind_by_number(db: &Db) {
    // `$2` comes first in the text and `$1` is used twice: values bind by number, not by
    // position, on both drivers.
    let sql = "SELECT COUNT(*) FROM store_state WHERE id = $2 AND revision = $1 AND audit_seq = $1";
    let count: i64 = match db {
        Db::Sqlite(pool) => {
            sqlx::query_as::<_, (i64,)>(sql)
                .bind(0_i64)
                .bind(1_i64)
                .fetch_one(pool)
                .await
                .unwrap()
                .0
        }
        Db::Postgres(pool) => {
            sqlx::query_as::<_, (i64,)>(sql)
                .bind(0_i64)
                .bind(1_i64)
                .fetch_one(pool)
                .await
                .unwrap()
                .0
        }
    };
    assert_eq!(count, 1);
}

pub async fn every_change_round_trips(db: &Db) {
    let changes = every_change();
    let revision = commit(db, 10, changes.clone()).await;
    assert_eq!(revision, 1);

    let (world, at) = db.load_world().await.unwrap();
    assert_eq!(at, 1);
    assert_eq!(render(&world), render(&fold(&changes)));
    assert_eq!(world.settings.approval_days, 7);

    // The changes come back in kind order, then by key, and fold into the same world.
    let (loaded, at) = db.load_changes().await.unwrap();
    assert_eq!(at, 1);
    assert_eq!(loaded.len(), changes.len());
    assert!(matches!(loaded.first(), Some(Change::Settings(_))));
    assert!(matches!(loaded.last(), Some(Change::Resource(_))));
    assert_eq!(render(&fold(&loaded)), render(&fold(&changes)));

    // Handed over in chunks smaller than a kind (on SQLite, pages of rows): the same
    // changes in the same order, no chunk larger than asked, none empty.
    for size in [1, 2, 3] {
        let mut chunks: Vec<Vec<Change>> = Vec::new();
        let at = db
            .load_changes_into(size, |chunk| chunks.push(chunk))
            .await
            .unwrap();
        assert_eq!(at, 1);
        assert!(
            chunks
                .iter()
                .all(|chunk| !chunk.is_empty() && chunk.len() <= size)
        );
        assert_eq!(chunks.concat(), loaded, "in chunks of {size}");
    }

    // Single entities by key, as their own types.
    let user: User = db.get(EntityKind::User, "usr_x").await.unwrap().unwrap();
    assert_eq!(
        user,
        super::fixtures::user("usr_x", Some(1), Some("x@example.org"))
    );
    let operator: OperatorRecord = db
        .get(EntityKind::Operator, "usr_op")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(operator.user, user_id("usr_op"));
    let subject: SubjectIdRecord = db
        .get(EntityKind::SubjectId, &composite_key(&["app", "sub-x"]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(subject.user, user_id("usr_x"));
    let membership: Membership = db
        .get(EntityKind::Membership, &composite_key(&["org_a", "usr_x"]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(membership, super::fixtures::membership("org_a", "usr_x"));
    let missing: Option<Grant> = db.get(EntityKind::Grant, "grt_404").await.unwrap();
    assert_eq!(missing, None);

    let mut tx = db.begin().await.unwrap();
    assert!(tx.any_operator().await.unwrap());
    let grant: Grant = tx.get(EntityKind::Grant, "grt_1").await.unwrap().unwrap();
    assert_eq!(
        grant,
        super::fixtures::grant("grt_1", "usr_x", "org_a", "app")
    );
    tx.rollback().await.unwrap();
}

/// However entities were written (here in an order unrelated to their keys, over several
/// commits), a load hands each kind over in key order, in pages of any size: on SQLite a
/// page's bodies are concatenated in the order its subquery walks the key's index.
pub async fn a_page_of_bodies_comes_in_key_order(db: &Db) {
    const USERS: usize = 500;
    // 211 is prime to 500: every key once, far from key order.
    let keys: Vec<String> = (0..USERS)
        .map(|i| format!("usr_{:03}", (i * 211 + 17) % USERS))
        .collect();
    for (index, written) in keys.chunks(100).enumerate() {
        let changes = written
            .iter()
            .map(|key| Change::User(user(key, None, None)))
            .collect();
        commit(db, 10 + i64::try_from(index).unwrap(), changes).await;
    }
    let mut sorted = keys.clone();
    sorted.sort();
    for size in [1000, 64, 7] {
        let mut loaded: Vec<String> = Vec::new();
        db.load_changes_into(size, |chunk| {
            loaded.extend(chunk.into_iter().filter_map(|change| match change {
                Change::User(user) => Some(user.id.as_str().to_owned()),
                _ => None,
            }));
        })
        .await
        .unwrap();
        assert_eq!(loaded, sorted, "in pages of {size}");
    }
}

pub async fn removals_delete_rows(db: &Db) {
    commit(db, 10, every_change()).await;
    let mut tx = db.begin().await.unwrap();
    assert!(tx.any_operator().await.unwrap());
    let removals = vec![
        Change::Operator {
            user: user_id("usr_op"),
            present: false,
        },
        Change::LegalRepresentative {
            organization: org_id("org_a"),
            user: user_id("usr_x"),
            present: false,
        },
        Change::SubjectId {
            application: key("app"),
            subject_id: "sub-x".into(),
            user: user_id("usr_x"),
            present: false,
        },
        Change::Subscription {
            subscription: subscription("org_c", "app"),
            present: false,
        },
        Change::ResourceRemoved {
            application: key("app"),
            resource_type: key("dossier"),
            id: "d-1".into(),
        },
    ];
    tx.commit_change(draft(20, "test.remove"), removals.clone())
        .await
        .unwrap();
    let (world, revision) = db.load_world().await.unwrap();
    assert_eq!(revision, 2);
    let mut all = every_change();
    all.extend(removals);
    assert_eq!(render(&world), render(&fold(&all)));
    assert!(world.operators.is_empty());
    assert!(world.legal_representatives.is_empty());
    assert!(world.subject_ids.is_empty());
    assert_eq!(world.subscriptions.len(), 1);
    assert_eq!(world.resources.len(), 1);
    let mut tx = db.begin().await.unwrap();
    assert!(!tx.any_operator().await.unwrap());
    tx.rollback().await.unwrap();
}

pub async fn one_commit_may_write_an_entity_twice(db: &Db) {
    // Upserts are sent in multi-row statements; later writes of a key must still win, and
    // a removal between two writes must keep its place.
    let mut changes: Vec<Change> = (0..250)
        .map(|n| Change::Resource(resource(&format!("d-{n}"), "org_a", None)))
        .collect();
    changes.push(Change::User(user("usr_1", Some(1), None)));
    changes.push(Change::User(user(
        "usr_1",
        Some(2),
        Some("one@example.org"),
    )));
    changes.push(Change::Resource(resource("d-7", "org_b", None)));
    changes.push(Change::ResourceRemoved {
        application: key("app"),
        resource_type: key("dossier"),
        id: "d-8".into(),
    });
    changes.push(Change::Resource(resource("d-9", "org_b", None)));
    changes.push(Change::ResourceRemoved {
        application: key("app"),
        resource_type: key("dossier"),
        id: "d-9".into(),
    });
    commit(db, 1, changes.clone()).await;
    let (world, _) = db.load_world().await.unwrap();
    assert_eq!(render(&world), render(&fold(&changes)));
    assert_eq!(world.resources.len(), 248);
    // The national number freed by the second write is free.
    commit(db, 2, vec![Change::User(user("usr_2", Some(1), None))]).await;
}

pub async fn slices_hold_what_an_operation_needs(db: &Db) {
    commit(db, 10, every_change()).await;
    let mut tx = db.begin().await.unwrap();
    let slice = tx
        .load_slice(&[org_id("org_a")], &[user_id("usr_x")], &[key("app")])
        .await
        .unwrap();
    tx.rollback().await.unwrap();

    assert_eq!(slice.settings.approval_days, 7);
    assert_eq!(slice.levels, Levels::default());
    assert!(slice.is_operator(&user_id("usr_op")));
    // org_b comes in as the other side of the mandate; org_c is unrelated.
    let organizations: BTreeSet<&str> = slice
        .organizations
        .keys()
        .map(OrganizationId::as_str)
        .collect();
    assert_eq!(organizations, BTreeSet::from(["org_a", "org_b"]));
    let users: BTreeSet<&str> = slice.users.keys().map(UserId::as_str).collect();
    assert_eq!(users, BTreeSet::from(["usr_x"]));
    assert!(slice.applications.contains_key("app"));
    assert!(slice.is_legal_representative(&org_id("org_a"), &user_id("usr_x")));
    assert_eq!(slice.subject_ids.len(), 1);
    let memberships: BTreeSet<(&str, &str)> = slice
        .memberships
        .keys()
        .map(|(o, u)| (o.as_str(), u.as_str()))
        .collect();
    // usr_y's membership of org_b is not about org_a nor usr_x.
    assert_eq!(memberships, BTreeSet::from([("org_a", "usr_x")]));
    assert_eq!(slice.subscriptions.len(), 1);
    assert_eq!(slice.designations.len(), 1);
    let grants: BTreeSet<&str> = slice.grants.keys().map(GrantId::as_str).collect();
    assert_eq!(grants, BTreeSet::from(["grt_1"]));
    assert_eq!(slice.mandates.len(), 1);
    assert!(slice.suspensions.is_empty());
    assert_eq!(slice.approvals.len(), 1);
    assert!(slice.resources.is_empty());

    // From the mandatary's side, with a user of another organisation.
    let mut tx = db.begin().await.unwrap();
    let slice = tx
        .load_slice(&[org_id("org_b")], &[user_id("usr_z")], &[])
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let organizations: BTreeSet<&str> = slice
        .organizations
        .keys()
        .map(OrganizationId::as_str)
        .collect();
    assert_eq!(organizations, BTreeSet::from(["org_a", "org_b"]));
    let grants: BTreeSet<&str> = slice.grants.keys().map(GrantId::as_str).collect();
    assert_eq!(grants, BTreeSet::from(["grt_2", "grt_3"]));
    assert_eq!(slice.suspensions.len(), 1);
    assert!(slice.applications.is_empty());

    // Nothing named: only the platform-wide entities.
    let mut tx = db.begin().await.unwrap();
    let slice = tx.load_slice(&[], &[], &[]).await.unwrap();
    tx.rollback().await.unwrap();
    assert!(slice.organizations.is_empty() && slice.users.is_empty() && slice.grants.is_empty());
    assert_eq!(slice.operators.len(), 1);
}

pub async fn entity_lists_filter_and_page(db: &Db) {
    commit(db, 10, every_change()).await;
    let all: Vec<Grant> = db
        .load_entities(EntityKind::Grant, &EntityFilter::default())
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["grt_1", "grt_2", "grt_3"]);

    let page: Vec<Grant> = db
        .load_entities(
            EntityKind::Grant,
            &EntityFilter {
                limit: Some(1),
                offset: 1,
                ..EntityFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].id.as_str(), "grt_2");

    let of_user: Vec<Grant> = db
        .load_entities(
            EntityKind::Grant,
            &EntityFilter {
                user: Some(user_id("usr_z")),
                application: Some(key("app")),
                ..EntityFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(of_user.len(), 1);
    assert_eq!(of_user[0].id.as_str(), "grt_3");

    // A mandate is found from both sides, or from the mandatary's side only.
    for organization in ["org_a", "org_b"] {
        let filter = EntityFilter {
            organization: Some(org_id(organization)),
            ..EntityFilter::default()
        };
        let mandates: Vec<Mandate> = db
            .load_entities(EntityKind::Mandate, &filter)
            .await
            .unwrap();
        assert_eq!(mandates.len(), 1, "{organization}");
        assert_eq!(
            db.count_entities(EntityKind::Mandate, &filter)
                .await
                .unwrap(),
            1
        );
    }
    let filter = EntityFilter {
        other_organization: Some(org_id("org_a")),
        ..EntityFilter::default()
    };
    assert_eq!(
        db.count_entities(EntityKind::Mandate, &filter)
            .await
            .unwrap(),
        0
    );

    let users = db
        .count_entities(EntityKind::User, &EntityFilter::default())
        .await
        .unwrap();
    assert_eq!(users, 4);
    let resources: Vec<Resource> = db
        .load_entities(
            EntityKind::Resource,
            &EntityFilter {
                organization: Some(org_id("org_c")),
                ..EntityFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(resources, vec![resource("d-2", "org_c", None)]);
}

pub async fn revisions_are_monotonic(db: &Db) {
    let mut last = db.current_revision().await.unwrap();
    for number in 1..=3 {
        let revision = commit(
            db,
            number,
            vec![Change::User(user(
                &format!("usr_{number}"),
                Some(u32::try_from(number).unwrap()),
                None,
            ))],
        )
        .await;
        assert_eq!(revision, last + 1);
        assert_eq!(db.current_revision().await.unwrap(), revision);
        last = revision;
    }
    // A commit without entity changes (a token, say) still takes a revision.
    assert_eq!(commit(db, 4, Vec::new()).await, last + 1);
    // A refusal and a rollback do not.
    db.record_refusal(draft(5, "test.refused")).await.unwrap();
    db.begin().await.unwrap().rollback().await.unwrap();
    assert_eq!(db.current_revision().await.unwrap(), last + 1);
    let (_, revision) = db.load_world().await.unwrap();
    assert_eq!(revision, last + 1);
}

pub async fn changes_since_lists_committed_changes(db: &Db) {
    let first = vec![Change::User(user("usr_1", Some(1), None))];
    let second = vec![Change::User(user("usr_2", Some(2), None))];
    let third = vec![
        Change::Organization(organization("org_1", Some(1), None)),
        Change::Membership(membership("org_1", "usr_1")),
    ];
    commit(db, 1, first.clone()).await;
    commit(db, 2, second.clone()).await;
    db.record_refusal(draft(3, "test.refused")).await.unwrap();
    commit(db, 4, third.clone()).await;

    let all = db.changes_since(0).await.unwrap();
    assert_eq!(
        all,
        vec![(1, first), (2, second.clone()), (3, third.clone())]
    );
    assert_eq!(
        db.changes_since(1).await.unwrap(),
        vec![(2, second), (3, third)]
    );
    assert!(db.changes_since(3).await.unwrap().is_empty());
    assert!(db.changes_since(u64::MAX).await.unwrap().is_empty());
}

pub async fn world_at_replays_history(db: &Db) {
    let v1 = user("usr_1", Some(1), Some("old@example.org"));
    let v2 = User {
        email: Some(Email::parse("new@example.org").unwrap()),
        ..v1.clone()
    };
    commit(
        db,
        100,
        vec![
            Change::User(v1.clone()),
            Change::Resource(resource("d-1", "org_a", None)),
        ],
    )
    .await;
    commit(db, 200, vec![Change::User(v2.clone())]).await;
    commit(
        db,
        300,
        vec![Change::ResourceRemoved {
            application: key("app"),
            resource_type: key("dossier"),
            id: "d-1".into(),
        }],
    )
    .await;

    let before = db.world_at(Timestamp(99)).await.unwrap();
    assert!(before.users.is_empty());
    let at_150 = db.world_at(Timestamp(150)).await.unwrap();
    assert_eq!(at_150.users.get("usr_1"), Some(&v1));
    assert_eq!(at_150.resources.len(), 1);
    let at_200 = db.world_at(Timestamp(200)).await.unwrap();
    assert_eq!(at_200.users.get("usr_1"), Some(&v2));
    assert_eq!(at_200.resources.len(), 1);
    let now = db.world_at(Timestamp(1_000)).await.unwrap();
    assert!(now.resources.is_empty());
    assert_eq!(render(&now), render(&db.load_world().await.unwrap().0));
}

pub async fn uniqueness_conflicts_write_nothing(db: &Db) {
    commit(
        db,
        1,
        vec![
            Change::User(user("usr_1", Some(1), Some("one@example.org"))),
            Change::Organization(organization("org_1", Some(1), Some("EXT-1"))),
        ],
    )
    .await;
    let verified_before = db.verify_audit().await.unwrap();

    let attempts = [
        (
            vec![
                // Written first, then rolled back with the rest.
                Change::User(user("usr_ok", Some(9), None)),
                Change::User(user("usr_2", Some(1), None)),
            ],
            "user.national_number",
        ),
        (
            vec![Change::User(user("usr_2", None, Some("ONE@example.org")))],
            "user.email",
        ),
        (
            vec![Change::Organization(organization("org_2", Some(1), None))],
            "organization.enterprise_number",
        ),
        (
            vec![Change::Organization(organization(
                "org_2",
                None,
                Some("EXT-1"),
            ))],
            "organization.external_id",
        ),
    ];
    for (changes, field) in attempts {
        let tx = db.begin().await.unwrap();
        let error = tx
            .commit_change(draft(2, "test.conflict"), changes)
            .await
            .unwrap_err();
        match error {
            StoreError::Conflict { what } => assert_eq!(what, field),
            other => panic!("expected a conflict on {field}, got {other:?}"),
        }
    }
    assert_eq!(db.current_revision().await.unwrap(), 1);
    let (world, _) = db.load_world().await.unwrap();
    let users: Vec<&str> = world.users.keys().map(UserId::as_str).collect();
    assert_eq!(users, ["usr_1"]);
    assert_eq!(world.organizations.len(), 1);
    assert_eq!(db.verify_audit().await.unwrap(), verified_before);

    // Updating the holder of a unique value is no conflict, and frees the old value.
    let renamed = user("usr_1", Some(2), Some("one@example.org"));
    commit(db, 3, vec![Change::User(renamed)]).await;
    commit(db, 4, vec![Change::User(user("usr_2", Some(1), None))]).await;
    assert_eq!(db.verify_audit().await.unwrap().first_broken, None);
}

/// Commits `count` events and returns nothing; each event `n` has reason `reason n`.
async fn some_events(db: &Db, count: i64) {
    for number in 1..=count {
        let tx = db.begin().await.unwrap();
        tx.commit_change(
            AuditDraft {
                reason: Some(format!("reason {number}")),
                detail: serde_json::json!({ "number": number, "nested": { "b": 1, "a": [1, 2] } }),
                ..draft(number, "test.change")
            },
            vec![Change::User(user(&format!("usr_{number}"), None, None))],
        )
        .await
        .unwrap();
    }
}

pub async fn audit_chain_verifies(db: &Db) {
    some_events(db, 4).await;
    let verification = db.verify_audit().await.unwrap();
    assert_eq!(verification.events, 4);
    assert_eq!(verification.first_broken, None);
    let events = db.audit_events(&AuditFilter::default()).await.unwrap();
    assert_eq!(events.len(), 4);
    assert_eq!(events[0].prev_hash, GENESIS_HASH);
    for pair in events.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
        assert_eq!(pair[1].seq, pair[0].seq + 1);
    }
    assert_eq!(verification.head, events[3].hash);
    assert_eq!(events[2].reason.as_deref(), Some("reason 3"));
    assert_eq!(events[2].revision, 3);
    assert_eq!(events[2].outcome, AuditOutcome::Committed);
    assert_eq!(events[2].detail["nested"]["a"][1], 2);
    assert_eq!(
        events[2].changes,
        vec![Change::User(user("usr_3", None, None))]
    );
}

pub async fn audit_chain_detects_an_edited_event(db: &Db) {
    some_events(db, 3).await;
    raw(
        db,
        "UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 2",
    )
    .await;
    let verification = db.verify_audit().await.unwrap();
    assert_eq!(verification.first_broken, Some(2));

    // Editing the changes of the last event is caught as well.
    raw(
        db,
        "UPDATE audit_events SET reason = 'reason 2' WHERE seq = 2",
    )
    .await;
    assert_eq!(db.verify_audit().await.unwrap().first_broken, None);
    raw(db, "UPDATE audit_events SET changes = '[]' WHERE seq = 3").await;
    assert_eq!(db.verify_audit().await.unwrap().first_broken, Some(3));
}

pub async fn audit_chain_detects_a_deleted_event(db: &Db) {
    some_events(db, 3).await;
    raw(db, "DELETE FROM audit_events WHERE seq = 2").await;
    assert_eq!(db.verify_audit().await.unwrap().first_broken, Some(2));
}

pub async fn audit_chain_detects_a_reordered_event(db: &Db) {
    some_events(db, 3).await;
    raw(db, "UPDATE audit_events SET seq = 100 WHERE seq = 2").await;
    raw(db, "UPDATE audit_events SET seq = 2 WHERE seq = 3").await;
    raw(db, "UPDATE audit_events SET seq = 3 WHERE seq = 100").await;
    assert_eq!(db.verify_audit().await.unwrap().first_broken, Some(2));
}

pub async fn audit_chain_detects_a_forged_tail(db: &Db) {
    some_events(db, 2).await;
    // An event appended by hand, even one that links to the last hash, is not in the head
    // that the writers keep.
    raw(
        db,
        "INSERT INTO audit_events (seq, revision, at, action, outcome, detail, changes, \
         prev_hash, hash) SELECT seq + 1, revision, at, action, outcome, detail, changes, hash, \
         hash FROM audit_events WHERE seq = 2",
    )
    .await;
    assert_eq!(db.verify_audit().await.unwrap().first_broken, Some(3));
    raw(db, "DELETE FROM audit_events WHERE seq = 3").await;
    assert_eq!(db.verify_audit().await.unwrap().first_broken, None);
    // Removing the last event is caught too.
    raw(db, "DELETE FROM audit_events WHERE seq = 2").await;
    assert_eq!(db.verify_audit().await.unwrap().first_broken, Some(2));
}

pub async fn refusals_are_chained(db: &Db) {
    some_events(db, 1).await;
    db.record_refusal(AuditDraft {
        actor_user: Some(user_id("usr_1")),
        actor_level: Some("low".into()),
        organization: Some(org_id("org_a")),
        application: Some(key("app")),
        subject_user: Some(user_id("usr_2")),
        target: Some("grt_9".into()),
        code: Some("not_a_manager".into()),
        reason: Some("wanted it".into()),
        ..draft(2, "grant.create")
    })
    .await
    .unwrap();
    some_events(db, 1).await;
    let verification = db.verify_audit().await.unwrap();
    assert_eq!(verification.events, 3);
    assert_eq!(verification.first_broken, None);

    let events = db.audit_events(&AuditFilter::default()).await.unwrap();
    let refusal = &events[1];
    assert_eq!(refusal.outcome, AuditOutcome::Refused);
    assert_eq!(refusal.revision, 1);
    assert_eq!(refusal.code.as_deref(), Some("not_a_manager"));
    assert_eq!(refusal.actor_level.as_deref(), Some("low"));
    assert!(refusal.changes.is_empty());
    assert_eq!(refusal.prev_hash, events[0].hash);
    assert_eq!(events[2].prev_hash, refusal.hash);
    assert_eq!(events[2].revision, 2);

    raw(db, "UPDATE audit_events SET code = 'other' WHERE seq = 2").await;
    assert_eq!(db.verify_audit().await.unwrap().first_broken, Some(2));
}

pub async fn audit_events_filter(db: &Db) {
    let with =
        |at: i64, organization: &str, actor: &str, subject: &str, application: Option<&str>| {
            AuditDraft {
                organization: Some(org_id(organization)),
                actor_user: Some(user_id(actor)),
                subject_user: Some(user_id(subject)),
                application: application.map(key),
                ..draft(at, "test.change")
            }
        };
    let drafts = [
        with(10, "org_a", "usr_1", "usr_2", Some("app")),
        with(20, "org_a", "usr_2", "usr_3", None),
        with(30, "org_b", "usr_3", "usr_1", Some("app")),
        with(40, "org_b", "usr_4", "usr_4", None),
    ];
    for draft in drafts {
        db.begin()
            .await
            .unwrap()
            .commit_change(draft, Vec::new())
            .await
            .unwrap();
    }
    let seqs = |filter: AuditFilter| async move {
        db.audit_events(&filter)
            .await
            .unwrap()
            .iter()
            .map(|event| event.seq)
            .collect::<Vec<_>>()
    };
    assert_eq!(seqs(AuditFilter::default()).await, [1, 2, 3, 4]);
    assert_eq!(
        seqs(AuditFilter {
            organization: Some(org_id("org_a")),
            ..AuditFilter::default()
        })
        .await,
        [1, 2]
    );
    assert_eq!(
        seqs(AuditFilter {
            user: Some(user_id("usr_1")),
            ..AuditFilter::default()
        })
        .await,
        [1, 3]
    );
    assert_eq!(
        seqs(AuditFilter {
            application: Some(key("app")),
            ..AuditFilter::default()
        })
        .await,
        [1, 3]
    );
    assert_eq!(
        seqs(AuditFilter {
            since: Some(Timestamp(20)),
            until: Some(Timestamp(40)),
            ..AuditFilter::default()
        })
        .await,
        [2, 3]
    );
    assert_eq!(
        seqs(AuditFilter {
            after_seq: Some(1),
            limit: 2,
            ..AuditFilter::default()
        })
        .await,
        [2, 3]
    );
    assert_eq!(
        seqs(AuditFilter {
            newest_first: true,
            limit: 2,
            ..AuditFilter::default()
        })
        .await,
        [4, 3]
    );
    assert_eq!(
        seqs(AuditFilter {
            newest_first: true,
            after_seq: Some(3),
            user: Some(user_id("usr_2")),
            ..AuditFilter::default()
        })
        .await,
        [2, 1]
    );
}

pub async fn concurrent_writers_keep_the_chain(db: &Db) {
    const WRITERS: u32 = 8;
    let mut tasks = Vec::new();
    for number in 0..WRITERS {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            if number % 4 == 3 {
                db.record_refusal(draft(i64::from(number), "test.refused"))
                    .await
                    .unwrap();
                return None;
            }
            let mut tx = db.begin().await.unwrap();
            // Read, then write what was read: the writer lock makes this safe.
            let before = tx.load_slice(&[], &[], &[]).await.unwrap();
            let revision_seen = tx.revision();
            let revision = tx
                .commit_change(
                    draft(i64::from(number), "test.change"),
                    vec![
                        Change::User(user(&format!("usr_{number}"), Some(number + 1), None)),
                        Change::Settings(Settings {
                            approval_days: before.settings.approval_days + 1,
                            ..before.settings
                        }),
                    ],
                )
                .await
                .unwrap();
            assert_eq!(revision, revision_seen + 1);
            Some(revision)
        }));
    }
    let mut revisions = BTreeSet::new();
    for task in tasks {
        if let Some(revision) = task.await.unwrap() {
            assert!(
                revisions.insert(revision),
                "revision {revision} given twice"
            );
        }
    }
    let committed = WRITERS - WRITERS / 4;
    assert_eq!(
        revisions,
        (1..=u64::from(committed)).collect::<BTreeSet<u64>>()
    );
    let verification = db.verify_audit().await.unwrap();
    assert_eq!(verification.events, u64::from(WRITERS));
    assert_eq!(verification.first_broken, None);
    let (world, revision) = db.load_world().await.unwrap();
    assert_eq!(revision, u64::from(committed));
    assert_eq!(world.users.len(), committed as usize);
    assert_eq!(
        world.settings.approval_days,
        Settings::default().approval_days + i64::from(committed)
    );
}

fn token(id: &str, user: &str) -> TokenRecord {
    TokenRecord {
        id: id.into(),
        kind: TokenKind::Personal,
        user: Some(user_id(user)),
        application: None,
        secret_hash: format!("hash-of-{id}"),
        label: "laptop".into(),
        level: Some("high".into()),
        created_at: Timestamp(100),
        expires_at: Some(Timestamp(200)),
        revoked_at: None,
    }
}

pub async fn local_accounts_are_stored_replaced_and_audited(db: &Db) {
    let account = crate::LocalAccount {
        user: user_id("usr_1"),
        password_hash: "$argon2id$first".into(),
        totp_secret: None,
        updated_at: Timestamp(100),
    };
    let mut tx = db.begin().await.unwrap();
    tx.set_local_account(account.clone());
    let first = tx
        .commit_change(draft(100, "account.password.set"), Vec::new())
        .await
        .unwrap();
    assert_eq!(
        db.find_local_account(&user_id("usr_1")).await.unwrap(),
        Some(account.clone())
    );
    assert_eq!(
        db.find_local_account(&user_id("usr_2")).await.unwrap(),
        None
    );
    assert!(
        !format!("{account:?}").contains("first"),
        "the hash never prints"
    );
    let replaced = crate::LocalAccount {
        password_hash: "$argon2id$second".into(),
        totp_secret: Some("JBSWY3DPEHPK3PXP".into()),
        updated_at: Timestamp(200),
        ..account
    };
    let mut tx = db.begin().await.unwrap();
    tx.set_local_account(replaced.clone());
    let second = tx
        .commit_change(draft(200, "account.password.set"), Vec::new())
        .await
        .unwrap();
    assert!(second > first);
    assert_eq!(
        db.find_local_account(&user_id("usr_1")).await.unwrap(),
        Some(replaced)
    );
    let events = db
        .audit_events(&AuditFilter {
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.action == "account.password.set")
            .count(),
        2,
        "each change of a password is audited"
    );
}

pub async fn tokens_are_stored_found_and_revoked(db: &Db) {
    let personal = token("tok_1", "usr_1");
    let client = TokenRecord {
        kind: TokenKind::Client,
        user: None,
        application: Some(key("app")),
        level: None,
        expires_at: None,
        ..token("tok_2", "usr_1")
    };
    let mut tx = db.begin().await.unwrap();
    tx.insert_token(personal.clone());
    tx.insert_token(client.clone());
    tx.commit_change(draft(100, "token.create"), Vec::new())
        .await
        .unwrap();
    assert_eq!(
        db.find_token("tok_1").await.unwrap(),
        Some(personal.clone())
    );
    assert_eq!(db.find_token("tok_2").await.unwrap(), Some(client.clone()));
    assert_eq!(db.find_token("tok_3").await.unwrap(), None);
    assert!(personal.is_usable(Timestamp(150)));
    assert!(!personal.is_usable(Timestamp(200)));
    assert!(!format!("{personal:?}").contains("hash-of"));
    assert_eq!(
        db.list_tokens(Some(&user_id("usr_1")), None).await.unwrap(),
        vec![personal.clone()]
    );
    assert_eq!(
        db.list_tokens(None, Some(&key("app"))).await.unwrap(),
        vec![client]
    );

    // A duplicate id is a conflict, and nothing of that commit is written.
    let mut tx = db.begin().await.unwrap();
    tx.insert_token(token("tok_1", "usr_2"));
    let error = tx
        .commit_change(
            draft(110, "token.create"),
            vec![Change::User(user("usr_2", None, None))],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::Conflict { ref what } if what == "token.id"),
        "{error:?}"
    );
    assert_eq!(db.find_token("tok_1").await.unwrap(), Some(personal));
    assert!(db.load_world().await.unwrap().0.users.is_empty());

    let mut tx = db.begin().await.unwrap();
    assert!(tx.revoke_token("tok_1", Timestamp(120)).await.unwrap());
    assert!(!tx.revoke_token("tok_1", Timestamp(130)).await.unwrap());
    assert!(!tx.revoke_token("tok_404", Timestamp(130)).await.unwrap());
    assert_eq!(
        tx.find_token("tok_1").await.unwrap().unwrap().revoked_at,
        Some(Timestamp(120))
    );
    tx.commit_change(draft(120, "token.revoke"), Vec::new())
        .await
        .unwrap();
    let revoked = db.find_token("tok_1").await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(Timestamp(120)));
    assert!(!revoked.is_usable(Timestamp(150)));
    assert_eq!(db.verify_audit().await.unwrap().first_broken, None);
}

pub async fn users_are_found_by_every_name(db: &Db) {
    commit(db, 10, every_change()).await;
    let number = national_number(1);
    let punctuated = number.to_string();
    assert_ne!(punctuated, number.digits());
    let names = [
        ("usr_x", None, Some("usr_x")),
        (number.digits(), None, Some("usr_x")),
        (punctuated.as_str(), None, Some("usr_x")),
        ("X@Example.org", None, Some("usr_x")),
        ("sub-x", Some("app"), Some("usr_x")),
        ("sub-x", Some("other"), None),
        ("sub-x", None, None),
        ("z@example.org", Some("app"), Some("usr_z")),
        ("nobody@example.org", None, None),
        ("usr_404", None, None),
    ];
    for (name, application, expected) in names {
        let found = db.find_user(name, application).await.unwrap();
        assert_eq!(
            found.as_ref().map(|user| user.id.as_str()),
            expected,
            "{name} in {application:?}"
        );
        let mut tx = db.begin().await.unwrap();
        let found_in_tx = tx.find_user(name, application).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(found_in_tx, found, "{name} in {application:?}");
    }
}

pub async fn organizations_are_found_by_every_name(db: &Db) {
    commit(db, 10, every_change()).await;
    let number = EnterpriseNumber::from_body(1_234_567).unwrap();
    let names = [
        ("org_a".to_owned(), Some("org_a")),
        (number.digits().to_owned(), Some("org_a")),
        (number.to_string(), Some("org_a")),
        (format!("BE{}", number.digits()), Some("org_a")),
        ("FOREIGN-1".to_owned(), Some("org_b")),
        ("foreign-1".to_owned(), None),
        ("org_404".to_owned(), None),
    ];
    for (name, expected) in names {
        let found = db.find_organization(&name).await.unwrap();
        assert_eq!(found.as_ref().map(|o| o.id.as_str()), expected, "{name}");
        let mut tx = db.begin().await.unwrap();
        assert_eq!(tx.find_organization(&name).await.unwrap(), found, "{name}");
        tx.rollback().await.unwrap();
    }
}

pub async fn rollback_writes_nothing(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    tx.insert_token(token("tok_1", "usr_1"));
    tx.rollback().await.unwrap();
    // A dropped transaction rolls back too, and frees the writer lock.
    drop(db.begin().await.unwrap());
    commit(db, 1, vec![Change::User(user("usr_1", None, None))]).await;
    assert_eq!(db.current_revision().await.unwrap(), 1);
    assert_eq!(db.find_token("tok_1").await.unwrap(), None);
    assert_eq!(event_count(db).await, 1);
}
