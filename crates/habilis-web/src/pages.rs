//! The pages. Each reads and changes through `habilis_core::Services` as the session's user;
//! what the domain refuses comes back as a message in the user's language.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::extract::{Form, Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use habilis_core::commands::{GrantFilter, GrantInput};
use habilis_core::{AuditFilter, Caller, Error};
use habilis_domain::{
    Application, ApprovalSubject, GrantState, Key, Language, OrganizationId, Reach, Scope,
    Timestamp, UserId,
};
use serde::Deserialize;

use crate::auth::interrupted;
use crate::i18n::Tr;
use crate::view::{Ctx, Fields, Frame};

/// Members shown per page of an organisation.
const MEMBERS_PER_PAGE: usize = 25;

// ----- view models: what templates show, already in the user's language -----

pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub number: String,
    /// The caller's powers there, in words.
    pub powers: Vec<String>,
    /// The caller is a principal manager and the organisation has no deputy.
    pub no_deputy: bool,
}

pub struct GrantRow {
    pub id: String,
    pub user_name: String,
    pub organization: String,
    pub application: String,
    pub role: String,
    pub scope: String,
    pub until: String,
    pub state: String,
    pub state_key: &'static str,
    pub revocable: bool,
}

pub struct DesignationRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub applications: String,
    pub until: String,
    pub pending: bool,
}

pub struct MandateRow {
    pub id: String,
    pub mandator: String,
    pub mandatary: String,
    pub application: String,
    pub scope: String,
    pub until: String,
    pub proposed: bool,
    pub state: String,
}

pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub since: String,
}

pub struct ApprovalRow {
    pub id: String,
    pub what: String,
    pub organization: String,
    pub requested_by: String,
    pub requested_at: String,
    pub expires_at: String,
    pub cause: String,
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub outcome: String,
    pub refused: bool,
    pub code: String,
    pub subject: String,
    pub target: String,
    pub reason: String,
}

pub struct RoleOption {
    pub value: String,
    pub label: String,
}

pub struct MatterOption {
    pub label: String,
    pub categories: Vec<RoleOption>,
}

pub struct AppOption {
    pub label: String,
    pub roles: Vec<RoleOption>,
    pub taxonomy: Vec<MatterOption>,
}

fn localized(name: &habilis_domain::LocalizedName, language: Language, fallback: &str) -> String {
    let text = name.get(language);
    if text.is_empty() {
        fallback.to_owned()
    } else {
        text.to_owned()
    }
}

fn scope_text(tr: &Tr, app: Option<&Application>, scope: &Scope) -> String {
    let matter_name = |m: &Key| {
        app.and_then(|a| a.matter(m.as_str())).map_or_else(
            || m.to_string(),
            |matter| localized(&matter.name, tr.language, m.as_str()),
        )
    };
    match scope {
        Scope::All => tr.t("scope-all"),
        Scope::Matters(matters) => matters
            .iter()
            .map(matter_name)
            .collect::<Vec<_>>()
            .join(", "),
        Scope::Categories(pairs) => pairs
            .iter()
            .map(|(m, c)| {
                let category = app
                    .and_then(|a| a.matter(m.as_str()))
                    .and_then(|matter| matter.categories.iter().find(|cat| cat.key == *c))
                    .map_or_else(
                        || c.to_string(),
                        |cat| localized(&cat.name, tr.language, c.as_str()),
                    );
                format!("{} › {}", matter_name(m), category)
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn state_key(state: GrantState) -> &'static str {
    match state {
        GrantState::Pending => "pending",
        GrantState::Active => "active",
        GrantState::Revoked => "revoked",
        GrantState::Expired => "expired",
        GrantState::Rejected => "rejected",
    }
}

/// Reads what rows need by name: users and applications, once each.
struct Names {
    users: HashMap<UserId, String>,
    organizations: HashMap<OrganizationId, String>,
    applications: HashMap<Key, Application>,
}

impl Names {
    async fn load(ctx: &Ctx, caller: &Caller) -> Names {
        let applications = ctx
            .services()
            .list_applications(caller)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.key.clone(), a))
            .collect();
        Names {
            users: HashMap::new(),
            organizations: HashMap::new(),
            applications,
        }
    }

    async fn user(&mut self, ctx: &Ctx, id: &UserId) -> String {
        if let Some(name) = self.users.get(id) {
            return name.clone();
        }
        let name = ctx
            .services()
            .db()
            .find_user(id.as_str(), None)
            .await
            .ok()
            .flatten()
            .map_or_else(|| id.to_string(), |u| u.display_name());
        self.users.insert(id.clone(), name.clone());
        name
    }

    async fn organization(&mut self, ctx: &Ctx, id: &OrganizationId) -> String {
        if let Some(name) = self.organizations.get(id) {
            return name.clone();
        }
        let language = ctx.language();
        let name = ctx
            .services()
            .db()
            .find_organization(id.as_str())
            .await
            .ok()
            .flatten()
            .map_or_else(
                || id.to_string(),
                |o| localized(&o.name, language, id.as_str()),
            );
        self.organizations.insert(id.clone(), name.clone());
        name
    }

    async fn grant_rows(
        &mut self,
        ctx: &Ctx,
        grants: &[habilis_domain::Grant],
        now: Timestamp,
    ) -> Vec<GrantRow> {
        let tr = ctx.tr();
        let mut rows = Vec::with_capacity(grants.len());
        for grant in grants {
            let app = self.applications.get(&grant.application).cloned();
            let role = app
                .as_ref()
                .and_then(|a| a.role(grant.role.as_str()))
                .map_or_else(
                    || grant.role.to_string(),
                    |r| localized(&r.name, tr.language, grant.role.as_str()),
                );
            let state = grant.state(now);
            rows.push(GrantRow {
                id: grant.id.to_string(),
                user_name: self.user(ctx, &grant.user).await,
                organization: self.organization(ctx, &grant.organization).await,
                application: app.as_ref().map_or_else(
                    || grant.application.to_string(),
                    |a| localized(&a.name, tr.language, a.key.as_str()),
                ),
                role,
                scope: scope_text(&tr, app.as_ref(), &grant.scope),
                until: grant
                    .validity
                    .until
                    .map_or_else(|| tr.t("until-open"), |u| tr.date(u)),
                state: tr.t(&format!("state-{}", state_key(state))),
                state_key: state_key(state),
                revocable: matches!(state, GrantState::Active | GrantState::Pending),
            });
        }
        rows
    }

    fn app_options(&self, tr: &Tr, subscribed: Option<&BTreeSet<Key>>) -> Vec<AppOption> {
        let mut options: Vec<AppOption> = self
            .applications
            .values()
            .filter(|a| subscribed.is_none_or(|s| s.contains(&a.key)))
            .map(|a| AppOption {
                label: localized(&a.name, tr.language, a.key.as_str()),
                roles: a
                    .roles
                    .iter()
                    .map(|r| RoleOption {
                        value: format!("{}/{}", a.key, r.key),
                        label: localized(&r.name, tr.language, r.key.as_str()),
                    })
                    .collect(),
                taxonomy: a
                    .taxonomy
                    .iter()
                    .map(|m| MatterOption {
                        label: localized(&m.name, tr.language, m.key.as_str()),
                        categories: m
                            .categories
                            .iter()
                            .map(|c| RoleOption {
                                value: format!("{}/{}/{}", a.key, m.key, c.key),
                                label: localized(&c.name, tr.language, c.key.as_str()),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        options.sort_by(|a, b| a.label.cmp(&b.label));
        options
    }
}

// ----- home: the sign-in page, or the dashboard -----

#[derive(Template)]
#[template(path = "welcome.html")]
struct WelcomePage {
    frame: Frame,
    login_available: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    frame: Frame,
    organizations: Vec<OrgRow>,
    approvals: usize,
    grants: Vec<GrantRow>,
    expiring: usize,
    pending_mine: usize,
    no_deputy: usize,
}

pub async fn home(ctx: Ctx) -> Response {
    let mut ctx = ctx;
    let Some(caller) = ctx.caller() else {
        let frame = ctx.frame("welcome-title", "home").await;
        let page = WelcomePage {
            frame,
            login_available: ctx.state.oidc.is_some() || ctx.state.local_accounts,
        };
        return ctx.page(&page);
    };
    let language = ctx.language();
    let organizations = match ctx
        .services()
        .list_organizations(&caller, None, None, None)
        .await
    {
        Ok(list) => list,
        Err(error) => return ctx.error_page(error).await,
    };
    let now = ctx.services().now();
    let ids: Vec<OrganizationId> = organizations.iter().map(|o| o.id.clone()).collect();
    let world = ctx
        .services()
        .db()
        .read_slice(&ids, caller.user.as_slice(), &[])
        .await
        .ok();
    let tr = ctx.tr();
    let organizations: Vec<OrgRow> = organizations
        .into_iter()
        .map(|o| {
            let (powers, no_deputy) = match (&world, &caller.user) {
                (Some(world), Some(user)) => powers_in(&tr, world, &o.id, user, now),
                _ => (Vec::new(), false),
            };
            OrgRow {
                id: o.id.to_string(),
                name: localized(&o.name, language, o.id.as_str()),
                number: o
                    .enterprise_number
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                powers,
                no_deputy,
            }
        })
        .collect();
    let no_deputy = organizations.iter().filter(|o| o.no_deputy).count();
    let approvals = ctx
        .services()
        .list_approvals(&caller)
        .await
        .map(|a| a.len())
        .unwrap_or(0);
    let mine = ctx
        .services()
        .list_grants(
            &caller,
            GrantFilter {
                user: caller.user.as_ref().map(ToString::to_string),
                ..GrantFilter::default()
            },
        )
        .await
        .unwrap_or_default();
    let soon = now.plus_seconds(30 * 86_400);
    let expiring = mine
        .iter()
        .filter(|g| g.state(now) == GrantState::Active)
        .filter(|g| g.validity.until.is_some_and(|u| u <= soon))
        .count();
    let pending_mine = mine
        .iter()
        .filter(|g| g.state(now) == GrantState::Pending)
        .count();
    let mut names = Names::load(&ctx, &caller).await;
    let live: Vec<habilis_domain::Grant> = mine
        .into_iter()
        .filter(|g| matches!(g.state(now), GrantState::Active | GrantState::Pending))
        .collect();
    let grants = names.grant_rows(&ctx, &live, now).await;
    let frame = ctx.frame("dashboard-title", "home").await;
    let page = DashboardPage {
        frame,
        organizations,
        approvals,
        grants,
        expiring,
        pending_mine,
        no_deputy,
    };
    ctx.page(&page)
}

/// What `user` may do in `organization`, in words, and whether they are a principal
/// manager of an organisation left without a deputy.
fn powers_in(
    tr: &Tr,
    world: &habilis_domain::World,
    organization: &OrganizationId,
    user: &UserId,
    now: Timestamp,
) -> (Vec<String>, bool) {
    use habilis_domain::DesignationKind;
    let mut powers = Vec::new();
    let mut principal = false;
    if world.is_legal_representative(organization, user) {
        powers.push(tr.t("power-legal-representative"));
    }
    for designation in world.designations_in_force(organization, user, now) {
        match designation.kind {
            DesignationKind::Principal => {
                principal = true;
                powers.push(tr.t("power-principal"));
            }
            DesignationKind::Deputy => powers.push(tr.t("power-deputy")),
            DesignationKind::AccessManager => {
                let apps: Vec<String> = designation
                    .applications
                    .iter()
                    .map(|a| {
                        world.applications.get(a).map_or_else(
                            || a.to_string(),
                            |app| localized(&app.name, tr.language, a.as_str()),
                        )
                    })
                    .collect();
                powers.push(tr.t1("power-access-manager", "applications", &apps.join(", ")));
            }
        }
    }
    let has_deputy = world.designations.values().any(|d| {
        &d.organization == organization && d.kind == DesignationKind::Deputy && d.is_in_force(now)
    });
    if powers.is_empty() {
        powers.push(tr.t("power-member"));
    }
    (powers, principal && !has_deputy)
}

// ----- an organisation: members, add a member -----

#[derive(Deserialize)]
pub struct MembersQuery {
    q: Option<String>,
    page: Option<usize>,
}

#[derive(Template)]
#[template(path = "organization.html")]
struct OrganizationPage {
    frame: Frame,
    id: String,
    name: String,
    number: String,
    members: Vec<MemberRow>,
    total: usize,
    query: String,
    page: usize,
    pages: usize,
    managers: Vec<DesignationRow>,
    applications: Vec<RoleOption>,
    mandates: Vec<MandateRow>,
    matters: Vec<RoleOption>,
}

pub async fn organization(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<MembersQuery>,
) -> Response {
    let (mut ctx, caller) = match ctx.require_login() {
        Ok(found) => found,
        Err(response) => return response,
    };
    let language = ctx.language();
    let found = match ctx.services().get_organization(&caller, &id).await {
        Ok(found) => found,
        Err(error) => return ctx.error_page(error).await,
    };
    let members = match ctx.services().list_members(&caller, &id).await {
        Ok(members) => members,
        Err(error) => return ctx.error_page(error).await,
    };
    let now = ctx.services().now();
    let tr = ctx.tr();
    let needle = query.q.clone().unwrap_or_default().trim().to_lowercase();
    let mut rows: Vec<MemberRow> = members
        .into_iter()
        .filter(|(_, m)| m.is_active(now))
        .filter(|(user, _)| {
            needle.is_empty()
                || user.display_name().to_lowercase().contains(&needle)
                || user
                    .email
                    .as_ref()
                    .is_some_and(|e| e.as_str().to_lowercase().contains(&needle))
        })
        .map(|(user, membership)| MemberRow {
            id: user.id.to_string(),
            name: user.display_name(),
            email: user.email.map(|e| e.to_string()).unwrap_or_default(),
            since: tr.date(membership.since),
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let total = rows.len();
    let pages = total.div_ceil(MEMBERS_PER_PAGE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let members: Vec<MemberRow> = rows
        .into_iter()
        .skip((page - 1) * MEMBERS_PER_PAGE)
        .take(MEMBERS_PER_PAGE)
        .collect();
    let mut names = Names::load(&ctx, &caller).await;
    let managers = designation_rows(&ctx, &mut names, &found.id, None, now).await;
    let applications = {
        let mut options: Vec<RoleOption> = names
            .applications
            .values()
            .map(|a| RoleOption {
                value: a.key.to_string(),
                label: localized(&a.name, language, a.key.as_str()),
            })
            .collect();
        options.sort_by(|a, b| a.label.cmp(&b.label));
        options
    };
    let mandates = mandate_rows(&ctx, &mut names, &found.id, now).await;
    let matters = {
        let mut options: Vec<RoleOption> = names
            .applications
            .values()
            .flat_map(|a| {
                a.taxonomy.iter().map(move |m| RoleOption {
                    value: format!("{}/{}", a.key, m.key),
                    label: format!(
                        "{} › {}",
                        localized(&a.name, language, a.key.as_str()),
                        localized(&m.name, language, m.key.as_str())
                    ),
                })
            })
            .collect();
        options.sort_by(|a, b| a.label.cmp(&b.label));
        options
    };
    let frame = ctx.frame("organization-title", "organizations").await;
    let page = OrganizationPage {
        managers,
        applications,
        mandates,
        matters,
        frame,
        id: found.id.to_string(),
        name: localized(&found.name, language, found.id.as_str()),
        number: found
            .enterprise_number
            .map(|n| n.to_string())
            .unwrap_or_default(),
        members,
        total,
        query: query.q.unwrap_or_default(),
        page,
        pages,
    };
    ctx.page(&page)
}

/// The organisation's designations in force or waiting, principal managers first.
async fn designation_rows(
    ctx: &Ctx,
    names: &mut Names,
    organization: &OrganizationId,
    only: Option<&UserId>,
    now: Timestamp,
) -> Vec<DesignationRow> {
    use habilis_domain::{DesignationKind, Status};
    let tr = ctx.tr();
    let Ok(world) = ctx
        .services()
        .db()
        .read_slice(std::slice::from_ref(organization), &[], &[])
        .await
    else {
        return Vec::new();
    };
    let mut designations: Vec<&habilis_domain::Designation> = world
        .designations
        .values()
        .filter(|d| &d.organization == organization)
        .filter(|d| only.is_none_or(|user| &d.user == user))
        .filter(|d| d.is_in_force(now) || d.status == Status::Pending)
        .collect();
    let order = |kind: DesignationKind| match kind {
        DesignationKind::Principal => 0,
        DesignationKind::Deputy => 1,
        DesignationKind::AccessManager => 2,
    };
    designations.sort_by_key(|d| (order(d.kind), d.created_at));
    let mut rows = Vec::with_capacity(designations.len());
    for designation in designations {
        let applications: Vec<String> = designation
            .applications
            .iter()
            .map(|a| {
                names.applications.get(a).map_or_else(
                    || a.to_string(),
                    |app| localized(&app.name, tr.language, a.as_str()),
                )
            })
            .collect();
        rows.push(DesignationRow {
            id: designation.id.to_string(),
            name: names.user(ctx, &designation.user).await,
            kind: tr.t(&format!(
                "kind-{}",
                designation.kind.as_str().replace('_', "-")
            )),
            applications: applications.join(", "),
            until: designation
                .validity
                .until
                .map_or_else(|| tr.t("until-open"), |u| tr.date(u)),
            pending: designation.status == Status::Pending,
        });
    }
    rows
}

/// The mandates the organisation gives or receives, proposed or active.
async fn mandate_rows(
    ctx: &Ctx,
    names: &mut Names,
    organization: &OrganizationId,
    now: Timestamp,
) -> Vec<MandateRow> {
    use habilis_domain::MandateStatus;
    let tr = ctx.tr();
    let Ok(world) = ctx
        .services()
        .db()
        .read_slice(std::slice::from_ref(organization), &[], &[])
        .await
    else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for mandate in world.mandates.values() {
        let involved = &mandate.mandator == organization || &mandate.mandatary == organization;
        let live = matches!(
            mandate.status,
            MandateStatus::Proposed | MandateStatus::Active
        ) && !mandate.validity.is_over(now);
        if !involved || !live {
            continue;
        }
        let app = names.applications.get(&mandate.application).cloned();
        rows.push(MandateRow {
            id: mandate.id.to_string(),
            mandator: names.organization(ctx, &mandate.mandator).await,
            mandatary: names.organization(ctx, &mandate.mandatary).await,
            application: app.as_ref().map_or_else(
                || mandate.application.to_string(),
                |a| localized(&a.name, tr.language, a.key.as_str()),
            ),
            scope: scope_text(&tr, app.as_ref(), &mandate.scope),
            until: mandate
                .validity
                .until
                .map_or_else(|| tr.t("until-open"), |u| tr.date(u)),
            proposed: mandate.status == MandateStatus::Proposed,
            state: tr.t(if mandate.status == MandateStatus::Proposed {
                "mandate-proposed"
            } else {
                "state-active"
            }),
        });
    }
    rows
}

/// Proposes a mandate: this organisation gives another one (by enterprise number) the
/// right to act for it in an application, within some subject-matters.
pub async fn propose_mandate(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Response {
    use habilis_core::commands::MandateInput;
    let (mut ctx, caller) = match ctx.submitter(&form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| form.get(name);
    let back = format!("/organizations/{}", crate::util::encode(&id));
    let application = field("application");
    let matters: BTreeSet<Key> = form
        .all("matters")
        .filter_map(|value| value.split_once('/'))
        .filter(|(app, _)| *app == application)
        .filter_map(|(_, matter)| Key::parse("matter", matter).ok())
        .collect();
    let Some(valid_until) = day(&field("valid_until")) else {
        let text = ctx.tr().t("grant-bad-date");
        ctx.flash(false, text);
        return ctx.redirect(&back);
    };
    let input = MandateInput {
        mandator: id.clone(),
        mandatary: field("mandatary"),
        application,
        scope: if matters.is_empty() {
            Scope::All
        } else {
            Scope::Matters(matters)
        },
        valid_until,
    };
    match ctx.services().propose_mandate(&caller, input).await {
        Ok(_) => ctx.done("mandate-proposed-done", &back),
        Err(error) => {
            let path = format!("/organizations/{}/mandates", crate::util::encode(&id));
            let kept = interrupted(&path, &form, ctx.tr().t("resume-mandate"));
            ctx.failed(error, &back, Some(kept))
        }
    }
}

/// Accepts a proposed mandate (the other side), or ends one (either side), with a reason.
pub async fn decide_mandate(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Response {
    let (mut ctx, caller) = match ctx.submitter(&form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| form.get(name);
    let back = crate::util::local_path(&field("return_to"));
    let accept = field("decision") == "accept";
    let reason = form.text("reason");
    match ctx
        .services()
        .decide_mandate(&caller, &id, accept, reason)
        .await
    {
        Ok(_) => {
            let text = ctx.tr().t(if accept {
                "mandate-accepted"
            } else {
                "mandate-ended"
            });
            ctx.flash(true, text);
            ctx.redirect(&back)
        }
        Err(error) => {
            let path = format!("/mandates/{}/decide", crate::util::encode(&id));
            let kept = interrupted(&path, &form, ctx.tr().t("resume-mandate"));
            ctx.failed(error, &back, Some(kept))
        }
    }
}

/// Designates a principal manager, a deputy or an access manager (for some applications).
pub async fn designate(ctx: Ctx, Path(id): Path<String>, Form(form): Form<Fields>) -> Response {
    use habilis_core::commands::DesignationInput;
    use habilis_domain::DesignationKind;
    let (mut ctx, caller) = match ctx.submitter(&form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| form.get(name);
    let back = format!("/organizations/{}", crate::util::encode(&id));
    let kind = match field("kind").as_str() {
        "principal" => DesignationKind::Principal,
        "deputy" => DesignationKind::Deputy,
        _ => DesignationKind::AccessManager,
    };
    let applications: Vec<String> = form.all("applications").map(str::to_owned).collect();
    let Some(valid_until) = day(&field("valid_until")) else {
        let text = ctx.tr().t("grant-bad-date");
        ctx.flash(false, text);
        return ctx.redirect(&back);
    };
    let input = DesignationInput {
        organization: id.clone(),
        user: field("person"),
        kind,
        applications,
        valid_until,
        reason: Some(field("reason")).filter(|r| !r.is_empty()),
    };
    match ctx.services().designate(&caller, input).await {
        Ok(committed) => {
            let text = if committed.value.status == habilis_domain::Status::Pending {
                ctx.tr().t("designation-pending")
            } else {
                ctx.tr().t("designation-done")
            };
            ctx.flash(true, text);
            ctx.redirect(&back)
        }
        Err(error) => {
            let path = format!("/organizations/{}/designations", crate::util::encode(&id));
            let kept = interrupted(&path, &form, ctx.tr().t("resume-designation"));
            ctx.failed(error, &back, Some(kept))
        }
    }
}

/// Ends a designation, with a reason.
pub async fn end_designation(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Response {
    let (ctx, caller) = match ctx.submitter(&form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| form.get(name);
    let back = crate::util::local_path(&field("return_to"));
    let reason = form.text("reason");
    match ctx.services().end_designation(&caller, &id, reason).await {
        Ok(_) => ctx.done("designation-ended", &back),
        Err(error) => {
            let path = format!("/designations/{}/end", crate::util::encode(&id));
            let kept = interrupted(&path, &form, ctx.tr().t("resume-designation-end"));
            ctx.failed(error, &back, Some(kept))
        }
    }
}

pub async fn add_member(ctx: Ctx, Path(id): Path<String>, Form(form): Form<Fields>) -> Response {
    let (mut ctx, caller) = match ctx.submitter(&form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| form.get(name);
    let back = format!("/organizations/{}", crate::util::encode(&id));
    let person = field("person");
    match ctx.services().add_member(&caller, &id, &person).await {
        Ok(committed) => {
            let text = ctx.tr().t("member-added");
            ctx.flash(true, text);
            let to = format!(
                "/organizations/{}/members/{}",
                crate::util::encode(&id),
                crate::util::encode(committed.value.user.as_str())
            );
            ctx.redirect(&to)
        }
        Err(error) => ctx.failed(error, &back, None),
    }
}

// ----- a member: their grants here, grant a role, history -----

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    frame: Frame,
    organization: String,
    organization_name: String,
    user: String,
    user_name: String,
    email: String,
    grants: Vec<GrantRow>,
    designations: Vec<DesignationRow>,
    applications: Vec<AppOption>,
    history: Vec<AuditRow>,
    today: String,
}

pub async fn member(ctx: Ctx, Path((id, user)): Path<(String, String)>) -> Response {
    let (mut ctx, caller) = match ctx.require_login() {
        Ok(found) => found,
        Err(response) => return response,
    };
    let language = ctx.language();
    let found = match ctx.services().get_organization(&caller, &id).await {
        Ok(found) => found,
        Err(error) => return ctx.error_page(error).await,
    };
    let person = match ctx.services().get_user(&caller, &user).await {
        Ok(person) => person,
        Err(error) => return ctx.error_page(error).await,
    };
    let grants = match ctx
        .services()
        .list_grants(
            &caller,
            GrantFilter {
                user: Some(person.id.to_string()),
                organization: Some(found.id.to_string()),
                ..GrantFilter::default()
            },
        )
        .await
    {
        Ok(grants) => grants,
        Err(error) => return ctx.error_page(error).await,
    };
    let now = ctx.services().now();
    let mut names = Names::load(&ctx, &caller).await;
    let grants = names.grant_rows(&ctx, &grants, now).await;
    let tr = ctx.tr();
    let applications = names.app_options(&tr, None);
    let history = ctx
        .services()
        .audit(
            &caller,
            AuditFilter {
                organization: Some(found.id.clone()),
                user: Some(person.id.clone()),
                newest_first: true,
                limit: 50,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap_or_default();
    let history = audit_rows(&ctx, &mut names, history).await;
    let designations = designation_rows(&ctx, &mut names, &found.id, Some(&person.id), now).await;
    let frame = ctx.frame("member-title", "organizations").await;
    let page = MemberPage {
        frame,
        organization: found.id.to_string(),
        organization_name: localized(&found.name, language, found.id.as_str()),
        user: person.id.to_string(),
        user_name: person.display_name(),
        email: person.email.map(|e| e.to_string()).unwrap_or_default(),
        grants,
        designations,
        applications,
        history,
        today: chrono::DateTime::from_timestamp(now.0, 0)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    };
    ctx.page(&page)
}

/// Ends a person's membership of the organisation, with a reason (which ends their grants
/// and designations there).
pub async fn remove_member(
    ctx: Ctx,
    Path((id, user)): Path<(String, String)>,
    Form(form): Form<Fields>,
) -> Response {
    let (mut ctx, caller) = match ctx.submitter(&form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let back = format!(
        "/organizations/{}/members/{}",
        crate::util::encode(&id),
        crate::util::encode(&user)
    );
    let reason = form.text("reason");
    match ctx
        .services()
        .remove_member(&caller, &id, &user, reason)
        .await
    {
        Ok(_) => {
            let text = ctx.tr().t("member-removed");
            ctx.flash(true, text);
            ctx.redirect(&format!("/organizations/{}", crate::util::encode(&id)))
        }
        Err(error) => {
            let path = format!("{back}/remove");
            let kept = interrupted(&path, &form, ctx.tr().t("member-remove"));
            ctx.failed(error, &back, Some(kept))
        }
    }
}

/// A date field (`yyyy-mm-dd`) as the start of that day, UTC.
fn day(text: &str) -> Option<Option<Timestamp>> {
    if text.trim().is_empty() {
        return Some(None);
    }
    let date = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    let moment = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
    Some(Some(Timestamp(moment)))
}

/// The grant form: `role` is `application/role`; each checked `scope` is
/// `application/matter/category` (the category tree of that application).
pub async fn grant(
    ctx: Ctx,
    Path((id, user)): Path<(String, String)>,
    Form(form): Form<Fields>,
) -> Response {
    let (mut ctx, caller) = match ctx.submitter(&form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| form.get(name);
    let back = format!(
        "/organizations/{}/members/{}",
        crate::util::encode(&id),
        crate::util::encode(&user)
    );
    let role_field = field("role");
    let Some((application, role)) = role_field.split_once('/') else {
        let text = ctx.tr().t("grant-choose-role");
        ctx.flash(false, text);
        return ctx.redirect(&back);
    };
    let mut pairs = BTreeSet::new();
    for value in form.all("scope") {
        let mut parts = value.splitn(3, '/');
        if let (Some(app), Some(matter), Some(category)) =
            (parts.next(), parts.next(), parts.next())
            && app == application
            && let (Ok(matter), Ok(category)) = (
                Key::parse("matter", matter),
                Key::parse("category", category),
            )
        {
            pairs.insert((matter, category));
        }
    }
    let scope = if pairs.is_empty() {
        Scope::All
    } else {
        Scope::Categories(pairs)
    };
    let (Some(valid_from), Some(valid_until)) =
        (day(&field("valid_from")), day(&field("valid_until")))
    else {
        let text = ctx.tr().t("grant-bad-date");
        ctx.flash(false, text);
        return ctx.redirect(&back);
    };
    let reason = form.text("reason");
    let input = GrantInput {
        user: user.clone(),
        organization: id.clone(),
        application: application.to_owned(),
        role: role.to_owned(),
        scope,
        reach: Reach::Organization,
        valid_from,
        valid_until,
        reason,
    };
    let tr = ctx.tr();
    match ctx.services().grant(&caller, input).await {
        Ok(committed) => {
            let text = if committed.value.status == habilis_domain::Status::Pending {
                tr.t("grant-pending")
            } else {
                tr.t("grant-done")
            };
            ctx.flash(true, text);
            ctx.redirect(&back)
        }
        Err(error) => {
            let path = format!(
                "/organizations/{}/members/{}/grants",
                crate::util::encode(&id),
                crate::util::encode(&user)
            );
            let kept = interrupted(&path, &form, tr.t1("resume-grant", "role", role));
            ctx.failed(error, &back, Some(kept))
        }
    }
}

pub async fn revoke(ctx: Ctx, Path(id): Path<String>, Form(form): Form<Fields>) -> Response {
    let (ctx, caller) = match ctx.submitter(&form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| form.get(name);
    let back = crate::util::local_path(&field("return_to"));
    let reason = form.text("reason");
    match ctx.services().revoke_grant(&caller, &id, reason).await {
        Ok(_) => ctx.done("grant-revoked", &back),
        Err(error) => {
            let path = format!("/grants/{}/revoke", crate::util::encode(&id));
            let kept = interrupted(&path, &form, ctx.tr().t("resume-revoke"));
            ctx.failed(error, &back, Some(kept))
        }
    }
}

// ----- approvals -----

#[derive(Template)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    frame: Frame,
    approvals: Vec<ApprovalRow>,
}

pub async fn approvals(ctx: Ctx) -> Response {
    let (mut ctx, caller) = match ctx.require_login() {
        Ok(found) => found,
        Err(response) => return response,
    };
    let list = match ctx.services().list_approvals(&caller).await {
        Ok(list) => list,
        Err(error) => return ctx.error_page(error).await,
    };
    let tr = ctx.tr();
    let now = ctx.services().now();
    let mut names = Names::load(&ctx, &caller).await;
    let mut rows = Vec::with_capacity(list.len());
    for approval in list {
        let what = match &approval.subject {
            ApprovalSubject::Grant(grant) => {
                match ctx
                    .services()
                    .db()
                    .get::<habilis_domain::Grant>(habilis_store::EntityKind::Grant, grant.as_str())
                    .await
                {
                    Ok(Some(grant)) => {
                        let row = names
                            .grant_rows(&ctx, std::slice::from_ref(&grant), now)
                            .await;
                        row.first().map_or_else(String::new, |r| {
                            tr.t1("approval-grant", "who", &r.user_name)
                                + " — "
                                + &r.application
                                + " › "
                                + &r.role
                                + " ("
                                + &r.scope
                                + ")"
                        })
                    }
                    _ => grant.to_string(),
                }
            }
            ApprovalSubject::Designation(designation) => {
                match ctx
                    .services()
                    .db()
                    .get::<habilis_domain::Designation>(
                        habilis_store::EntityKind::Designation,
                        designation.as_str(),
                    )
                    .await
                {
                    Ok(Some(found)) => format!(
                        "{} — {}",
                        tr.t(&format!("kind-{}", found.kind.as_str().replace('_', "-"))),
                        names.user(&ctx, &found.user).await
                    ),
                    _ => format!("{} {}", tr.t("approval-designation"), designation),
                }
            }
        };
        let requested_by = match &approval.requested_by {
            Some(user) => names.user(&ctx, user).await,
            None => String::new(),
        };
        rows.push(ApprovalRow {
            id: approval.id.to_string(),
            what,
            organization: names.organization(&ctx, &approval.organization).await,
            requested_by,
            requested_at: tr.date_time(approval.requested_at),
            expires_at: tr.date(approval.expires_at),
            cause: tr.t(&format!("cause-{}", cause_key(approval.cause))),
        });
    }
    let frame = ctx.frame("approvals-title", "approvals").await;
    let page = ApprovalsPage {
        frame,
        approvals: rows,
    };
    ctx.page(&page)
}

fn cause_key(cause: habilis_domain::ApprovalCause) -> &'static str {
    match cause {
        habilis_domain::ApprovalCause::Organization => "organization",
        habilis_domain::ApprovalCause::Role => "role",
        habilis_domain::ApprovalCause::SelfGrant => "self-grant",
        habilis_domain::ApprovalCause::Operator => "operator",
    }
}

pub async fn decide(ctx: Ctx, Path(id): Path<String>, Form(form): Form<Fields>) -> Response {
    let (mut ctx, caller) = match ctx.submitter(&form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| form.get(name);
    let approve = field("decision") == "approve";
    let reason = form.text("reason");
    match ctx
        .services()
        .decide_approval(&caller, &id, approve, reason)
        .await
    {
        Ok(_) => {
            let text = ctx.tr().t(if approve {
                "approval-approved"
            } else {
                "approval-rejected"
            });
            ctx.flash(true, text);
            ctx.redirect("/approvals")
        }
        Err(error) => {
            let path = format!("/approvals/{}/decide", crate::util::encode(&id));
            let kept = interrupted(&path, &form, ctx.tr().t("resume-approval"));
            ctx.failed(error, "/approvals", Some(kept))
        }
    }
}

// ----- audit trail -----

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    organization: Option<String>,
    application: Option<String>,
    since: Option<String>,
    until: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    frame: Frame,
    organizations: Vec<OrgRow>,
    organization: String,
    application: String,
    since: String,
    until: String,
    rows: Vec<AuditRow>,
    csv_query: String,
}

async fn audit_rows(
    ctx: &Ctx,
    names: &mut Names,
    events: Vec<habilis_core::AuditEvent>,
) -> Vec<AuditRow> {
    let tr = ctx.tr();
    let mut rows = Vec::with_capacity(events.len());
    for event in events {
        let actor = match (&event.actor_user, &event.actor_application) {
            (Some(user), _) => names.user(ctx, user).await,
            (None, Some(app)) => app.to_string(),
            (None, None) => tr.t("audit-platform"),
        };
        let subject = match &event.subject_user {
            Some(user) => names.user(ctx, user).await,
            None => String::new(),
        };
        let refused = event.outcome == habilis_core::AuditOutcome::Refused;
        rows.push(AuditRow {
            at: tr.date_time(event.at),
            actor,
            action: {
                let id = format!("action-{}", event.action.replace('.', "-"));
                let text = tr.t(&id);
                if text == id {
                    event.action.clone()
                } else {
                    text
                }
            },
            outcome: tr.t(if refused {
                "audit-refused"
            } else {
                "audit-committed"
            }),
            refused,
            code: event
                .code
                .as_deref()
                .map(|c| tr.t(&format!("refusal-{}", c.replace('_', "-"))))
                .unwrap_or_default(),
            subject,
            target: event.target.clone().unwrap_or_default(),
            reason: event.reason.clone().unwrap_or_default(),
        });
    }
    rows
}

fn audit_filter(query: &AuditQuery, limit: u32) -> Result<AuditFilter, Error> {
    let organization = query
        .organization
        .as_deref()
        .filter(|o| !o.is_empty())
        .map(OrganizationId::new);
    let application = match query.application.as_deref().filter(|a| !a.is_empty()) {
        Some(text) => Some(Key::parse("application", text).map_err(Error::invalid)?),
        None => None,
    };
    let since = day(query.since.as_deref().unwrap_or("")).flatten();
    let until = day(query.until.as_deref().unwrap_or(""))
        .flatten()
        .map(|t| t.plus_seconds(86_400));
    Ok(AuditFilter {
        organization,
        application,
        since,
        until,
        newest_first: true,
        limit,
        ..AuditFilter::default()
    })
}

pub async fn audit(ctx: Ctx, Query(query): Query<AuditQuery>) -> Response {
    let (mut ctx, caller) = match ctx.require_login() {
        Ok(found) => found,
        Err(response) => return response,
    };
    let language = ctx.language();
    let organizations: Vec<OrgRow> = ctx
        .services()
        .list_organizations(&caller, None, None, None)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|o| OrgRow {
            id: o.id.to_string(),
            name: localized(&o.name, language, o.id.as_str()),
            number: String::new(),
            powers: Vec::new(),
            no_deputy: false,
        })
        .collect();
    let mut query = query;
    if query.organization.as_deref().is_none_or(str::is_empty)
        && query.application.as_deref().is_none_or(str::is_empty)
        && let Some(first) = organizations.first()
    {
        query.organization = Some(first.id.clone());
    }
    let events = match audit_filter(&query, 200) {
        Ok(filter) => ctx.services().audit(&caller, filter).await,
        Err(error) => Err(error),
    };
    let events = match events {
        Ok(events) => events,
        Err(error) => return ctx.error_page(error).await,
    };
    let mut names = Names::load(&ctx, &caller).await;
    let rows = audit_rows(&ctx, &mut names, events).await;
    let csv_query = format!(
        "organization={}&application={}&since={}&until={}",
        crate::util::encode(query.organization.as_deref().unwrap_or("")),
        crate::util::encode(query.application.as_deref().unwrap_or("")),
        crate::util::encode(query.since.as_deref().unwrap_or("")),
        crate::util::encode(query.until.as_deref().unwrap_or("")),
    );
    let frame = ctx.frame("audit-title", "audit").await;
    let page = AuditPage {
        frame,
        organizations,
        organization: query.organization.unwrap_or_default(),
        application: query.application.unwrap_or_default(),
        since: query.since.unwrap_or_default(),
        until: query.until.unwrap_or_default(),
        rows,
        csv_query,
    };
    ctx.page(&page)
}

/// A CSV field, quoted, with formula characters neutralised (a cell starting with `=`, `+`,
/// `-` or `@` would run as a formula in a spreadsheet).
fn csv_field(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

fn csv_response(ctx: Ctx, name: &str, lines: Vec<Vec<String>>) -> Response {
    let mut body = String::from("\u{FEFF}");
    for line in lines {
        let fields: Vec<String> = line.iter().map(|f| csv_field(f)).collect();
        body.push_str(&fields.join(";"));
        body.push_str("\r\n");
    }
    let disposition = format!("attachment; filename=\"{name}\"");
    let mut response = (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        )],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    ctx.finish(response)
}

pub async fn audit_csv(ctx: Ctx, Query(query): Query<AuditQuery>) -> Response {
    let (ctx, caller) = match ctx.require_login() {
        Ok(found) => found,
        Err(response) => return response,
    };
    let events = match audit_filter(&query, 1_000) {
        Ok(filter) => ctx.services().audit(&caller, filter).await,
        Err(error) => Err(error),
    };
    let events = match events {
        Ok(events) => events,
        Err(error) => return ctx.error_page(error).await,
    };
    let tr = ctx.tr();
    let mut lines = vec![vec![
        tr.t("audit-at"),
        tr.t("audit-actor"),
        tr.t("audit-action"),
        tr.t("audit-outcome"),
        tr.t("audit-code"),
        tr.t("audit-organization"),
        tr.t("audit-subject"),
        tr.t("audit-target"),
        tr.t("audit-reason"),
        "revision".to_owned(),
    ]];
    for event in events {
        let at = chrono::DateTime::from_timestamp(event.at.0, 0)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default();
        lines.push(vec![
            at,
            event
                .actor_user
                .map(|u| u.to_string())
                .or(event.actor_application.map(|a| a.to_string()))
                .unwrap_or_default(),
            event.action,
            event.outcome.as_str().to_owned(),
            event.code.unwrap_or_default(),
            event
                .organization
                .map(|o| o.to_string())
                .unwrap_or_default(),
            event
                .subject_user
                .map(|u| u.to_string())
                .unwrap_or_default(),
            event.target.unwrap_or_default(),
            event.reason.unwrap_or_default(),
            event.revision.to_string(),
        ]);
    }
    csv_response(ctx, "habilis-audit.csv", lines)
}

/// The organisation's members and their grants, for the GLS's duty to keep the list current.
pub async fn export(ctx: Ctx, Path(id): Path<String>) -> Response {
    let (ctx, caller) = match ctx.require_login() {
        Ok(found) => found,
        Err(response) => return response,
    };
    let members = match ctx.services().list_members(&caller, &id).await {
        Ok(members) => members,
        Err(error) => return ctx.error_page(error).await,
    };
    let grants = match ctx
        .services()
        .list_grants(
            &caller,
            GrantFilter {
                organization: Some(id.clone()),
                ..GrantFilter::default()
            },
        )
        .await
    {
        Ok(grants) => grants,
        Err(error) => return ctx.error_page(error).await,
    };
    let now = ctx.services().now();
    let tr = ctx.tr();
    let mut lines = vec![vec![
        tr.t("export-user"),
        tr.t("export-name"),
        tr.t("export-email"),
        tr.t("export-member-since"),
        tr.t("export-application"),
        tr.t("export-role"),
        tr.t("export-scope"),
        tr.t("export-until"),
        tr.t("export-state"),
    ]];
    for (user, membership) in members.iter().filter(|(_, m)| m.is_active(now)) {
        let theirs: Vec<&habilis_domain::Grant> = grants
            .iter()
            .filter(|g| g.user == user.id)
            .filter(|g| matches!(g.state(now), GrantState::Active | GrantState::Pending))
            .collect();
        let base = vec![
            user.id.to_string(),
            user.display_name(),
            user.email
                .as_ref()
                .map(|e| e.to_string())
                .unwrap_or_default(),
            tr.date(membership.since),
        ];
        if theirs.is_empty() {
            let mut line = base.clone();
            line.extend([
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            lines.push(line);
        }
        for grant in theirs {
            let mut line = base.clone();
            line.extend([
                grant.application.to_string(),
                grant.role.to_string(),
                scope_text(&tr, None, &grant.scope),
                grant.validity.until.map(|u| tr.date(u)).unwrap_or_default(),
                tr.t(&format!("state-{}", state_key(grant.state(now)))),
            ]);
            lines.push(line);
        }
    }
    csv_response(ctx, "habilis-members.csv", lines)
}

// ----- my access -----

#[derive(Template)]
#[template(path = "me.html")]
struct MyAccessPage {
    frame: Frame,
    grants: Vec<GrantRow>,
    history: Vec<GrantRow>,
}

pub async fn my_access(ctx: Ctx) -> Response {
    let (mut ctx, caller) = match ctx.require_login() {
        Ok(found) => found,
        Err(response) => return response,
    };
    let mine = match ctx
        .services()
        .list_grants(
            &caller,
            GrantFilter {
                user: caller.user.as_ref().map(ToString::to_string),
                ..GrantFilter::default()
            },
        )
        .await
    {
        Ok(grants) => grants,
        Err(error) => return ctx.error_page(error).await,
    };
    let now = ctx.services().now();
    let (live, past): (Vec<_>, Vec<_>) = mine
        .into_iter()
        .partition(|g| matches!(g.state(now), GrantState::Active | GrantState::Pending));
    let mut names = Names::load(&ctx, &caller).await;
    let grants = names.grant_rows(&ctx, &live, now).await;
    let history = names.grant_rows(&ctx, &past, now).await;
    let frame = ctx.frame("me-title", "me").await;
    let page = MyAccessPage {
        frame,
        grants,
        history,
    };
    ctx.page(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("a\"b"), "\"a\"\"b\"");
        assert_eq!(csv_field("=1+1"), "\"'=1+1\"");
        assert_eq!(csv_field("plain"), "\"plain\"");
    }

    #[test]
    fn dates_of_forms_are_days() {
        assert_eq!(day(""), Some(None));
        assert_eq!(day("2026-11-23"), Some(Some(Timestamp(1_795_392_000))));
        assert_eq!(day("23/11/2026"), None);
    }
}

// ----- operator: organisations and suspensions -----

pub struct OperatorOrgRow {
    pub id: String,
    pub name: String,
    pub number: String,
    pub suspended: Option<String>,
}

#[derive(Template)]
#[template(path = "operator.html")]
struct OperatorPage {
    frame: Frame,
    organizations: Vec<OperatorOrgRow>,
    applications: Vec<RoleOption>,
}

pub async fn operator(ctx: Ctx) -> Response {
    let (mut ctx, caller) = match ctx.require_login() {
        Ok(found) => found,
        Err(response) => return response,
    };
    if !ctx.is_operator().await {
        return ctx
            .error_page(Error::Refused(habilis_domain::Refusal::new(
                habilis_domain::RefusalCode::NotOperator,
            )))
            .await;
    }
    let language = ctx.language();
    let tr = ctx.tr();
    let organizations = match ctx
        .services()
        .list_organizations(&caller, None, None, None)
        .await
    {
        Ok(list) => list,
        Err(error) => return ctx.error_page(error).await,
    };
    let mut rows: Vec<OperatorOrgRow> = organizations
        .into_iter()
        .map(|o| OperatorOrgRow {
            id: o.id.to_string(),
            name: localized(&o.name, language, o.id.as_str()),
            number: o
                .enterprise_number
                .map(|n| n.to_string())
                .unwrap_or_default(),
            suspended: o
                .suspended
                .map(|s| format!("{} — {}", tr.date(s.at), s.reason)),
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let names = Names::load(&ctx, &caller).await;
    let mut applications: Vec<RoleOption> = names
        .applications
        .values()
        .map(|a| RoleOption {
            value: a.key.to_string(),
            label: localized(&a.name, language, a.key.as_str()),
        })
        .collect();
    applications.sort_by(|a, b| a.label.cmp(&b.label));
    let frame = ctx.frame("operator-title", "operator").await;
    let page = OperatorPage {
        frame,
        organizations: rows,
        applications,
    };
    ctx.page(&page)
}

/// Suspends an organisation with a reason, or lifts its suspension (no reason).
pub async fn suspend_organization(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Response {
    let (mut ctx, caller) = match ctx.submitter(&form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| form.get(name);
    let lift = field("decision") == "lift";
    let reason = if lift { None } else { Some(field("reason")) };
    match ctx
        .services()
        .suspend_organization(&caller, &id, reason)
        .await
    {
        Ok(_) => {
            let text = ctx.tr().t(if lift {
                "operator-lifted"
            } else {
                "operator-suspended"
            });
            ctx.flash(true, text);
            ctx.redirect("/operator")
        }
        Err(error) => {
            let path = format!(
                "/operator/organizations/{}/suspension",
                crate::util::encode(&id)
            );
            let kept = interrupted(&path, &form, ctx.tr().t("resume-suspension"));
            ctx.failed(error, "/operator", Some(kept))
        }
    }
}

/// Suspends a person (everywhere, or in one application) with a reason, or lifts it.
pub async fn suspend_user(ctx: Ctx, Form(form): Form<Fields>) -> Response {
    let (mut ctx, caller) = match ctx.submitter(&form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| form.get(name);
    let lift = field("decision") == "lift";
    let application = Some(field("application")).filter(|a| !a.is_empty());
    let reason = if lift { None } else { Some(field("reason")) };
    match ctx
        .services()
        .suspend_user(&caller, &field("person"), application.as_deref(), reason)
        .await
    {
        Ok(_) => {
            let text = ctx.tr().t(if lift {
                "operator-lifted"
            } else {
                "operator-suspended"
            });
            ctx.flash(true, text);
            ctx.redirect("/operator")
        }
        Err(error) => {
            let kept = interrupted(
                "/operator/users/suspension",
                &form,
                ctx.tr().t("resume-suspension"),
            );
            ctx.failed(error, "/operator", Some(kept))
        }
    }
}
