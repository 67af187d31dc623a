//! Readable examples of the engine's answers, each also checked against the reference
//! evaluator, and builders of entities shared with the property test in `agreement`.

mod agreement;

use std::collections::BTreeSet;

use habilis_domain::decision::{self, Decision, DenyReason, Question, ResourceOverrides, Via};
use habilis_domain::*;

use super::*;

const T0: Timestamp = Timestamp(1_000);
const NOW: Timestamp = Timestamp(2_000);
const LATER: Timestamp = Timestamp(3_000);

pub(crate) fn key(text: &str) -> Key {
    Key::parse("key", text).unwrap()
}

pub(crate) fn keys(texts: &[&str]) -> BTreeSet<Key> {
    texts.iter().map(|t| key(t)).collect()
}

pub(crate) fn organization(id: &str, number: Option<EnterpriseNumber>) -> Organization {
    Organization {
        id: OrganizationId::new(id),
        enterprise_number: number,
        external_id: None,
        kind: OrganizationKind::Commune,
        name: LocalizedName::same(id),
        suspended: None,
        require_approval: false,
        created_at: Timestamp(0),
    }
}

pub(crate) fn user(id: &str, number: Option<NationalNumber>, email: Option<&str>) -> User {
    User {
        id: UserId::new(id),
        national_number: number,
        email: email.map(|e| Email::parse(e).unwrap()),
        given_name: id.into(),
        family_name: "Test".into(),
        language: Language::Fr,
        created_at: Timestamp(0),
    }
}

pub(crate) fn membership(org: &str, user: &str, ended_at: Option<Timestamp>) -> Membership {
    Membership {
        organization: OrganizationId::new(org),
        user: UserId::new(user),
        since: Timestamp(0),
        ended_at,
    }
}

pub(crate) fn role(
    name: &str,
    permissions: &[&str],
    owned: &[&str],
    level: Option<&str>,
    scoped: bool,
) -> Role {
    Role {
        key: key(name),
        name: LocalizedName::same(name),
        permissions: keys(permissions),
        owned_permissions: keys(owned),
        level: level.map(key),
        scoped,
        requires_approval: false,
    }
}

pub(crate) fn application(
    name: &str,
    owner: &str,
    permissions: &[&str],
    roles: Vec<Role>,
) -> Application {
    Application {
        key: key(name),
        name: LocalizedName::same(name),
        owner: OrganizationId::new(owner),
        contexts: [Context::CivilServant].into(),
        permissions: keys(permissions),
        roles,
        taxonomy: ["m1", "m2"]
            .iter()
            .map(|m| Matter {
                key: key(m),
                name: LocalizedName::same(m),
                categories: ["c1", "c2"]
                    .iter()
                    .map(|c| Category {
                        key: key(c),
                        name: LocalizedName::same(c),
                    })
                    .collect(),
            })
            .collect(),
        self_grant: SelfGrantPolicy::Allow,
        exclusive_roles: Vec::new(),
        resource_properties: ResourceProperties::default(),
        created_at: Timestamp(0),
    }
}

pub(crate) fn subscription(org: &str, app: &str, present: bool) -> Change {
    Change::Subscription {
        subscription: Subscription {
            organization: OrganizationId::new(org),
            application: key(app),
            since: Timestamp(0),
        },
        present,
    }
}

pub(crate) fn grant(id: &str, user: &str, org: &str, app: &str, role: &str) -> Grant {
    Grant {
        id: GrantId::new(id),
        user: UserId::new(user),
        organization: OrganizationId::new(org),
        application: key(app),
        role: key(role),
        scope: Scope::All,
        reach: Reach::Organization,
        validity: Validity::from(Timestamp(0)),
        status: Status::Active,
        granted_by: None,
        reason: String::new(),
        flagged: false,
        ended: None,
        created_at: Timestamp(0),
    }
}

pub(crate) fn mandate(
    id: &str,
    mandator: &str,
    mandatary: &str,
    app: &str,
    scope: Scope,
) -> Mandate {
    Mandate {
        id: MandateId::new(id),
        mandator: OrganizationId::new(mandator),
        mandatary: OrganizationId::new(mandatary),
        application: key(app),
        scope,
        validity: Validity::from(Timestamp(0)),
        status: MandateStatus::Active,
        proposed_by: OrganizationId::new(mandator),
        proposed_by_user: None,
        ended: None,
        created_at: Timestamp(0),
    }
}

pub(crate) fn suspension(id: &str, user: &str, app: Option<&str>, at: Timestamp) -> Suspension {
    Suspension {
        id: SuspensionId::new(id),
        user: UserId::new(user),
        application: app.map(key),
        reason: "test".into(),
        by: None,
        at,
        lifted: None,
    }
}

pub(crate) fn ended(at: Timestamp) -> Ended {
    Ended {
        at,
        by: None,
        reason: "test".into(),
    }
}

pub(crate) fn resource(
    app: &str,
    kind: &str,
    id: &str,
    org: &str,
    matter: Option<&str>,
    category: Option<&str>,
    owner: Option<&str>,
) -> Resource {
    Resource {
        application: key(app),
        resource_type: key(kind),
        id: id.into(),
        organization: OrganizationId::new(org),
        matter: matter.map(key),
        category: category.map(key),
        owner: owner.map(UserId::new),
    }
}

/// A world and an engine fed the same changes.
struct Fixture {
    world: World,
    engine: EngineHost,
    revision: u64,
}

impl Fixture {
    /// Two communes using the `dossiers` application owned by the region `spw`:
    /// - `anne` (member of `namur`) is a `reader` there;
    /// - `bob` (member of `spw`) is an application-wide `inspector`;
    /// - `carl` (member of `namur`) is an `author`, who edits only what he owns;
    /// - `dora` (member of `liege`) holds nothing.
    fn new() -> Fixture {
        let mut fixture = Fixture {
            world: World::default(),
            engine: EngineHost::new(),
            revision: 0,
        };
        let number = NationalNumber::from_parts(85, 7, 14, 123);
        let roles = vec![
            role("reader", &["read"], &[], Some("low"), true),
            role("inspector", &["read", "edit"], &[], Some("high"), false),
            role("author", &["read"], &["edit"], None, false),
        ];
        fixture.apply(vec![
            Change::Organization(organization("spw", None)),
            Change::Organization(organization(
                "namur",
                EnterpriseNumber::from_body(2_071_632),
            )),
            Change::Organization(organization("liege", None)),
            Change::User(user("anne", number, Some("anne@namur.be"))),
            Change::User(user("bob", None, None)),
            Change::User(user("carl", None, None)),
            Change::User(user("dora", None, None)),
            Change::Membership(membership("namur", "anne", None)),
            Change::Membership(membership("spw", "bob", None)),
            Change::Membership(membership("namur", "carl", None)),
            Change::Membership(membership("liege", "dora", None)),
            Change::Application(application(
                "dossiers",
                "spw",
                &["read", "edit", "delete"],
                roles,
            )),
            subscription("namur", "dossiers", true),
            Change::Grant(grant("g-anne", "anne", "namur", "dossiers", "reader")),
            Change::Grant(Grant {
                reach: Reach::AllSubscribers,
                ..grant("g-bob", "bob", "spw", "dossiers", "inspector")
            }),
            Change::Grant(grant("g-carl", "carl", "namur", "dossiers", "author")),
            Change::Resource(resource(
                "dossiers",
                "dossier",
                "n1",
                "namur",
                Some("m1"),
                Some("c1"),
                Some("carl"),
            )),
            Change::Resource(resource(
                "dossiers",
                "dossier",
                "n2",
                "namur",
                Some("m2"),
                Some("c1"),
                None,
            )),
            Change::Resource(resource(
                "dossiers",
                "dossier",
                "l1",
                "liege",
                Some("m1"),
                None,
                None,
            )),
        ]);
        fixture
    }

    fn apply(&mut self, changes: Vec<Change>) {
        self.revision += 1;
        for change in &changes {
            self.world.apply(change);
        }
        self.engine.apply(self.revision, &changes);
    }

    fn question(&self, subject: &str, action: &str, id: &str, level: Option<u8>) -> Question {
        Question {
            application: "dossiers".into(),
            subject: subject.into(),
            action: action.into(),
            resource_type: "dossier".into(),
            resource_id: id.into(),
            overrides: ResourceOverrides::default(),
            level,
            at: NOW,
        }
    }

    /// The engine's decision, after checking that the reference agrees with it, and that
    /// a check (which reads only the grants that can allow) agrees as well.
    fn decide(&self, question: &Question) -> Decision {
        let snapshot = self.engine.snapshot();
        let engine = snapshot.evaluate(question);
        let reference = decision::evaluate(&self.world, question);
        assert!(
            engine.agrees_with(&reference),
            "{question:?}: engine {engine:?}, reference {reference:?}"
        );
        assert_eq!(
            snapshot.check(&crate::Asked::of(question)),
            reference.is_allowed(),
            "check {question:?}: reference {reference:?}"
        );
        engine
    }

    fn ask(&self, subject: &str, action: &str, id: &str, level: Option<u8>) -> Decision {
        self.decide(&self.question(subject, action, id, level))
    }
}

fn denied(reason: DenyReason) -> Decision {
    Decision::Deny(reason)
}

#[test]
fn a_grant_in_the_organisation_allows_within_its_scope() {
    let mut f = Fixture::new();
    assert_eq!(
        f.ask("anne", "read", "n1", Some(1)),
        Decision::Allow {
            grant: GrantId::new("g-anne"),
            via: Via::Organization
        }
    );
    // Not an action of the role, not a resource of the organisation.
    assert_eq!(
        f.ask("anne", "edit", "n1", Some(2)),
        denied(DenyReason::NoGrant)
    );
    assert_eq!(
        f.ask("anne", "read", "l1", Some(2)),
        denied(DenyReason::NoGrant)
    );
    // Narrow anne's (scoped) grant to m1/c2: n1 (m1/c1) is now out of scope.
    f.apply(vec![Change::Grant(Grant {
        scope: Scope::Categories([(key("m1"), key("c2"))].into()),
        ..grant("g-anne", "anne", "namur", "dossiers", "reader")
    })]);
    assert_eq!(
        f.ask("anne", "read", "n1", Some(1)),
        denied(DenyReason::OutsideScope)
    );
}

#[test]
fn a_mandate_lets_the_mandatary_act_within_the_mandate_scope() {
    let mut f = Fixture::new();
    assert_eq!(
        f.ask("anne", "read", "l1", Some(1)),
        denied(DenyReason::NoGrant)
    );
    f.apply(vec![Change::Mandate(mandate(
        "mnd-1",
        "liege",
        "namur",
        "dossiers",
        Scope::Matters(keys(&["m1"])),
    ))]);
    assert_eq!(
        f.ask("anne", "read", "l1", Some(1)),
        Decision::Allow {
            grant: GrantId::new("g-anne"),
            via: Via::Mandate(MandateId::new("mnd-1"))
        }
    );
    // The mandate covers m1 only: described as m2, the same dossier is out of scope.
    let mut question = f.question("anne", "read", "l1", Some(1));
    question.overrides.matter = Some("m2".into());
    assert_eq!(f.decide(&question), denied(DenyReason::OutsideScope));
    // An ended mandate reaches nothing.
    f.apply(vec![Change::Mandate(Mandate {
        status: MandateStatus::Ended,
        ..mandate("mnd-1", "liege", "namur", "dossiers", Scope::All)
    })]);
    assert_eq!(
        f.ask("anne", "read", "l1", Some(1)),
        denied(DenyReason::NoGrant)
    );
}

#[test]
fn an_application_wide_grant_reaches_subscribers_only() {
    let mut f = Fixture::new();
    assert_eq!(
        f.ask("bob", "edit", "n2", Some(2)),
        Decision::Allow {
            grant: GrantId::new("g-bob"),
            via: Via::ApplicationWide
        }
    );
    // liege does not subscribe.
    assert_eq!(
        f.ask("bob", "edit", "l1", Some(2)),
        denied(DenyReason::NoGrant)
    );
    f.apply(vec![subscription("liege", "dossiers", true)]);
    assert!(f.ask("bob", "edit", "l1", Some(2)).is_allowed());
    f.apply(vec![subscription("namur", "dossiers", false)]);
    assert_eq!(
        f.ask("bob", "edit", "n2", Some(2)),
        denied(DenyReason::NoGrant)
    );
}

#[test]
fn an_owned_permission_holds_on_the_users_own_resources_only() {
    let f = Fixture::new();
    assert!(f.ask("carl", "edit", "n1", None).is_allowed());
    assert_eq!(
        f.ask("carl", "edit", "n2", None),
        denied(DenyReason::NotOwner)
    );
    // The owner may be passed as an override, by any name of the user.
    let mut question = f.question("carl", "edit", "n2", None);
    question.overrides.owner = Some("carl".into());
    assert!(f.decide(&question).is_allowed());
}

#[test]
fn a_low_session_is_asked_to_step_up_to_the_lowest_rank_that_would_do() {
    let mut f = Fixture::new();
    assert_eq!(
        f.ask("bob", "read", "n1", None),
        denied(DenyReason::StepUp { rank: 2 })
    );
    assert_eq!(
        f.ask("bob", "read", "n1", Some(1)),
        denied(DenyReason::StepUp { rank: 2 })
    );
    // A second grant needing only `low` lowers the step.
    f.apply(vec![
        Change::Membership(membership("namur", "bob", None)),
        Change::Grant(grant("g-bob-2", "bob", "namur", "dossiers", "reader")),
    ]);
    assert_eq!(
        f.ask("bob", "read", "n1", None),
        denied(DenyReason::StepUp { rank: 1 })
    );
    assert!(f.ask("bob", "read", "n1", Some(1)).is_allowed());
    // No role holds `delete`.
    assert_eq!(
        f.ask("bob", "delete", "n1", Some(2)),
        denied(DenyReason::NoGrant)
    );
}

#[test]
fn suspensions_of_users_and_organisations_deny() {
    let mut f = Fixture::new();
    f.apply(vec![Change::Suspension(suspension(
        "sus-1",
        "anne",
        Some("dossiers"),
        NOW,
    ))]);
    assert_eq!(
        f.ask("anne", "read", "n1", Some(1)),
        denied(DenyReason::UserSuspended)
    );
    // Before the suspension, at the time of a past question, anne could read.
    let mut before = f.question("anne", "read", "n1", Some(1));
    before.at = T0;
    assert!(f.decide(&before).is_allowed());
    // Lifted at LATER: suspended now, free again from LATER.
    f.apply(vec![Change::Suspension(Suspension {
        lifted: Some(ended(LATER)),
        ..suspension("sus-1", "anne", Some("dossiers"), NOW)
    })]);
    assert_eq!(
        f.ask("anne", "read", "n1", Some(1)),
        denied(DenyReason::UserSuspended)
    );
    let mut after = f.question("anne", "read", "n1", Some(1));
    after.at = LATER;
    assert!(f.decide(&after).is_allowed());
    // An organisation suspended: nothing of it may be acted on.
    f.apply(vec![Change::Organization(Organization {
        suspended: Some(Suspended {
            reason: "abuse".into(),
            by: None,
            at: T0,
        }),
        ..organization("namur", EnterpriseNumber::from_body(2_071_632))
    })]);
    assert_eq!(
        f.ask("bob", "read", "n1", Some(2)),
        denied(DenyReason::OrganizationSuspended)
    );
}

#[test]
fn an_ended_membership_ends_the_grants_there() {
    let mut f = Fixture::new();
    f.apply(vec![Change::Membership(membership(
        "namur",
        "anne",
        Some(NOW),
    ))]);
    assert_eq!(
        f.ask("anne", "read", "n1", Some(1)),
        denied(DenyReason::NoGrant)
    );
    let mut before = f.question("anne", "read", "n1", Some(1));
    before.at = T0;
    assert!(f.decide(&before).is_allowed());
}

#[test]
fn expired_and_revoked_grants_allow_nothing() {
    let mut f = Fixture::new();
    f.apply(vec![Change::Grant(Grant {
        validity: Validity {
            from: Timestamp(0),
            until: Some(NOW),
        },
        ..grant("g-anne", "anne", "namur", "dossiers", "reader")
    })]);
    assert_eq!(
        f.ask("anne", "read", "n1", Some(1)),
        denied(DenyReason::NoGrant)
    );
    let mut before = f.question("anne", "read", "n1", Some(1));
    before.at = T0;
    assert!(f.decide(&before).is_allowed());
    f.apply(vec![Change::Grant(Grant {
        status: Status::Revoked,
        ended: Some(ended(T0)),
        ..grant("g-carl", "carl", "namur", "dossiers", "author")
    })]);
    assert_eq!(
        f.ask("carl", "read", "n1", None),
        denied(DenyReason::NoGrant)
    );
    assert_eq!(f.engine.snapshot().stats().grants, 2);
}

#[test]
fn unknown_names_are_denied_with_their_own_reason() {
    let f = Fixture::new();
    let mut question = f.question("anne", "read", "n1", Some(1));
    question.application = "nothing".into();
    assert_eq!(f.decide(&question), denied(DenyReason::UnknownApplication));
    assert_eq!(
        f.ask("zoe", "read", "n1", Some(1)),
        denied(DenyReason::UnknownSubject)
    );
    assert_eq!(
        f.ask("anne", "print", "n1", Some(1)),
        denied(DenyReason::UnknownAction)
    );
    assert_eq!(
        f.ask("anne", "read", "n9", Some(1)),
        denied(DenyReason::UnknownResource)
    );
    // An unregistered resource described by overrides is decided; one naming an unknown
    // organisation is not.
    let mut described = f.question("anne", "read", "n9", Some(1));
    let number = EnterpriseNumber::from_body(2_071_632).unwrap();
    described.overrides.organization = Some(number.to_string());
    described.overrides.matter = Some("m1".into());
    assert!(f.decide(&described).is_allowed());
    described.overrides.organization = Some("nowhere".into());
    assert_eq!(f.decide(&described), denied(DenyReason::UnknownResource));
}

#[test]
fn users_are_found_by_every_name() {
    let mut f = Fixture::new();
    f.apply(vec![Change::SubjectId {
        application: key("dossiers"),
        subject_id: "A-17".into(),
        user: UserId::new("anne"),
        present: true,
    }]);
    let snapshot = f.engine.snapshot();
    let anne = Some(UserId::new("anne"));
    assert_eq!(snapshot.resolve_user("anne", None), anne);
    let number = NationalNumber::from_parts(85, 7, 14, 123).unwrap();
    assert_eq!(snapshot.resolve_user(&number.to_string(), None), anne);
    assert_eq!(snapshot.resolve_user("Anne@Namur.be", None), anne);
    assert_eq!(snapshot.resolve_user("A-17", Some("dossiers")), anne);
    assert_eq!(snapshot.resolve_user("A-17", None), None);
    assert_eq!(
        snapshot.subject_name(&UserId::new("anne"), "dossiers"),
        "A-17"
    );
    assert_eq!(
        snapshot.subject_name(&UserId::new("bob"), "dossiers"),
        "bob"
    );
    assert!(f.ask("A-17", "read", "n1", Some(1)).is_allowed());
}

#[test]
fn reverse_questions_list_resources_subjects_and_actions() {
    let f = Fixture::new();
    let s = f.engine.snapshot();
    let none = ResourceOverrides::default();
    assert_eq!(
        s.search_resources("dossiers", "anne", "read", "dossier", Some(1), NOW),
        ["n1", "n2"]
    );
    assert_eq!(
        s.search_resources("dossiers", "carl", "edit", "dossier", None, NOW),
        ["n1"]
    );
    assert_eq!(
        s.search_resources("dossiers", "dora", "read", "dossier", Some(2), NOW),
        Vec::<String>::new()
    );
    assert_eq!(
        s.search_subjects("dossiers", "read", "dossier", "n1", &none, Some(2), NOW),
        [UserId::new("anne"), UserId::new("bob"), UserId::new("carl")]
    );
    assert_eq!(
        s.search_subjects("dossiers", "edit", "dossier", "n1", &none, Some(1), NOW),
        [UserId::new("carl")]
    );
    assert_eq!(
        s.search_actions("dossiers", "carl", "dossier", "n1", &none, None, NOW),
        [key("edit"), key("read")]
    );
    assert_eq!(
        s.search_actions("dossiers", "bob", "dossier", "n2", &none, Some(2), NOW),
        [key("edit"), key("read")]
    );
    assert_eq!(
        s.stats(),
        EngineStats {
            users: 4,
            organizations: 3,
            applications: 1,
            grants: 3,
            resources: 3
        }
    );
}

#[test]
fn removed_resources_are_unknown_and_no_longer_found() {
    let mut f = Fixture::new();
    f.apply(vec![Change::ResourceRemoved {
        application: key("dossiers"),
        resource_type: key("dossier"),
        id: "n2".into(),
    }]);
    assert_eq!(
        f.ask("anne", "read", "n2", Some(1)),
        denied(DenyReason::UnknownResource)
    );
    let s = f.engine.snapshot();
    assert_eq!(
        s.search_resources("dossiers", "anne", "read", "dossier", Some(1), NOW),
        ["n1"]
    );
    assert_eq!(s.stats().resources, 2);
}

#[test]
fn batches_at_old_revisions_are_ignored_and_snapshots_do_not_move() {
    let f = Fixture::new();
    let before = f.engine.snapshot();
    assert_eq!(f.engine.revision(), 1);
    f.engine.apply(
        1,
        &[Change::Grant(Grant {
            status: Status::Revoked,
            ..grant("g-anne", "anne", "namur", "dossiers", "reader")
        })],
    );
    assert_eq!(f.engine.revision(), 1);
    assert!(
        f.engine
            .snapshot()
            .evaluate(&f.question("anne", "read", "n1", Some(1)))
            .is_allowed()
    );
    f.engine.apply(
        5,
        &[Change::Grant(Grant {
            status: Status::Revoked,
            ..grant("g-anne", "anne", "namur", "dossiers", "reader")
        })],
    );
    assert_eq!(f.engine.revision(), 5);
    let question = f.question("anne", "read", "n1", Some(1));
    assert!(!f.engine.snapshot().evaluate(&question).is_allowed());
    // A snapshot taken before keeps answering from its own revision.
    assert_eq!(before.revision(), 1);
    assert!(before.evaluate(&question).is_allowed());
}

#[test]
fn resources_are_found_by_their_type_whether_few_or_many_types_are_registered() {
    let mut f = Fixture::new();
    let asked = |f: &Fixture, kind: &str, id: &str| {
        f.decide(&Question {
            resource_type: kind.into(),
            ..f.question("bob", "read", id, Some(2))
        })
    };
    // A key that names a role, not a type, and a type never registered: no such resource.
    for kind in ["reader", "folder"] {
        assert_eq!(
            asked(&f, kind, "n1"),
            denied(DenyReason::UnknownResource),
            "{kind}"
        );
    }
    // Few types (found by a scan of their names), then many (by the keys' table).
    for count in [5, 40] {
        let changes = (0..count)
            .map(|i| {
                Change::Resource(resource(
                    "dossiers",
                    &format!("kind{i}"),
                    &format!("x{i}"),
                    "namur",
                    Some("m1"),
                    Some("c1"),
                    None,
                ))
            })
            .collect();
        f.apply(changes);
        for i in 0..count {
            let kind = format!("kind{i}");
            assert!(
                asked(&f, &kind, &format!("x{i}")).is_allowed(),
                "{kind} with {count} types"
            );
            assert_eq!(
                asked(&f, &kind, "n1"),
                denied(DenyReason::UnknownResource),
                "n1 is a dossier, not a {kind}"
            );
        }
        assert_eq!(
            asked(&f, "folder", "x0"),
            denied(DenyReason::UnknownResource)
        );
        assert!(asked(&f, "dossier", "n1").is_allowed());
    }
}

#[test]
fn applications_are_found_by_their_key_whether_few_or_many_are_defined() {
    let mut f = Fixture::new();
    let asked = |f: &Fixture, app: &str| {
        f.decide(&Question {
            application: app.into(),
            ..f.question("anne", "read", "n1", Some(1))
        })
    };
    // A key that names a role, not an application, and one never used: no such application.
    for app in ["reader", "permits"] {
        assert_eq!(
            asked(&f, app),
            denied(DenyReason::UnknownApplication),
            "{app}"
        );
    }
    // Few applications (found by a scan of their keys), then many (by the keys' table).
    for count in [5, 40] {
        let changes = (0..count)
            .map(|i| Change::Application(application(&format!("app{i}"), "spw", &["read"], vec![])))
            .collect();
        f.apply(changes);
        assert!(asked(&f, "dossiers").is_allowed(), "with {count} more");
        // Known applications without the resource: it is unknown there, not the application.
        assert_eq!(
            asked(&f, &format!("app{}", count - 1)),
            denied(DenyReason::UnknownResource)
        );
        assert_eq!(asked(&f, "reader"), denied(DenyReason::UnknownApplication));
    }
}

/// The `permits` application of `spw`, whose roles all keep to their scope (a reader and a
/// validator), with `subscribers`, and anne also a member of liege.
fn permits(subscribers: &[&str]) -> Vec<Change> {
    let scoped = vec![
        role("reader", &["read"], &[], Some("low"), true),
        role("validator", &["read", "validate"], &[], Some("high"), true),
    ];
    let mut changes = vec![Change::Application(application(
        "permits",
        "spw",
        &["read", "validate"],
        scoped,
    ))];
    changes.extend(
        subscribers
            .iter()
            .map(|org| subscription(org, "permits", true)),
    );
    changes.push(Change::Membership(membership("liege", "anne", None)));
    changes
}

/// A check passes over a user's grants for other categories and organisations before it
/// looks up their roles; it must still find the one grant that allows, whatever the scope's
/// form, and agree with the reference on every question.
#[test]
fn a_check_finds_the_one_grant_that_allows_among_grants_elsewhere() {
    let mut f = Fixture::new();
    let mut changes = permits(&["namur"]);
    let scopes = [
        ("m1", "c1"),
        ("m1", "c2"),
        ("m2", "c1"),
        ("m2", "c2"),
        ("m3", "c3"),
    ];
    for (index, (org, (matter, category))) in ["namur", "liege"]
        .iter()
        .flat_map(|org| scopes.iter().map(move |scope| (*org, *scope)))
        .enumerate()
    {
        changes.push(Change::Resource(resource(
            "permits",
            "permit",
            &format!("p-{org}-{matter}-{category}"),
            org,
            Some(matter),
            Some(category),
            None,
        )));
        // anne reads in liege, in every category but the last, and validates in namur's
        // m2/c2 only, through each form of scope in turn.
        let scope = match index % 3 {
            0 => Scope::Categories([(key(matter), key(category))].into()),
            1 => Scope::Matters([key(matter)].into()),
            _ => Scope::Categories([(key(matter), key(category)), (key("m9"), key("c9"))].into()),
        };
        if org == "liege" && index != 9 {
            changes.push(Change::Grant(Grant {
                scope,
                ..grant(&format!("g-{index}"), "anne", org, "permits", "reader")
            }));
        }
    }
    changes.push(Change::Grant(Grant {
        scope: Scope::Categories([(key("m2"), key("c2"))].into()),
        ..grant("g-validate", "anne", "namur", "permits", "validator")
    }));
    f.apply(changes);
    let snapshot = f.engine.snapshot();
    let mut allowed = 0;
    for org in ["namur", "liege"] {
        for (matter, category) in scopes {
            for action in ["read", "validate"] {
                for level in [Some(1), Some(2)] {
                    let question = Question {
                        application: "permits".into(),
                        resource_type: "permit".into(),
                        ..f.question(
                            "anne",
                            action,
                            &format!("p-{org}-{matter}-{category}"),
                            level,
                        )
                    };
                    let reference = decision::evaluate(&f.world, &question);
                    let check = snapshot.check(&crate::Asked::of(&question));
                    assert_eq!(check, reference.is_allowed(), "{question:?}: {reference:?}");
                    allowed += usize::from(check);
                }
            }
        }
    }
    // liege: m1/c1, m1/c2, m2/c1, m2/c2 read at both levels (m3/c3 has no grant);
    // namur: m2/c2 read and validate at level 2.
    assert_eq!(allowed, 4 * 2 + 2);
}

/// A check reads only the grants whose mark in the user's entry says they may reach the
/// resource, and every grant past the marked ones (`grants::MARKED`): with more grants than
/// marks, and after revocations move grants from past the marks into marked places, it
/// still answers as the reference does, through each form of scope.
#[test]
fn a_check_with_more_grants_than_marks_answers_as_the_reference() {
    let mut f = Fixture::new();
    let mut changes = permits(&["namur", "liege"]);
    let matters = ["m1", "m2", "m3"];
    let categories = ["c1", "c2", "c3", "c4"];
    let mut resources = Vec::new();
    for org in ["namur", "liege"] {
        for matter in matters {
            for category in categories {
                let id = format!("p-{org}-{matter}-{category}");
                changes.push(Change::Resource(resource(
                    "permits",
                    "permit",
                    &id,
                    org,
                    Some(matter),
                    Some(category),
                    None,
                )));
                resources.push(id);
            }
        }
    }
    // 22 grants: one category each in liege for all but one pair, then, past the marked
    // ones, a validator in namur's m3/c4, a reader of all of namur's m2 and one of both
    // categories c1 of m1 and m3 in namur.
    let mut ids = Vec::new();
    for (index, (matter, category)) in matters
        .iter()
        .flat_map(|m| categories.iter().map(move |c| (*m, *c)))
        .enumerate()
    {
        if index == 5 {
            continue;
        }
        let id = format!("g-{index}");
        changes.push(Change::Grant(Grant {
            scope: Scope::Categories([(key(matter), key(category))].into()),
            ..grant(&id, "anne", "liege", "permits", "reader")
        }));
        ids.push(id);
    }
    for (index, org) in [
        "liege", "namur", "liege", "namur", "liege", "namur", "liege",
    ]
    .iter()
    .enumerate()
    {
        // Grants elsewhere: another application's categories, to fill the marks.
        let id = format!("g-filler-{index}");
        changes.push(Change::Grant(Grant {
            scope: Scope::Categories([(key("m9"), key(&format!("c{index}")))].into()),
            ..grant(&id, "anne", org, "permits", "reader")
        }));
        ids.push(id);
    }
    changes.push(Change::Grant(Grant {
        scope: Scope::Categories([(key("m3"), key("c4"))].into()),
        ..grant("g-validate", "anne", "namur", "permits", "validator")
    }));
    changes.push(Change::Grant(Grant {
        scope: Scope::Matters([key("m2")].into()),
        ..grant("g-matter", "anne", "namur", "permits", "reader")
    }));
    changes.push(Change::Grant(Grant {
        scope: Scope::Categories([(key("m1"), key("c1")), (key("m3"), key("c1"))].into()),
        ..grant("g-list", "anne", "namur", "permits", "reader")
    }));
    f.apply(changes);
    assert!(ids.len() + 3 > crate::grants::MARKED + 2);
    let agreeing = |f: &Fixture| {
        let snapshot = f.engine.snapshot();
        let mut allowed = 0;
        for id in &resources {
            for action in ["read", "validate"] {
                for level in [Some(1), Some(2)] {
                    let question = Question {
                        application: "permits".into(),
                        resource_type: "permit".into(),
                        ..f.question("anne", action, id, level)
                    };
                    let reference = decision::evaluate(&f.world, &question);
                    let check = snapshot.check(&crate::Asked::of(&question));
                    assert_eq!(check, reference.is_allowed(), "{question:?}: {reference:?}");
                    allowed += usize::from(check);
                }
            }
        }
        allowed
    };
    // liege: 11 categories read at both levels; namur: m2's four categories, m1/c1 and
    // m3/c1 read at both levels, m3/c4 read and validated at level 2.
    assert_eq!(agreeing(&f), 11 * 2 + 6 * 2 + 2);
    // Revoking the first grants moves the last ones, the validator among them, into
    // their places: the marks move with them.
    f.apply(
        ids.iter()
            .take(8)
            .map(|id| {
                Change::Grant(Grant {
                    status: Status::Revoked,
                    ended: Some(ended(T0)),
                    ..grant(id, "anne", "liege", "permits", "reader")
                })
            })
            .collect(),
    );
    assert_eq!(agreeing(&f), (11 - 8) * 2 + 6 * 2 + 2);
    // A mandate from liege to namur for m2 lets the grant for namur's m2 reach liege's
    // m2: the grants of other organisations must then be read too.
    f.apply(vec![Change::Mandate(mandate(
        "mnd-p",
        "liege",
        "namur",
        "permits",
        Scope::Matters(keys(&["m2"])),
    ))]);
    assert_eq!(agreeing(&f), (11 - 8) * 2 + 6 * 2 + 2 + 4 * 2);
}
