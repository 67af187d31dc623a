//! The powers matrix: each persona tries each operation against each kind of target, and
//! the outcome (`active`, `pending(...)`, `flagged`, or the refusal code) is snapshotted as
//! one readable table. A change to the rules shows up as a diff of that table.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use expect_test::expect;

use super::*;
use crate::world::{Change, World};

const NOW: Timestamp = Timestamp(1_800_000_000);

fn key(text: &str) -> Key {
    Key::parse("key", text).unwrap()
}

fn keys(texts: &[&str]) -> BTreeSet<Key> {
    texts.iter().map(|t| key(t)).collect()
}

struct Fixture {
    world: World,
}

impl Fixture {
    fn new() -> Fixture {
        let mut world = World::default();
        let org = |id: &str, kind: OrganizationKind| {
            Change::Organization(Organization {
                id: OrganizationId::new(id),
                enterprise_number: None,
                external_id: None,
                kind,
                name: LocalizedName::same(id),
                suspended: None,
                require_approval: false,
                created_at: Timestamp(0),
            })
        };
        world.apply(&org("spw", OrganizationKind::Region));
        world.apply(&org("namur", OrganizationKind::Commune));
        world.apply(&org("liege", OrganizationKind::Commune));
        world.apply(&org("contractor", OrganizationKind::Enterprise));
        let mut frozen = Organization {
            id: OrganizationId::new("frozen"),
            enterprise_number: None,
            external_id: None,
            kind: OrganizationKind::Commune,
            name: LocalizedName::same("frozen"),
            suspended: None,
            require_approval: false,
            created_at: Timestamp(0),
        };
        frozen.suspended = Some(Suspended {
            reason: "abuse".into(),
            by: None,
            at: Timestamp(0),
        });
        world.apply(&Change::Organization(frozen));
        let role = |k: &str, permissions: &[&str], level: Option<&str>, scoped: bool| Role {
            key: key(k),
            name: LocalizedName::same(k),
            permissions: keys(permissions),
            owned_permissions: BTreeSet::new(),
            level: level.map(key),
            scoped,
            requires_approval: false,
        };
        world.apply(&Change::Application(Application {
            key: key("guichet"),
            name: LocalizedName::same("Guichet"),
            owner: OrganizationId::new("spw"),
            contexts: [Context::CivilServant].into(),
            permissions: keys(&[
                "dossier.read",
                "dossier.edit",
                "dossier.validate",
                "dossier.submit",
            ]),
            roles: vec![
                role("reader", &["dossier.read"], Some("low"), true),
                role(
                    "editor",
                    &["dossier.read", "dossier.edit"],
                    Some("low"),
                    true,
                ),
                role(
                    "validator",
                    &["dossier.read", "dossier.validate"],
                    Some("high"),
                    true,
                ),
                role(
                    "submitter",
                    &["dossier.read", "dossier.submit"],
                    Some("low"),
                    true,
                ),
            ],
            taxonomy: vec![Matter {
                key: key("finances"),
                name: LocalizedName::same("Finances"),
                categories: vec![
                    Category {
                        key: key("budget"),
                        name: LocalizedName::same("Budget"),
                    },
                    Category {
                        key: key("comptes"),
                        name: LocalizedName::same("Comptes"),
                    },
                ],
            }],
            self_grant: SelfGrantPolicy::Approve,
            exclusive_roles: vec![(key("editor"), key("validator"))],
            resource_properties: ResourceProperties::default(),
            created_at: Timestamp(0),
        }));
        world.apply(&Change::Application(Application {
            key: key("federal"),
            name: LocalizedName::same("Federal"),
            owner: OrganizationId::new("spw"),
            contexts: [Context::CivilServant, Context::Enterprise].into(),
            permissions: keys(&["consult"]),
            roles: vec![role("consultant", &["consult"], Some("low"), false)],
            taxonomy: vec![],
            self_grant: SelfGrantPolicy::Deny,
            exclusive_roles: vec![],
            resource_properties: ResourceProperties::default(),
            created_at: Timestamp(0),
        }));
        for (org, app) in [
            ("namur", "guichet"),
            ("liege", "guichet"),
            ("spw", "guichet"),
            ("namur", "federal"),
            ("frozen", "guichet"),
        ] {
            world.apply(&Change::Subscription {
                subscription: Subscription {
                    organization: OrganizationId::new(org),
                    application: key(app),
                    since: Timestamp(0),
                },
                present: true,
            });
        }
        let people = [
            "operator",
            "legal",
            "principal",
            "deputy",
            "am_guichet",
            "am_federal",
            "member",
            "member2",
            "outsider",
            "suspended",
            "spw_principal",
            "liege_principal",
            "contractor_principal",
            "contractor_member",
            "frozen_principal",
        ];
        for person in people {
            world.apply(&Change::User(User {
                id: UserId::new(person),
                national_number: None,
                email: None,
                given_name: person.into(),
                family_name: "Test".into(),
                language: Language::Fr,
                created_at: Timestamp(0),
            }));
        }
        world.apply(&Change::Operator {
            user: UserId::new("operator"),
            present: true,
        });
        world.apply(&Change::LegalRepresentative {
            organization: OrganizationId::new("namur"),
            user: UserId::new("legal"),
            present: true,
        });
        let member = |org: &str, user: &str| {
            Change::Membership(Membership {
                organization: OrganizationId::new(org),
                user: UserId::new(user),
                since: Timestamp(0),
                ended_at: None,
            })
        };
        for user in [
            "principal",
            "deputy",
            "am_guichet",
            "am_federal",
            "member",
            "member2",
            "suspended",
            "legal",
        ] {
            world.apply(&member("namur", user));
        }
        world.apply(&member("spw", "spw_principal"));
        world.apply(&member("liege", "liege_principal"));
        world.apply(&member("contractor", "contractor_principal"));
        world.apply(&member("contractor", "contractor_member"));
        world.apply(&member("frozen", "frozen_principal"));
        let designate = |id: &str, org: &str, user: &str, kind: DesignationKind, apps: &[&str]| {
            Change::Designation(Designation {
                id: DesignationId::new(id),
                organization: OrganizationId::new(org),
                user: UserId::new(user),
                kind,
                applications: keys(apps),
                validity: Validity::from(Timestamp(0)),
                status: Status::Active,
                designated_by: None,
                reason: String::new(),
                ended: None,
                created_at: Timestamp(0),
            })
        };
        world.apply(&designate(
            "d1",
            "namur",
            "principal",
            DesignationKind::Principal,
            &[],
        ));
        world.apply(&designate(
            "d2",
            "namur",
            "deputy",
            DesignationKind::Deputy,
            &[],
        ));
        world.apply(&designate(
            "d3",
            "namur",
            "am_guichet",
            DesignationKind::AccessManager,
            &["guichet"],
        ));
        world.apply(&designate(
            "d4",
            "namur",
            "am_federal",
            DesignationKind::AccessManager,
            &["federal"],
        ));
        world.apply(&designate(
            "d5",
            "spw",
            "spw_principal",
            DesignationKind::Principal,
            &[],
        ));
        world.apply(&designate(
            "d6",
            "liege",
            "liege_principal",
            DesignationKind::Principal,
            &[],
        ));
        world.apply(&designate(
            "d7",
            "contractor",
            "contractor_principal",
            DesignationKind::Principal,
            &[],
        ));
        world.apply(&designate(
            "d8",
            "frozen",
            "frozen_principal",
            DesignationKind::Principal,
            &[],
        ));
        world.apply(&Change::Suspension(Suspension {
            id: SuspensionId::new("s1"),
            user: UserId::new("suspended"),
            application: None,
            reason: "malicious use".into(),
            by: Some(UserId::new("operator")),
            at: Timestamp(0),
            lifted: None,
        }));
        world.apply(&Change::Grant(Grant {
            id: GrantId::new("g-editor"),
            user: UserId::new("member2"),
            organization: OrganizationId::new("namur"),
            application: key("guichet"),
            role: key("editor"),
            scope: Scope::Categories([(key("finances"), key("budget"))].into()),
            reach: Reach::Organization,
            validity: Validity::from(Timestamp(0)),
            status: Status::Active,
            granted_by: None,
            reason: String::new(),
            flagged: false,
            ended: None,
            created_at: Timestamp(0),
        }));
        world.apply(&Change::Mandate(Mandate {
            id: MandateId::new("m1"),
            mandator: OrganizationId::new("namur"),
            mandatary: OrganizationId::new("contractor"),
            application: key("guichet"),
            scope: Scope::Matters(keys(&["finances"])),
            validity: Validity::from(Timestamp(0)),
            status: MandateStatus::Active,
            proposed_by: OrganizationId::new("namur"),
            proposed_by_user: None,
            ended: None,
            created_at: Timestamp(0),
        }));
        Fixture { world }
    }
}

fn actor(name: &str, level: u8) -> Actor {
    Actor::user(UserId::new(name), Some(level))
}

fn show(result: Result<Outcome, Refusal>) -> String {
    match result {
        Ok(Outcome::Active) => "active".into(),
        Ok(Outcome::Flagged) => "flagged".into(),
        Ok(Outcome::Pending(cause)) => format!("pending({cause:?})").to_lowercase(),
        Err(refusal) => refusal.code.as_str().into(),
    }
}

fn show_unit(result: Result<(), Refusal>) -> String {
    show(result.map(|()| Outcome::Active))
}

fn grant_request(user: &str, org: &str, app: &str, role: &str, scope: Scope) -> GrantRequest {
    GrantRequest {
        user: UserId::new(user),
        organization: OrganizationId::new(org),
        application: key(app),
        role: key(role),
        scope,
        reach: Reach::Organization,
        validity: Validity::from(NOW),
    }
}

fn budget() -> Scope {
    Scope::Categories([(key("finances"), key("budget"))].into())
}

#[test]
fn grant_matrix() {
    let fixture = Fixture::new();
    let world = &fixture.world;
    let cases: Vec<(&str, GrantRequest)> = vec![
        (
            "reader to member (namur)",
            grant_request("member", "namur", "guichet", "reader", budget()),
        ),
        (
            "validator (high) to member",
            grant_request("member", "namur", "guichet", "validator", budget()),
        ),
        (
            "validator to editor of same category",
            grant_request("member2", "namur", "guichet", "validator", budget()),
        ),
        (
            "validator to editor, other category",
            grant_request(
                "member2",
                "namur",
                "guichet",
                "validator",
                Scope::Categories([(key("finances"), key("comptes"))].into()),
            ),
        ),
        (
            "reader to member of liege",
            grant_request("liege_principal", "liege", "guichet", "reader", budget()),
        ),
        (
            "reader to non-member",
            grant_request("outsider", "namur", "guichet", "reader", budget()),
        ),
        (
            "reader to suspended user",
            grant_request("suspended", "namur", "guichet", "reader", budget()),
        ),
        (
            "unknown category",
            grant_request(
                "member",
                "namur",
                "guichet",
                "reader",
                Scope::Matters(keys(&["cultes"])),
            ),
        ),
        (
            "federal consultant to member",
            grant_request("member", "namur", "federal", "consultant", Scope::All),
        ),
        (
            "federal with a scope",
            grant_request("member", "namur", "federal", "consultant", budget()),
        ),
        (
            "self: reader to self (approve)",
            grant_request("principal", "namur", "guichet", "reader", budget()),
        ),
        (
            "self: federal to self (deny)",
            grant_request("principal", "namur", "federal", "consultant", Scope::All),
        ),
        (
            "mandate: contractor within scope",
            grant_request(
                "contractor_member",
                "contractor",
                "guichet",
                "reader",
                budget(),
            ),
        ),
        (
            "mandate: contractor, scope all",
            grant_request(
                "contractor_member",
                "contractor",
                "guichet",
                "reader",
                Scope::All,
            ),
        ),
        (
            "suspended organisation",
            grant_request("frozen_principal", "frozen", "guichet", "reader", budget()),
        ),
    ];
    let personas = [
        "principal",
        "deputy",
        "am_guichet",
        "am_federal",
        "member",
        "operator",
        "liege_principal",
        "contractor_principal",
        "suspended",
    ];
    let mut table = String::new();
    for (label, request) in &cases {
        write!(table, "{label:<38}").unwrap();
        for persona in personas {
            let level = if persona == "deputy" { 1 } else { 2 };
            let outcome = show(grant(world, &actor(persona, level), request, NOW));
            write!(table, " {persona}={outcome}").unwrap();
        }
        table.push('\n');
    }
    expect![[r#"
        reader to member (namur)               principal=active deputy=active am_guichet=active am_federal=outside_designation member=not_a_manager operator=not_a_manager liege_principal=not_a_manager contractor_principal=not_a_manager suspended=user_suspended
        validator (high) to member             principal=active deputy=step_up_required am_guichet=active am_federal=outside_designation member=not_a_manager operator=not_a_manager liege_principal=not_a_manager contractor_principal=not_a_manager suspended=user_suspended
        validator to editor of same category   principal=exclusive_roles deputy=step_up_required am_guichet=exclusive_roles am_federal=outside_designation member=not_a_manager operator=not_a_manager liege_principal=not_a_manager contractor_principal=not_a_manager suspended=user_suspended
        validator to editor, other category    principal=active deputy=step_up_required am_guichet=active am_federal=outside_designation member=not_a_manager operator=not_a_manager liege_principal=not_a_manager contractor_principal=not_a_manager suspended=user_suspended
        reader to member of liege              principal=not_a_manager deputy=not_a_manager am_guichet=not_a_manager am_federal=not_a_manager member=not_a_manager operator=not_a_manager liege_principal=pending(selfgrant) contractor_principal=not_a_manager suspended=user_suspended
        reader to non-member                   principal=not_a_member deputy=not_a_member am_guichet=not_a_member am_federal=outside_designation member=not_a_manager operator=not_a_manager liege_principal=not_a_manager contractor_principal=not_a_manager suspended=user_suspended
        reader to suspended user               principal=user_suspended deputy=user_suspended am_guichet=user_suspended am_federal=outside_designation member=not_a_manager operator=not_a_manager liege_principal=not_a_manager contractor_principal=not_a_manager suspended=user_suspended
        unknown category                       principal=invalid_scope deputy=invalid_scope am_guichet=invalid_scope am_federal=outside_designation member=not_a_manager operator=not_a_manager liege_principal=not_a_manager contractor_principal=not_a_manager suspended=user_suspended
        federal consultant to member           principal=active deputy=active am_guichet=outside_designation am_federal=active member=not_a_manager operator=not_a_manager liege_principal=not_a_manager contractor_principal=not_a_manager suspended=user_suspended
        federal with a scope                   principal=invalid_scope deputy=invalid_scope am_guichet=outside_designation am_federal=invalid_scope member=not_a_manager operator=not_a_manager liege_principal=not_a_manager contractor_principal=not_a_manager suspended=user_suspended
        self: reader to self (approve)         principal=pending(selfgrant) deputy=active am_guichet=active am_federal=outside_designation member=not_a_manager operator=not_a_manager liege_principal=not_a_manager contractor_principal=not_a_manager suspended=user_suspended
        self: federal to self (deny)           principal=self_grant_denied deputy=active am_guichet=outside_designation am_federal=active member=not_a_manager operator=not_a_manager liege_principal=not_a_manager contractor_principal=not_a_manager suspended=user_suspended
        mandate: contractor within scope       principal=not_a_manager deputy=not_a_manager am_guichet=not_a_manager am_federal=not_a_manager member=not_a_manager operator=not_a_manager liege_principal=not_a_manager contractor_principal=active suspended=user_suspended
        mandate: contractor, scope all         principal=not_a_manager deputy=not_a_manager am_guichet=not_a_manager am_federal=not_a_manager member=not_a_manager operator=not_a_manager liege_principal=not_a_manager contractor_principal=outside_mandate suspended=user_suspended
        suspended organisation                 principal=organization_suspended deputy=organization_suspended am_guichet=organization_suspended am_federal=organization_suspended member=organization_suspended operator=organization_suspended liege_principal=organization_suspended contractor_principal=organization_suspended suspended=user_suspended
    "#]].assert_eq(&table);
}

#[test]
fn designation_matrix() {
    let fixture = Fixture::new();
    let world = &fixture.world;
    let request = |user: &str, kind: DesignationKind, apps: &[&str]| DesignationRequest {
        organization: OrganizationId::new("namur"),
        user: UserId::new(user),
        kind,
        applications: keys(apps),
        validity: Validity::from(NOW),
    };
    let cases = vec![
        (
            "principal",
            request("member", DesignationKind::Principal, &[]),
        ),
        ("deputy", request("member", DesignationKind::Deputy, &[])),
        (
            "access manager guichet",
            request("member", DesignationKind::AccessManager, &["guichet"]),
        ),
        (
            "access manager guichet+federal",
            request(
                "member",
                DesignationKind::AccessManager,
                &["guichet", "federal"],
            ),
        ),
        (
            "access manager, unsubscribed app",
            request("member", DesignationKind::AccessManager, &["nope"]),
        ),
        (
            "deputy for a non-member",
            request("outsider", DesignationKind::Deputy, &[]),
        ),
    ];
    let personas = [
        ("legal", 2),
        ("operator", 2),
        ("principal", 2),
        ("principal", 1),
        ("deputy", 2),
        ("am_guichet", 2),
        ("member", 2),
        ("liege_principal", 2),
    ];
    let mut table = String::new();
    for (label, request) in &cases {
        write!(table, "{label:<32}").unwrap();
        for (persona, level) in personas {
            let outcome = show(designate(world, &actor(persona, level), request, NOW));
            write!(table, " {persona}@{level}={outcome}").unwrap();
        }
        table.push('\n');
    }
    expect![[r#"
        principal                        legal@2=pending(operator) operator@2=active principal@2=wider_than_own principal@1=wider_than_own deputy@2=wider_than_own am_guichet@2=wider_than_own member@2=not_legal_representative liege_principal@2=not_legal_representative
        deputy                           legal@2=active operator@2=active principal@2=active principal@1=step_up_required deputy@2=active am_guichet@2=wider_than_own member@2=not_a_manager liege_principal@2=not_a_manager
        access manager guichet           legal@2=active operator@2=active principal@2=active principal@1=active deputy@2=active am_guichet@2=active member@2=not_a_manager liege_principal@2=not_a_manager
        access manager guichet+federal   legal@2=active operator@2=active principal@2=active principal@1=active deputy@2=active am_guichet@2=wider_than_own member@2=not_a_manager liege_principal@2=not_a_manager
        access manager, unsubscribed app legal@2=not_subscribed operator@2=not_subscribed principal@2=not_subscribed principal@1=not_subscribed deputy@2=not_subscribed am_guichet@2=not_subscribed member@2=not_subscribed liege_principal@2=not_subscribed
        deputy for a non-member          legal@2=not_a_member operator@2=not_a_member principal@2=not_a_member principal@1=not_a_member deputy@2=not_a_member am_guichet@2=not_a_member member@2=not_a_member liege_principal@2=not_a_member
    "#]].assert_eq(&table);
}

#[test]
fn the_last_principal_never_disappears_silently() {
    let fixture = Fixture::new();
    let world = &fixture.world;
    let principal = world.designations.get("d1").unwrap();
    let mut table = String::new();
    for (persona, level) in [
        ("legal", 2),
        ("operator", 2),
        ("principal", 2),
        ("deputy", 2),
    ] {
        let end = show_unit(end_designation(
            world,
            &actor(persona, level),
            principal,
            NOW,
        ));
        let remove = show_unit(remove_member(
            world,
            &actor(persona, level),
            &OrganizationId::new("namur"),
            &UserId::new("principal"),
            NOW,
        ));
        writeln!(
            table,
            "{persona}: end principal designation={end} remove principal member={remove}"
        )
        .unwrap();
    }
    expect![[r#"
        legal: end principal designation=last_principal remove principal member=not_a_manager
        operator: end principal designation=last_principal remove principal member=last_principal
        principal: end principal designation=last_principal remove principal member=last_principal
        deputy: end principal designation=wider_than_own remove principal member=wider_than_own
    "#]]
    .assert_eq(&table);
}

#[test]
fn members_and_organisations() {
    let fixture = Fixture::new();
    let world = &fixture.world;
    let namur = OrganizationId::new("namur");
    let mut table = String::new();
    for persona in [
        "operator",
        "principal",
        "deputy",
        "am_guichet",
        "member",
        "liege_principal",
        "suspended",
    ] {
        let who = actor(persona, 2);
        let add = show_unit(add_member(world, &who, &namur, NOW));
        let remove_member2 = show_unit(remove_member(
            world,
            &who,
            &namur,
            &UserId::new("member2"),
            NOW,
        ));
        let remove_deputy = show_unit(remove_member(
            world,
            &who,
            &namur,
            &UserId::new("deputy"),
            NOW,
        ));
        let create_org = show_unit(operator_only(world, &who, NOW));
        let see = show_unit(see_organization(world, &who, &namur, NOW));
        let create_user_here = show_unit(create_user(world, &who, Some(&namur), NOW));
        let require = show_unit(set_organization_approval(world, &who, &namur, NOW));
        writeln!(
            table,
            "{persona:<16} add={add} remove_member={remove_member2} remove_deputy={remove_deputy} create_org={create_org} see={see} create_user={create_user_here} require_approval={require}"
        )
        .unwrap();
    }
    expect![[r#"
        operator         add=not_a_manager remove_member=active remove_deputy=active create_org=active see=active create_user=active require_approval=active
        principal        add=active remove_member=active remove_deputy=active create_org=not_operator see=active create_user=active require_approval=active
        deputy           add=active remove_member=active remove_deputy=active create_org=not_operator see=active create_user=active require_approval=wider_than_own
        am_guichet       add=active remove_member=active remove_deputy=wider_than_own create_org=not_operator see=active create_user=active require_approval=wider_than_own
        member           add=not_a_manager remove_member=not_a_manager remove_deputy=not_a_manager create_org=not_operator see=active create_user=not_a_manager require_approval=not_a_manager
        liege_principal  add=not_a_manager remove_member=not_a_manager remove_deputy=not_a_manager create_org=not_operator see=not_visible create_user=not_a_manager require_approval=not_a_manager
        suspended        add=user_suspended remove_member=user_suspended remove_deputy=user_suspended create_org=user_suspended see=user_suspended create_user=user_suspended require_approval=user_suspended
    "#]].assert_eq(&table);
}

#[test]
fn applications_suspensions_and_revocation() {
    let fixture = Fixture::new();
    let world = &fixture.world;
    let guichet = world.applications.get("guichet").unwrap();
    let grant = world.grants.get("g-editor").unwrap();
    let mut table = String::new();
    for persona in [
        "operator",
        "spw_principal",
        "principal",
        "am_guichet",
        "am_federal",
        "liege_principal",
        "member2",
    ] {
        let who = actor(persona, 2);
        let edit = show_unit(edit_application(world, &who, guichet, NOW));
        let suspend_platform =
            show_unit(suspend_user(world, &who, &UserId::new("member"), None, NOW));
        let suspend_app = show_unit(suspend_user(
            world,
            &who,
            &UserId::new("member"),
            Some(guichet),
            NOW,
        ));
        let revoke = show_unit(revoke_grant(world, &who, grant, "left the service", NOW));
        let link = show_unit(link_subject_id(world, &who, guichet, NOW));
        writeln!(table, "{persona:<16} edit_app={edit} suspend={suspend_platform} suspend_for_app={suspend_app} revoke={revoke} link_subject={link}").unwrap();
    }
    let no_reason = show_unit(revoke_grant(
        world,
        &actor("principal", 2),
        grant,
        "  ",
        NOW,
    ));
    writeln!(table, "revoke without reason={no_reason}").unwrap();
    expect![[r#"
        operator         edit_app=active suspend=active suspend_for_app=active revoke=active link_subject=active
        spw_principal    edit_app=active suspend=not_operator suspend_for_app=active revoke=active link_subject=active
        principal        edit_app=not_application_owner suspend=not_operator suspend_for_app=not_application_owner revoke=active link_subject=not_application_owner
        am_guichet       edit_app=not_application_owner suspend=not_operator suspend_for_app=not_application_owner revoke=active link_subject=not_application_owner
        am_federal       edit_app=not_application_owner suspend=not_operator suspend_for_app=not_application_owner revoke=outside_designation link_subject=not_application_owner
        liege_principal  edit_app=not_application_owner suspend=not_operator suspend_for_app=not_application_owner revoke=not_a_manager link_subject=not_application_owner
        member2          edit_app=not_application_owner suspend=not_operator suspend_for_app=not_application_owner revoke=not_a_manager link_subject=not_application_owner
        revoke without reason=reason_required
    "#]].assert_eq(&table);
}

#[test]
fn approvals_are_never_decided_by_the_requester_or_the_beneficiary() {
    let mut fixture = Fixture::new();
    let pending = Grant {
        id: GrantId::new("g-pending"),
        user: UserId::new("deputy"),
        organization: OrganizationId::new("namur"),
        application: key("guichet"),
        role: key("reader"),
        scope: budget(),
        reach: Reach::Organization,
        validity: Validity::from(NOW),
        status: Status::Pending,
        granted_by: Some(UserId::new("deputy")),
        reason: String::new(),
        flagged: false,
        ended: None,
        created_at: NOW,
    };
    fixture.world.apply(&Change::Grant(pending.clone()));
    let approval = Approval {
        id: ApprovalId::new("a1"),
        subject: ApprovalSubject::Grant(pending.id.clone()),
        organization: OrganizationId::new("namur"),
        application: Some(key("guichet")),
        cause: ApprovalCause::SelfGrant,
        requested_by: Some(UserId::new("deputy")),
        requested_at: NOW,
        expires_at: NOW.plus_days(14),
        status: ApprovalStatus::Pending,
        decided: None,
    };
    let world = &fixture.world;
    let mut table = String::new();
    for persona in [
        "deputy",
        "principal",
        "am_guichet",
        "am_federal",
        "member",
        "operator",
        "liege_principal",
    ] {
        let outcome = show_unit(decide_approval(
            world,
            &actor(persona, 2),
            &approval,
            &Pending::Grant(&pending),
            NOW,
        ));
        writeln!(table, "{persona}: {outcome}").unwrap();
    }
    let expired = show_unit(decide_approval(
        world,
        &actor("principal", 2),
        &approval,
        &Pending::Grant(&pending),
        NOW.plus_days(15),
    ));
    writeln!(table, "after the deadline: {expired}").unwrap();
    expect![[r#"
        deputy: own_request
        principal: active
        am_guichet: active
        am_federal: not_an_approver
        member: not_an_approver
        operator: active
        liege_principal: not_an_approver
        after the deadline: not_pending
    "#]]
    .assert_eq(&table);
}

#[test]
fn self_grant_policies() {
    let mut table = String::new();
    for policy in [
        SelfGrantPolicy::Allow,
        SelfGrantPolicy::Flag,
        SelfGrantPolicy::Approve,
        SelfGrantPolicy::Deny,
    ] {
        let mut fixture = Fixture::new();
        let mut guichet = fixture.world.applications.get("guichet").unwrap().clone();
        guichet.self_grant = policy;
        fixture.world.apply(&Change::Application(guichet));
        let to_self = show(grant(
            &fixture.world,
            &actor("principal", 2),
            &grant_request("principal", "namur", "guichet", "reader", budget()),
            NOW,
        ));
        let to_other = show(grant(
            &fixture.world,
            &actor("principal", 2),
            &grant_request("member", "namur", "guichet", "reader", budget()),
            NOW,
        ));
        writeln!(
            table,
            "{}: self={to_self} other={to_other}",
            policy.as_str()
        )
        .unwrap();
    }
    expect![[r#"
        allow: self=active other=active
        flag: self=flagged other=active
        approve: self=pending(selfgrant) other=active
        deny: self=self_grant_denied other=active
    "#]]
    .assert_eq(&table);
}

#[test]
fn organisation_wide_approval_and_application_wide_grants() {
    let mut fixture = Fixture::new();
    let mut namur = fixture.world.organizations.get("namur").unwrap().clone();
    namur.require_approval = true;
    fixture.world.apply(&Change::Organization(namur));
    fixture.world.apply(&Change::Membership(Membership {
        organization: OrganizationId::new("spw"),
        user: UserId::new("member"),
        since: Timestamp(0),
        ended_at: None,
    }));
    let world = &fixture.world;
    let mut table = String::new();
    let outcome = show(grant(
        world,
        &actor("principal", 2),
        &grant_request("member", "namur", "guichet", "reader", budget()),
        NOW,
    ));
    writeln!(
        table,
        "grant where the organisation requires approval: {outcome}"
    )
    .unwrap();
    let mut wide = grant_request("member", "spw", "guichet", "reader", Scope::All);
    wide.reach = Reach::AllSubscribers;
    let outcome = show(grant(world, &actor("spw_principal", 2), &wide, NOW));
    writeln!(table, "application-wide grant by the owner: {outcome}").unwrap();
    let mut not_owner = grant_request("member2", "namur", "guichet", "reader", Scope::All);
    not_owner.reach = Reach::AllSubscribers;
    let outcome = show(grant(world, &actor("principal", 2), &not_owner, NOW));
    writeln!(table, "application-wide grant by a commune: {outcome}").unwrap();
    expect![[r#"
        grant where the organisation requires approval: pending(organization)
        application-wide grant by the owner: active
        application-wide grant by a commune: not_application_owner
    "#]]
    .assert_eq(&table);
}

#[test]
fn access_reviews_are_started_and_answered_by_those_who_manage_the_grants() {
    let fixture = Fixture::new();
    let world = &fixture.world;
    let namur = OrganizationId::new("namur");
    let guichet = key("guichet");
    let grant = world.grants.get("g-editor").unwrap();
    let review = Review {
        id: ReviewId::new("r1"),
        organization: namur.clone(),
        application: None,
        started_by: Some(UserId::new("principal")),
        started_at: NOW,
        deadline: NOW.plus_days(30),
        unconfirmed: UnconfirmedPolicy::Revoke,
        items: vec![ReviewItem {
            grant: grant.id.clone(),
            decision: None,
            decided_by: None,
            decided_at: None,
            reason: String::new(),
            outcome_at_close: None,
        }],
        closed_at: None,
    };
    let deadline = NOW.plus_days(30);
    let mut table = String::new();
    for persona in [
        "operator",
        "principal",
        "deputy",
        "am_guichet",
        "am_federal",
        "liege_principal",
        "member",
        "member2",
        "suspended",
    ] {
        let who = actor(persona, 2);
        let whole = show_unit(start_review(world, &who, &namur, None, deadline, NOW));
        let of_guichet = show_unit(start_review(
            world,
            &who,
            &namur,
            Some(&guichet),
            deadline,
            NOW,
        ));
        let keep = show_unit(decide_review_item(
            world,
            &who,
            &review,
            grant,
            ReviewDecision::Keep,
            "",
            NOW,
        ));
        let revoke = show_unit(decide_review_item(
            world,
            &who,
            &review,
            grant,
            ReviewDecision::Revoke,
            "left the service",
            NOW,
        ));
        writeln!(
            table,
            "{persona:<16} start={whole} start_guichet={of_guichet} keep={keep} revoke={revoke}"
        )
        .unwrap();
    }
    let principal = actor("principal", 2);
    let past = show_unit(start_review(world, &principal, &namur, None, NOW, NOW));
    let late = show_unit(decide_review_item(
        world,
        &principal,
        &review,
        grant,
        ReviewDecision::Keep,
        "",
        deadline,
    ));
    let mut answered = review.clone();
    if let Some(item) = answered.items.first_mut() {
        item.decision = Some(ReviewDecision::Keep);
    }
    let twice = show_unit(decide_review_item(
        world,
        &principal,
        &answered,
        grant,
        ReviewDecision::Revoke,
        "changed my mind",
        NOW,
    ));
    let no_reason = show_unit(decide_review_item(
        world,
        &principal,
        &review,
        grant,
        ReviewDecision::Revoke,
        " ",
        NOW,
    ));
    writeln!(
        table,
        "deadline now={past} after deadline={late} answered twice={twice} revoke without reason={no_reason}"
    )
    .unwrap();
    expect![[r#"
        operator         start=active start_guichet=active keep=active revoke=active
        principal        start=active start_guichet=active keep=active revoke=active
        deputy           start=active start_guichet=active keep=active revoke=active
        am_guichet       start=outside_designation start_guichet=active keep=active revoke=active
        am_federal       start=outside_designation start_guichet=outside_designation keep=outside_designation revoke=outside_designation
        liege_principal  start=not_a_manager start_guichet=not_a_manager keep=not_a_manager revoke=not_a_manager
        member           start=not_a_manager start_guichet=not_a_manager keep=not_a_manager revoke=not_a_manager
        member2          start=not_a_manager start_guichet=not_a_manager keep=own_request revoke=not_a_manager
        suspended        start=user_suspended start_guichet=user_suspended keep=user_suspended revoke=user_suspended
        deadline now=invalid_validity after deadline=not_pending answered twice=not_pending revoke without reason=reason_required
    "#]]
    .assert_eq(&table);
}
