//! The property that matters: on random small worlds, changed step by step, the engine
//! answers every question exactly as the reference evaluator does.
//!
//! Worlds are drawn from small pools of names so that collisions happen: two users with one
//! e-mail, a subject id that looks like a user id or an e-mail, a role key declared twice,
//! grants and resources naming organisations or users that were never registered, levels
//! that do not exist. Each step applies a batch of random changes (full new states of
//! grants, memberships, organisations, users, suspensions, resources, applications,
//! mandates, subscriptions, subject ids, levels) to both, then compares `evaluate` and the
//! three reverse questions over every combination of names, actions, resources (registered,
//! described by overrides, unknown), session levels and moments.

use proptest::prelude::*;
use proptest::sample::select;

use super::*;

const ACTIONS: [&str; 4] = ["read", "edit", "delete", "approve"];
const ROLE_KEYS: [&str; 4] = ["r0", "r1", "r2", "r3"];
const MATTERS: [&str; 3] = ["m1", "m2", "mx"];
const CATEGORIES: [&str; 3] = ["c1", "c2", "cx"];
const PAIRS: [(&str, &str); 4] = [("m1", "c1"), ("m1", "c2"), ("m2", "c1"), ("m2", "c2")];
const TYPES: [&str; 2] = ["dossier", "report"];
const RESOURCE_IDS: [&str; 3] = ["d1", "d2", "d3"];
/// Organisation indices drawn; only some are registered, the others stay unknown names.
const ORGS: u8 = 4;
/// User indices drawn; likewise.
const USERS: u8 = 6;
const EMAILS: [&str; 3] = ["anne@a.be", "bert@b.be", "shared@c.be"];
const EXTERNAL_IDS: [&str; 2] = ["ext-a", "ext-b"];
/// Subject ids, some shaped like a user id or an e-mail to test which name wins.
const SUBJECTS: [&str; 4] = ["s1", "s2", "usr_1", "x@y.be"];
/// With moments before 1970 and past 2106, where a grant's short window (32-bit seconds) cannot
/// tell and the rule reads its exact window.
const TIMES: [i64; 7] = [-10, 0, 10, 20, 30, 4_294_967_295, 5_000_000_000];
const MOMENTS: [i64; 5] = [-5, 5, 10, 20, 4_294_967_300];
const LEVELS: [Option<u8>; 3] = [None, Some(1), Some(2)];

fn org_name(index: u8) -> String {
    format!("org_{index}")
}

fn user_name(index: u8) -> String {
    format!("usr_{index}")
}

fn app_name(index: u8) -> String {
    format!("app{index}")
}

fn national_number(index: u8) -> NationalNumber {
    NationalNumber::from_parts(80 + u32::from(index), 1, 2, 100).unwrap()
}

fn enterprise_number(index: u8) -> EnterpriseNumber {
    EnterpriseNumber::from_body(2_000_000 + u32::from(index)).unwrap()
}

fn pick<T: Copy>(items: &[T], index: u8) -> T {
    items[usize::from(index) % items.len()]
}

fn as_strs(texts: &[String]) -> Vec<&str> {
    texts.iter().map(String::as_str).collect()
}

fn subset(items: &[&str], mask: u8) -> Vec<String> {
    items
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, item)| (*item).to_owned())
        .collect()
}

/// A mask over four items, each in with probability `p`.
fn mask(p: f64) -> impl Strategy<Value = u8> {
    prop::collection::vec(prop::bool::weighted(p), 4).prop_map(|bits| {
        bits.iter()
            .enumerate()
            .filter(|(_, bit)| **bit)
            .map(|(i, _)| 1u8 << i)
            .sum()
    })
}

fn time() -> impl Strategy<Value = Timestamp> {
    select(TIMES.to_vec()).prop_map(Timestamp)
}

/// Mostly open windows, so that enough grants are in force; sometimes any window.
fn window() -> impl Strategy<Value = Validity> {
    prop_oneof![
        2 => Just(Validity::from(Timestamp(0))),
        1 => (time(), prop::option::of(time())).prop_map(|(from, until)| Validity { from, until }),
    ]
}

#[derive(Clone, Debug)]
enum ScopePlan {
    All,
    Matters(u8),
    Categories(u8),
}

impl ScopePlan {
    fn scope(&self) -> Scope {
        match self {
            ScopePlan::All => Scope::All,
            ScopePlan::Matters(mask) => {
                Scope::Matters(subset(&MATTERS, *mask).iter().map(|m| key(m)).collect())
            }
            ScopePlan::Categories(mask) => Scope::Categories(
                PAIRS
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, (m, c))| (key(m), key(c)))
                    .collect(),
            ),
        }
    }
}

fn scope() -> impl Strategy<Value = ScopePlan> {
    prop_oneof![
        2 => Just(ScopePlan::All),
        1 => (0u8..8).prop_map(ScopePlan::Matters),
        1 => (0u8..16).prop_map(ScopePlan::Categories),
        // One matter or one category, the usual scopes (kept inline in a grant's record).
        1 => (0u8..3).prop_map(|i| ScopePlan::Matters(1 << i)),
        1 => (0u8..4).prop_map(|i| ScopePlan::Categories(1 << i)),
    ]
}

fn organization_change() -> impl Strategy<Value = Change> {
    (
        0u8..ORGS,
        prop::option::of(0u8..3),
        prop::option::of(0u8..2),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(index, number, external, suspended)| {
            Change::Organization(Organization {
                external_id: external.map(|e| pick(&EXTERNAL_IDS, e).to_owned()),
                suspended: suspended.then(|| Suspended {
                    reason: "test".into(),
                    by: None,
                    at: Timestamp(0),
                }),
                ..organization(&org_name(index), number.map(enterprise_number))
            })
        })
}

fn user_change() -> impl Strategy<Value = Change> {
    (
        0u8..USERS,
        prop::option::of(0u8..3),
        prop::option::of(0u8..3),
    )
        .prop_map(|(index, number, email)| {
            Change::User(user(
                &user_name(index),
                number.map(national_number),
                email.map(|e| pick(&EMAILS, e)),
            ))
        })
}

fn role_plan() -> impl Strategy<Value = Role> {
    (
        0u8..4,
        mask(0.6),
        mask(0.3),
        select(vec![
            None,
            None,
            Some("low"),
            Some("low"),
            Some("high"),
            Some("ghost"),
        ]),
        // Mostly scoped, so that grants whose scope leaves the resource out are common.
        prop::bool::weighted(0.8),
    )
        .prop_map(|(key_index, permissions, owned, level, scoped)| {
            let permissions = subset(&ACTIONS, permissions);
            let owned = subset(&ACTIONS, owned);
            role(
                pick(&ROLE_KEYS, key_index),
                &as_strs(&permissions),
                &as_strs(&owned),
                level,
                scoped,
            )
        })
}

fn application_change(index: impl Strategy<Value = u8>) -> impl Strategy<Value = Change> {
    (
        index,
        // Mostly org_0, so that application-wide grants there are common.
        prop_oneof![2 => Just(0u8), 1 => 0u8..ORGS],
        prop_oneof![2 => Just(15u8), 1 => 1u8..16],
        prop::collection::vec(role_plan(), 2..=4),
    )
        .prop_map(|(index, owner, permissions, roles)| {
            let permissions = subset(&ACTIONS, permissions);
            let permissions: Vec<&str> = permissions.iter().map(String::as_str).collect();
            Change::Application(application(
                &app_name(index),
                &org_name(owner),
                &permissions,
                roles,
            ))
        })
}

fn subscription_change() -> impl Strategy<Value = Change> {
    (0u8..ORGS, 0u8..2, prop::bool::weighted(0.8))
        .prop_map(|(org, app, present)| subscription(&org_name(org), &app_name(app), present))
}

fn subject_id_change() -> impl Strategy<Value = Change> {
    (0u8..2, 0u8..4, 0u8..USERS, prop::bool::weighted(0.8)).prop_map(
        |(app, subject, user, present)| Change::SubjectId {
            application: key(&app_name(app)),
            subject_id: pick(&SUBJECTS, subject).to_owned(),
            user: UserId::new(user_name(user)),
            present,
        },
    )
}

fn membership_of(org: u8, user: u8) -> impl Strategy<Value = Change> {
    window().prop_map(move |window| {
        Change::Membership(Membership {
            since: window.from,
            ..membership(&org_name(org), &user_name(user), window.until)
        })
    })
}

fn membership_change() -> impl Strategy<Value = Change> {
    (0u8..ORGS, 0u8..USERS).prop_flat_map(|(org, user)| membership_of(org, user))
}

fn grant_change() -> impl Strategy<Value = Change> {
    (
        (
            0u8..12,
            0u8..USERS,
            // Often in org_0, the usual owner, so that application-wide grants count.
            prop_oneof![1 => Just(0u8), 2 => 0u8..ORGS],
            0u8..2,
            0u8..4,
        ),
        scope(),
        prop::bool::weighted(0.4),
        window(),
        prop_oneof![
            6 => Just(Status::Active),
            1 => Just(Status::Pending),
            1 => Just(Status::Revoked),
            1 => Just(Status::Rejected),
        ],
    )
        .prop_map(
            |((id, user, org, app, role_key), scope, wide, validity, status)| {
                Change::Grant(Grant {
                    scope: scope.scope(),
                    reach: if wide {
                        Reach::AllSubscribers
                    } else {
                        Reach::Organization
                    },
                    validity,
                    status,
                    ..grant(
                        &format!("grt_{id}"),
                        &user_name(user),
                        &org_name(org),
                        &app_name(app),
                        pick(&ROLE_KEYS, role_key),
                    )
                })
            },
        )
}

/// A grant, most of the time with a membership of its user in its organisation, and
/// sometimes with a mandate to its organisation, so that enough grants count.
fn grant_with_membership() -> impl Strategy<Value = Vec<Change>> {
    grant_change().prop_flat_map(|change| {
        let Change::Grant(grant) = &change else {
            unreachable!()
        };
        let index = |name: &str, prefix: &str| -> u8 {
            name.strip_prefix(prefix).unwrap().parse().unwrap()
        };
        let org = index(grant.organization.as_str(), "org_");
        let user = index(grant.user.as_str(), "usr_");
        let app = index(grant.application.as_str(), "app");
        (
            Just(change),
            prop::option::weighted(0.8, membership_of(org, user)),
            prop::option::weighted(0.3, mandate_for(org, app)),
        )
            .prop_map(|(grant, membership, mandate)| {
                membership
                    .into_iter()
                    .chain(mandate)
                    .chain([grant])
                    .collect()
            })
    })
}

fn mandate_change() -> impl Strategy<Value = Change> {
    (0u8..ORGS, 0u8..2).prop_flat_map(|(mandatary, app)| mandate_for(mandatary, app))
}

fn mandate_for(mandatary: u8, app: u8) -> impl Strategy<Value = Change> {
    (
        (0u8..4, 0u8..ORGS, Just(mandatary), Just(app)),
        prop_oneof![2 => Just(ScopePlan::All), 1 => scope()],
        window(),
        prop_oneof![
            4 => Just(MandateStatus::Active),
            1 => Just(MandateStatus::Proposed),
            1 => Just(MandateStatus::Ended),
            1 => Just(MandateStatus::Rejected),
        ],
    )
        .prop_map(
            |((id, mandator, mandatary, app), scope, validity, status)| {
                Change::Mandate(Mandate {
                    validity,
                    status,
                    ..mandate(
                        &format!("mnd_{id}"),
                        &org_name(mandator),
                        &org_name(mandatary),
                        &app_name(app),
                        scope.scope(),
                    )
                })
            },
        )
}

fn suspension_change() -> impl Strategy<Value = Change> {
    (
        0u8..4,
        0u8..USERS,
        prop::option::of(0u8..2),
        time(),
        prop::option::of(time()),
    )
        .prop_map(|(id, user, app, at, lifted)| {
            let app = app.map(app_name);
            Change::Suspension(Suspension {
                lifted: lifted.map(ended),
                ..suspension(&format!("sus_{id}"), &user_name(user), app.as_deref(), at)
            })
        })
}

fn resource_change() -> impl Strategy<Value = Change> {
    (
        (0u8..2, 0u8..2, 0u8..4, 0u8..ORGS),
        prop::option::of(0u8..3),
        prop::option::of(0u8..3),
        prop::option::of(0u8..USERS),
    )
        .prop_map(|((app, kind, id, org), matter, category, owner)| {
            let owner = owner.map(user_name);
            Change::Resource(resource(
                &app_name(app),
                pick(&TYPES, kind),
                pick(&RESOURCE_IDS, id),
                &org_name(org),
                matter.map(|m| pick(&MATTERS, m)),
                category.map(|c| pick(&CATEGORIES, c)),
                owner.as_deref(),
            ))
        })
}

fn resource_removal() -> impl Strategy<Value = Change> {
    (0u8..2, 0u8..2, 0u8..4).prop_map(|(app, kind, id)| Change::ResourceRemoved {
        application: key(&app_name(app)),
        resource_type: key(pick(&TYPES, kind)),
        id: pick(&RESOURCE_IDS, id).to_owned(),
    })
}

fn levels_change() -> impl Strategy<Value = Change> {
    let level = |name: &str, rank: u8| SecurityLevel {
        key: key(name),
        rank,
        acr_values: Vec::new(),
    };
    select(vec![
        Levels::default(),
        Levels {
            levels: vec![level("low", 2), level("high", 1)],
        },
        Levels {
            levels: vec![level("low", 1)],
        },
        Levels {
            levels: vec![level("low", 1), level("high", 3)],
        },
    ])
    .prop_map(Change::Levels)
}

/// Changes that must be accepted but decide nothing.
fn inert_change() -> impl Strategy<Value = Change> {
    (0u8..ORGS, 0u8..USERS, any::<bool>()).prop_map(|(org, user, present)| {
        if present {
            Change::LegalRepresentative {
                organization: OrganizationId::new(org_name(org)),
                user: UserId::new(user_name(user)),
                present,
            }
        } else {
            Change::Operator {
                user: UserId::new(user_name(user)),
                present,
            }
        }
    })
}

fn any_change() -> impl Strategy<Value = Vec<Change>> {
    let single = prop_oneof![
        2 => membership_change(),
        2 => organization_change(),
        1 => user_change(),
        2 => suspension_change(),
        2 => resource_change(),
        2 => resource_removal(),
        1 => application_change(0u8..2),
        2 => subscription_change(),
        2 => mandate_change(),
        1 => subject_id_change(),
        1 => levels_change(),
        1 => inert_change(),
    ];
    prop_oneof![
        1 => grant_with_membership(),
        4 => single.prop_map(|change| vec![change]),
    ]
}

/// The initial world as one batch (registered organisations, users and applications first,
/// as a store would load them), then the steps, each a batch.
fn scenario() -> impl Strategy<Value = (Vec<Change>, Vec<Vec<Change>>)> {
    let registry = (
        prop::collection::vec(organization_change(), 2..=4),
        prop::collection::vec(user_change(), 3..=6),
        application_change(Just(0)),
        prop::option::weighted(0.8, application_change(Just(1))),
    );
    let relations = (
        // Each organisation subscribes to each application with probability 0.6.
        prop::collection::vec(prop::bool::weighted(0.6), usize::from(ORGS) * 2),
        prop::collection::vec(subject_id_change(), 0..=3),
        prop::collection::vec(membership_change(), 0..=4),
        prop::collection::vec(grant_with_membership(), 4..=10),
        prop::collection::vec(mandate_change(), 1..=4),
        prop::collection::vec(suspension_change(), 0..=3),
        prop::collection::vec(resource_change(), 4..=10),
    );
    let steps = prop::collection::vec(
        prop::collection::vec(any_change(), 1..=3).prop_map(|batch| batch.concat()),
        1..=4,
    );
    (registry, relations, steps).prop_map(|(registry, relations, steps)| {
        let (orgs, users, first_app, other_app) = registry;
        let apps: Vec<Change> = [first_app].into_iter().chain(other_app).collect();
        let (subscriptions, subjects, memberships, grants, mandates, suspensions, resources) =
            relations;
        let subscriptions: Vec<Change> = (0..ORGS)
            .flat_map(|org| (0..2).map(move |app| (org, app)))
            .zip(subscriptions)
            .filter(|(_, subscribed)| *subscribed)
            .map(|((org, app), _)| subscription(&org_name(org), &app_name(app), true))
            .collect();
        let initial = [
            orgs,
            users,
            apps,
            subscriptions,
            subjects,
            memberships,
            grants.concat(),
            mandates,
            suspensions,
            resources,
        ]
        .concat();
        (initial, steps)
    })
}

/// Names a user may be asked by: every Habilis id, and a few others (numbers with
/// punctuation, e-mails in capitals, subject ids, nobody), rotated by step to keep the
/// number of questions down.
fn subject_names(step: usize) -> Vec<String> {
    let mut others: Vec<String> = Vec::new();
    others.extend((0..3).map(|i| national_number(i).to_string()));
    others.extend(EMAILS.iter().map(|e| e.to_uppercase()));
    others.extend(SUBJECTS.iter().map(|s| (*s).to_owned()));
    others.push("nobody".into());
    let mut names: Vec<String> = (0..USERS).map(user_name).collect();
    names.extend((0..4).map(|i| others[(step * 4 + i) % others.len()].clone()));
    names
}

/// The resources questions are about: every registered key (whether registered now or
/// not), and some described or amended by overrides.
fn resources_asked() -> Vec<(&'static str, &'static str, ResourceOverrides)> {
    let mut asked = Vec::new();
    for kind in TYPES {
        for id in RESOURCE_IDS {
            asked.push((kind, id, ResourceOverrides::default()));
        }
    }
    let with = |change: fn(&mut ResourceOverrides)| {
        let mut overrides = ResourceOverrides::default();
        change(&mut overrides);
        overrides
    };
    let number = enterprise_number(0).to_string();
    let amended = [
        with(|o| o.organization = Some("org_1".into())),
        with(|o| o.organization = Some("ext-a".into())),
        with(|o| o.organization = Some("org_9".into())),
        with(|o| {
            o.matter = Some("m1".into());
            o.category = Some("c2".into());
        }),
        with(|o| o.matter = Some("bad key".into())),
        with(|o| o.matter = Some("mx".into())),
        with(|o| o.owner = Some("shared@c.be".into())),
        with(|o| o.owner = Some("s1".into())),
        with(|o| o.owner = Some("usr_2".into())),
    ];
    for overrides in amended {
        asked.push(("dossier", "d1", overrides));
    }
    let by_number = ResourceOverrides {
        organization: Some(number),
        ..ResourceOverrides::default()
    };
    asked.push(("report", "d2", by_number));
    asked.push((
        "dossier",
        "unregistered",
        ResourceOverrides {
            matter: Some("m2".into()),
            ..ResourceOverrides::default()
        },
    ));
    asked
}

fn reference_resources(
    world: &World,
    app: &str,
    subject: &str,
    action: &str,
    kind: &str,
    level: Option<u8>,
    at: Timestamp,
) -> Vec<String> {
    let Some(application) = world.applications.get(app) else {
        return Vec::new();
    };
    let Some(user) = world.resolve_user(subject, Some(app)) else {
        return Vec::new();
    };
    decision::search_resources(world, &user.id, action, application, kind, level, at)
        .into_iter()
        .collect()
}

fn reference_subjects(
    world: &World,
    app: &str,
    action: &str,
    (kind, id, overrides): &(&str, &str, ResourceOverrides),
    level: Option<u8>,
    at: Timestamp,
) -> Vec<UserId> {
    let Some(application) = world.applications.get(app) else {
        return Vec::new();
    };
    let Some(resource) = decision::resolve_resource(world, application, kind, id, overrides) else {
        return Vec::new();
    };
    decision::search_subjects(world, action, application, &resource, level, at)
        .into_iter()
        .collect()
}

fn reference_actions(
    world: &World,
    app: &str,
    subject: &str,
    (kind, id, overrides): &(&str, &str, ResourceOverrides),
    level: Option<u8>,
    at: Timestamp,
) -> Vec<Key> {
    let Some(application) = world.applications.get(app) else {
        return Vec::new();
    };
    let Some(user) = world.resolve_user(subject, Some(app)) else {
        return Vec::new();
    };
    let Some(resource) = decision::resolve_resource(world, application, kind, id, overrides) else {
        return Vec::new();
    };
    decision::search_actions(world, &user.id, application, &resource, level, at)
        .into_iter()
        .collect()
}

/// Puts every question to both and returns the disagreements, described.
fn disagreements(world: &World, snapshot: &Snapshot, step: usize) -> Vec<String> {
    let mut found = Vec::new();
    let names = subject_names(step);
    let resources = resources_asked();
    let mut actions: Vec<&str> = ACTIONS.to_vec();
    actions.push("print");
    // Batched, as the evaluations endpoint decides: every question of the step in one
    // batch, with a gap every seventh item, each answer the reference's (gathered below).
    let mut batch: Vec<Option<(Question, Result<(), DenyReason>)>> = Vec::new();
    for app in ["app0", "app1"] {
        for at in MOMENTS.map(Timestamp) {
            for level in LEVELS {
                for subject in &names {
                    for action in &actions {
                        for (kind, id, overrides) in &resources {
                            let question = Question {
                                application: app.into(),
                                subject: subject.clone(),
                                action: (*action).into(),
                                resource_type: (*kind).into(),
                                resource_id: (*id).into(),
                                overrides: overrides.clone(),
                                level,
                                at,
                            };
                            let engine = snapshot.evaluate(&question);
                            let reference = decision::evaluate(world, &question);
                            if !engine.agrees_with(&reference) {
                                found.push(format!(
                                    "evaluate {question:?}: engine {engine:?}, reference {reference:?}"
                                ));
                            }
                            // The allocation-free path the benchmark measures and servers
                            // use must say the same yes or no.
                            let asked = crate::Asked::of(&question);
                            let verdict = snapshot.verdict(&asked);
                            let expected = match &reference {
                                Decision::Allow { .. } => Ok(()),
                                Decision::Deny(reason) => Err(reason.clone()),
                            };
                            if verdict != expected {
                                found.push(format!(
                                    "verdict {question:?}: engine {verdict:?}, reference {reference:?}"
                                ));
                            }
                            if snapshot.check(&asked) != reference.is_allowed() {
                                found.push(format!(
                                    "check {question:?}: engine {}, reference {reference:?}",
                                    snapshot.check(&asked)
                                ));
                            }
                            if batch.len() % 7 == 3 {
                                batch.push(None);
                            }
                            batch.push(Some((question.clone(), expected)));
                        }
                        for kind in TYPES {
                            let engine =
                                snapshot.search_resources(app, subject, action, kind, level, at);
                            let reference =
                                reference_resources(world, app, subject, action, kind, level, at);
                            if engine != reference {
                                found.push(format!(
                                    "search_resources {app} {subject} {action} {kind} {level:?} {at:?}: engine {engine:?}, reference {reference:?}"
                                ));
                            }
                        }
                    }
                    for asked in &resources {
                        let (kind, id, overrides) = asked;
                        let engine =
                            snapshot.search_actions(app, subject, kind, id, overrides, level, at);
                        let reference = reference_actions(world, app, subject, asked, level, at);
                        if engine != reference {
                            found.push(format!(
                                "search_actions {app} {subject} {asked:?} {level:?} {at:?}: engine {engine:?}, reference {reference:?}"
                            ));
                        }
                    }
                }
                for action in &actions {
                    for asked in &resources {
                        let (kind, id, overrides) = asked;
                        let engine =
                            snapshot.search_subjects(app, action, kind, id, overrides, level, at);
                        let reference = reference_subjects(world, app, action, asked, level, at);
                        if engine != reference {
                            found.push(format!(
                                "search_subjects {app} {action} {asked:?} {level:?} {at:?}: engine {engine:?}, reference {reference:?}"
                            ));
                        }
                    }
                }
            }
        }
    }
    let asked: Vec<Option<crate::Asked<'_>>> = batch
        .iter()
        .map(|item| {
            item.as_ref()
                .map(|(question, _)| crate::Asked::of(question))
        })
        .collect();
    let mut answered = 0;
    snapshot.verdicts(&asked, |index, verdict| {
        answered += 1;
        let item = batch.get(index).and_then(Option::as_ref);
        let question = item.map(|(question, _)| question);
        let expected = item.map(|(_, expected)| expected.clone());
        if index + 1 != answered || verdict != expected {
            found.push(format!(
                "verdicts, item {index} ({question:?}): engine {verdict:?}, reference {expected:?}"
            ));
        }
        std::ops::ControlFlow::Continue(())
    });
    if answered != batch.len() {
        found.push(format!("verdicts answered {answered} of {}", batch.len()));
    }
    // Stopped by the caller, it decides no further.
    let mut stopped_after = 0;
    snapshot.verdicts(&asked, |index, _| {
        stopped_after = index + 1;
        if index == 11 {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    });
    if stopped_after != 12.min(batch.len()) {
        found.push(format!(
            "verdicts went on to item {stopped_after} after a break at 11"
        ));
    }
    // An application nobody registered.
    for subject in &names {
        let question = Question {
            application: "app7".into(),
            subject: subject.clone(),
            action: "read".into(),
            resource_type: "dossier".into(),
            resource_id: "d1".into(),
            overrides: ResourceOverrides::default(),
            level: None,
            at: Timestamp(10),
        };
        let engine = snapshot.evaluate(&question);
        if !engine.agrees_with(&decision::evaluate(world, &question)) {
            found.push(format!("evaluate {question:?}: engine {engine:?}"));
        }
        let none = ResourceOverrides::default();
        let at = Timestamp(10);
        if !snapshot
            .search_resources("app7", subject, "read", "dossier", None, at)
            .is_empty()
            || !snapshot
                .search_subjects("app7", "read", "dossier", "d1", &none, None, at)
                .is_empty()
            || !snapshot
                .search_actions("app7", subject, "dossier", "d1", &none, None, at)
                .is_empty()
        {
            found.push(format!("a search about app7 by {subject} found something"));
        }
    }
    for subject in &names {
        for app in ["app0", "app1"] {
            let engine = snapshot.resolve_user(subject, Some(app));
            let reference = world.resolve_user(subject, Some(app)).map(|u| u.id.clone());
            if engine != reference {
                found.push(format!(
                    "resolve_user {subject} {app}: engine {engine:?}, reference {reference:?}"
                ));
            }
        }
    }
    for user in (0..USERS).map(|i| UserId::new(user_name(i))) {
        for app in ["app0", "app1"] {
            let engine = snapshot.subject_name(&user, app);
            let reference = world.subject_name(&user, app);
            if engine != reference {
                found.push(format!(
                    "subject_name {user} {app}: engine {engine}, reference {reference}"
                ));
            }
        }
    }
    let stats = snapshot.stats();
    let expected = EngineStats {
        users: world.users.len(),
        organizations: world.organizations.len(),
        applications: world.applications.len(),
        grants: world
            .grants
            .values()
            .filter(|g| g.status == Status::Active)
            .count(),
        resources: world.resources.len(),
    };
    if stats != expected {
        found.push(format!("stats: engine {stats:?}, reference {expected:?}"));
    }
    found
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_engine_agrees_with_the_reference((initial, steps) in scenario()) {
        let mut world = World::default();
        for change in &initial {
            world.apply(change);
        }
        // Half the scenarios start as a server does (a load into tables sized from counts
        // that may be too small or too large, then compacted), half as a first batch.
        let engine = if initial.len() % 2 == 0 {
            let mut loading = Loading::expecting(Expected {
                users: initial.len() % 7,
                grants: initial.len() * 3,
                resources: initial.len() % 3,
            });
            loading.apply(&initial);
            EngineHost::loaded(loading, 1)
        } else {
            let engine = EngineHost::new();
            engine.apply(1, &initial);
            engine
        };
        let mut problems = disagreements(&world, &engine.snapshot(), 0);
        for (index, batch) in steps.iter().enumerate() {
            for change in batch {
                world.apply(change);
            }
            let revision = u64::try_from(index).unwrap() + 2;
            engine.apply(revision, batch);
            prop_assert_eq!(engine.revision(), revision);
            problems.extend(disagreements(&world, &engine.snapshot(), index + 1));
        }
        let shown: Vec<&String> = problems.iter().take(10).collect();
        prop_assert!(problems.is_empty(), "{} disagreements, first: {:#?}", problems.len(), shown);
    }
}

/// What a decision came to: the allowing way, or the deny reason's code.
fn outcome(decision: &Decision) -> &'static str {
    match decision {
        Decision::Allow {
            via: Via::Organization,
            ..
        } => "via_organization",
        Decision::Allow {
            via: Via::ApplicationWide,
            ..
        } => "via_application_wide",
        Decision::Allow {
            via: Via::Mandate(_),
            ..
        } => "via_mandate",
        Decision::Deny(reason) => reason.code(),
    }
}

/// The agreement above proves little if the generated worlds never allow through a mandate,
/// say. This samples scenarios with a fixed seed and checks that the reference reaches every
/// outcome on them.
#[test]
fn the_generated_worlds_reach_every_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let expected: BTreeSet<&str> = [
        "via_organization",
        "via_application_wide",
        "via_mandate",
        "unknown_application",
        "unknown_subject",
        "unknown_action",
        "unknown_resource",
        "user_suspended",
        "organization_suspended",
        "no_grant",
        "outside_scope",
        "not_owner",
        "step_up",
    ]
    .into();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut runner = TestRunner::deterministic();
    let resources = resources_asked();
    for _ in 0..64 {
        let (initial, _) = scenario().new_tree(&mut runner).unwrap().current();
        let mut world = World::default();
        for change in &initial {
            world.apply(change);
        }
        for app in ["app0", "app1", "app7"] {
            for subject in subject_names(0) {
                for action in ["read", "edit", "delete", "approve", "print"] {
                    for (kind, id, overrides) in &resources {
                        for level in LEVELS {
                            let question = Question {
                                application: app.into(),
                                subject: subject.clone(),
                                action: action.into(),
                                resource_type: (*kind).into(),
                                resource_id: (*id).into(),
                                overrides: overrides.clone(),
                                level,
                                at: Timestamp(10),
                            };
                            seen.insert(outcome(&decision::evaluate(&world, &question)));
                        }
                    }
                }
            }
        }
        if seen == expected {
            return;
        }
    }
    let missing: Vec<&&str> = expected.difference(&seen).collect();
    panic!("the generated worlds never reached {missing:?}");
}
