//! Small builders of domain entities for the store's tests.

use std::collections::BTreeSet;

use habilis_domain::*;

pub(crate) fn key(text: &str) -> Key {
    Key::parse("key", text).unwrap()
}

pub(crate) fn org_id(text: &str) -> OrganizationId {
    OrganizationId::new(text)
}

pub(crate) fn user_id(text: &str) -> UserId {
    UserId::new(text)
}

pub(crate) fn national_number(sequence: u32) -> NationalNumber {
    NationalNumber::from_parts(85, 7, 30, sequence).unwrap()
}

pub(crate) fn organization(
    id: &str,
    enterprise_body: Option<u32>,
    external_id: Option<&str>,
) -> Organization {
    Organization {
        id: org_id(id),
        enterprise_number: enterprise_body.map(|body| EnterpriseNumber::from_body(body).unwrap()),
        external_id: external_id.map(str::to_owned),
        kind: OrganizationKind::Commune,
        name: LocalizedName::same(id),
        suspended: None,
        require_approval: false,
        created_at: Timestamp(1),
    }
}

pub(crate) fn user(id: &str, number: Option<u32>, email: Option<&str>) -> User {
    User {
        id: user_id(id),
        national_number: number.map(national_number),
        email: email.map(|email| Email::parse(email).unwrap()),
        given_name: "Given".into(),
        family_name: id.into(),
        language: Language::Fr,
        created_at: Timestamp(1),
    }
}

pub(crate) fn membership(organization: &str, user: &str) -> Membership {
    Membership {
        organization: org_id(organization),
        user: user_id(user),
        since: Timestamp(1),
        ended_at: None,
    }
}

pub(crate) fn application(key_text: &str, owner: &str) -> Application {
    Application {
        key: key(key_text),
        name: LocalizedName::same(key_text),
        owner: org_id(owner),
        contexts: BTreeSet::from([Context::CivilServant]),
        permissions: BTreeSet::from([key("dossier.read")]),
        roles: vec![Role {
            key: key("reader"),
            name: LocalizedName::same("reader"),
            permissions: BTreeSet::from([key("dossier.read")]),
            owned_permissions: BTreeSet::new(),
            level: Some(key("low")),
            scoped: false,
            requires_approval: false,
        }],
        taxonomy: Vec::new(),
        self_grant: SelfGrantPolicy::Flag,
        exclusive_roles: Vec::new(),
        resource_properties: ResourceProperties::default(),
        created_at: Timestamp(1),
    }
}

pub(crate) fn subscription(organization: &str, application: &str) -> Subscription {
    Subscription {
        organization: org_id(organization),
        application: key(application),
        since: Timestamp(1),
    }
}

pub(crate) fn designation(id: &str, organization: &str, user: &str) -> Designation {
    Designation {
        id: DesignationId::new(id),
        organization: org_id(organization),
        user: user_id(user),
        kind: DesignationKind::Principal,
        applications: BTreeSet::new(),
        validity: Validity::from(Timestamp(1)),
        status: Status::Active,
        designated_by: None,
        reason: "founding".into(),
        ended: None,
        created_at: Timestamp(1),
    }
}

pub(crate) fn grant(id: &str, user: &str, organization: &str, application: &str) -> Grant {
    Grant {
        id: GrantId::new(id),
        user: user_id(user),
        organization: org_id(organization),
        application: key(application),
        role: key("reader"),
        scope: Scope::All,
        reach: Reach::Organization,
        validity: Validity::from(Timestamp(1)),
        status: Status::Active,
        granted_by: None,
        reason: "needed".into(),
        flagged: false,
        ended: None,
        created_at: Timestamp(1),
    }
}

pub(crate) fn mandate(id: &str, mandator: &str, mandatary: &str, application: &str) -> Mandate {
    Mandate {
        id: MandateId::new(id),
        mandator: org_id(mandator),
        mandatary: org_id(mandatary),
        application: key(application),
        scope: Scope::All,
        validity: Validity::from(Timestamp(1)),
        status: MandateStatus::Active,
        proposed_by: org_id(mandator),
        proposed_by_user: None,
        ended: None,
        created_at: Timestamp(1),
    }
}

pub(crate) fn suspension(id: &str, user: &str, application: Option<&str>) -> Suspension {
    Suspension {
        id: SuspensionId::new(id),
        user: user_id(user),
        application: application.map(key),
        reason: "abuse".into(),
        by: None,
        at: Timestamp(1),
        lifted: None,
    }
}

pub(crate) fn approval(id: &str, organization: &str, grant: &str) -> Approval {
    Approval {
        id: ApprovalId::new(id),
        subject: ApprovalSubject::Grant(GrantId::new(grant)),
        organization: org_id(organization),
        application: Some(key("app")),
        cause: ApprovalCause::Role,
        requested_by: None,
        requested_at: Timestamp(1),
        expires_at: Timestamp(1_000_000),
        status: ApprovalStatus::Pending,
        decided: None,
    }
}

pub(crate) fn resource(id: &str, organization: &str, owner: Option<&str>) -> Resource {
    Resource {
        application: key("app"),
        resource_type: key("dossier"),
        id: id.into(),
        organization: org_id(organization),
        matter: None,
        category: None,
        owner: owner.map(user_id),
    }
}

/// One of every kind of change: organisations `org_a` (enterprise number) and `org_b`
/// (external id) with a mandate from A to B, `org_c` unrelated; users `usr_x` (in A),
/// `usr_y` (in B) and `usr_z` (in C); application `app` owned by A.
pub(crate) fn every_change() -> Vec<Change> {
    let settings = Settings {
        approval_days: 7,
        ..Settings::default()
    };
    vec![
        Change::Settings(settings),
        Change::Levels(Levels::default()),
        Change::Operator {
            user: user_id("usr_op"),
            present: true,
        },
        Change::Organization(organization("org_a", Some(1_234_567), None)),
        Change::Organization(organization("org_b", None, Some("FOREIGN-1"))),
        Change::Organization(organization("org_c", Some(7_654_321), None)),
        Change::LegalRepresentative {
            organization: org_id("org_a"),
            user: user_id("usr_x"),
            present: true,
        },
        Change::User(user("usr_op", None, Some("op@example.org"))),
        Change::User(user("usr_x", Some(1), Some("x@example.org"))),
        Change::User(user("usr_y", Some(2), None)),
        Change::User(user("usr_z", None, Some("z@example.org"))),
        Change::SubjectId {
            application: key("app"),
            subject_id: "sub-x".into(),
            user: user_id("usr_x"),
            present: true,
        },
        Change::Membership(membership("org_a", "usr_x")),
        Change::Membership(membership("org_b", "usr_y")),
        Change::Membership(membership("org_c", "usr_z")),
        Change::Application(application("app", "org_a")),
        Change::Subscription {
            subscription: subscription("org_a", "app"),
            present: true,
        },
        Change::Subscription {
            subscription: subscription("org_c", "app"),
            present: true,
        },
        Change::Designation(designation("dsg_1", "org_a", "usr_x")),
        Change::Grant(grant("grt_1", "usr_x", "org_a", "app")),
        Change::Grant(grant("grt_2", "usr_y", "org_b", "app")),
        Change::Grant(grant("grt_3", "usr_z", "org_c", "app")),
        Change::Mandate(mandate("mnd_1", "org_a", "org_b", "app")),
        Change::Suspension(suspension("sus_1", "usr_z", Some("app"))),
        Change::Approval(approval("apr_1", "org_a", "grt_1")),
        Change::Resource(resource("d-1", "org_a", Some("usr_x"))),
        Change::Resource(resource("d-2", "org_c", None)),
    ]
}

/// The world `changes` make from an empty one.
pub(crate) fn fold(changes: &[Change]) -> World {
    let mut world = World::default();
    for change in changes {
        world.apply(change);
    }
    world
}

/// Worlds compared by their (deterministic) debug rendering, since `World` has no `Eq`.
pub(crate) fn render(world: &World) -> String {
    format!("{world:#?}")
}
