//! The application catalogue, and the editor of an application's definition for its owner:
//! names, self-grant policy, permissions, roles (permissions, owner-only permissions, level,
//! scoping, approval), the taxonomy of subject-matters and categories, exclusive pairs.
//! Every change saves the whole definition through `Services::save_application`, which
//! checks that the caller owns the application (or is the operator) and validates it.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Form, Path};
use axum::response::Response;
use habilis_core::Error;
use habilis_domain::{
    Application, Category, Key, Language, LocalizedName, Matter, Role, SelfGrantPolicy,
};

use crate::view::{Ctx, Fields, Frame};

pub struct RoleView {
    pub key: String,
    pub name: String,
    pub permissions: String,
    pub owned: String,
    pub level: String,
    pub scoped: bool,
    pub approval: bool,
}

pub struct MatterView {
    pub key: String,
    pub name: String,
    pub categories: Vec<(String, String)>,
}

pub struct AppView {
    pub key: String,
    pub name: String,
    pub names: [String; 4],
    pub owner: String,
    pub contexts: String,
    pub permissions: Vec<String>,
    pub roles: Vec<RoleView>,
    pub taxonomy: Vec<MatterView>,
    pub self_grant: &'static str,
    pub self_grant_text: String,
    pub exclusive: Vec<(String, String)>,
}

fn named(name: &LocalizedName, language: Language, fallback: &str) -> String {
    let text = name.get(language);
    if text.is_empty() {
        fallback.to_owned()
    } else {
        text.to_owned()
    }
}

fn policy_key(policy: SelfGrantPolicy) -> &'static str {
    match policy {
        SelfGrantPolicy::Allow => "allow",
        SelfGrantPolicy::Flag => "flag",
        SelfGrantPolicy::Approve => "approve",
        SelfGrantPolicy::Deny => "deny",
    }
}

async fn view_of(ctx: &Ctx, app: &Application) -> AppView {
    let tr = ctx.tr();
    let language = tr.language;
    let owner = ctx
        .services()
        .db()
        .find_organization(app.owner.as_str())
        .await
        .ok()
        .flatten()
        .map_or_else(
            || app.owner.to_string(),
            |o| named(&o.name, language, app.owner.as_str()),
        );
    let join = |keys: &BTreeSet<Key>| {
        keys.iter()
            .map(Key::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    AppView {
        key: app.key.to_string(),
        name: named(&app.name, language, app.key.as_str()),
        names: [
            app.name.fr.clone(),
            app.name.nl.clone(),
            app.name.de.clone(),
            app.name.en.clone(),
        ],
        owner,
        contexts: app
            .contexts
            .iter()
            .map(|c| tr.t(&format!("context-{}", c.as_str().replace('_', "-"))))
            .collect::<Vec<_>>()
            .join(", "),
        permissions: app.permissions.iter().map(Key::to_string).collect(),
        roles: app
            .roles
            .iter()
            .map(|r| RoleView {
                key: r.key.to_string(),
                name: named(&r.name, language, r.key.as_str()),
                permissions: join(&r.permissions),
                owned: join(&r.owned_permissions),
                level: r.level.as_ref().map_or_else(String::new, |l| {
                    let id = format!("level-{l}");
                    let text = tr.t(&id);
                    if text == id { l.to_string() } else { text }
                }),
                scoped: r.scoped,
                approval: r.requires_approval,
            })
            .collect(),
        taxonomy: app
            .taxonomy
            .iter()
            .map(|m| MatterView {
                key: m.key.to_string(),
                name: named(&m.name, language, m.key.as_str()),
                categories: m
                    .categories
                    .iter()
                    .map(|c| (c.key.to_string(), named(&c.name, language, c.key.as_str())))
                    .collect(),
            })
            .collect(),
        self_grant: policy_key(app.self_grant),
        self_grant_text: tr.t(&format!("self-grant-{}", policy_key(app.self_grant))),
        exclusive: app
            .exclusive_roles
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "applications.html")]
struct CataloguePage {
    frame: Frame,
    applications: Vec<AppView>,
}

pub async fn catalogue(ctx: Ctx) -> Response {
    let (mut ctx, caller) = match ctx.require_login() {
        Ok(found) => found,
        Err(response) => return response,
    };
    let list = match ctx.services().list_applications(&caller).await {
        Ok(list) => list,
        Err(error) => return ctx.error_page(error).await,
    };
    let mut applications = Vec::with_capacity(list.len());
    for app in &list {
        applications.push(view_of(&ctx, app).await);
    }
    applications.sort_by(|a, b| a.name.cmp(&b.name));
    let frame = ctx.frame("applications-title", "applications").await;
    let page = CataloguePage {
        frame,
        applications,
    };
    ctx.page(&page)
}

#[derive(Template)]
#[template(path = "application.html")]
struct EditorPage {
    frame: Frame,
    app: AppView,
    levels: Vec<(String, String)>,
}

async fn find(ctx: &Ctx, caller: &habilis_core::Caller, key: &str) -> Result<Application, Error> {
    ctx.services()
        .list_applications(caller)
        .await?
        .into_iter()
        .find(|a| a.key.as_str() == key)
        .ok_or_else(|| Error::not_found(format!("application `{key}`")))
}

pub async fn editor(ctx: Ctx, Path(key): Path<String>) -> Response {
    let (mut ctx, caller) = match ctx.require_login() {
        Ok(found) => found,
        Err(response) => return response,
    };
    let app = match find(&ctx, &caller, &key).await {
        Ok(app) => app,
        Err(error) => return ctx.error_page(error).await,
    };
    let view = view_of(&ctx, &app).await;
    let tr = ctx.tr();
    let levels = ctx
        .services()
        .snapshot()
        .levels()
        .levels
        .iter()
        .map(|l| {
            let id = format!("level-{}", l.key);
            let text = tr.t(&id);
            (
                l.key.to_string(),
                if text == id { l.key.to_string() } else { text },
            )
        })
        .collect();
    let frame = ctx.frame("application-title", "applications").await;
    let page = EditorPage {
        frame,
        app: view,
        levels,
    };
    ctx.page(&page)
}

fn key(field: &'static str, text: &str) -> Result<Key, Error> {
    Key::parse(field, text.trim()).map_err(Error::invalid)
}

fn names_of(form: &Fields, fallback: &str) -> LocalizedName {
    let get = |l: &str| form.get(&format!("name_{l}"));
    let mut name = LocalizedName {
        fr: get("fr"),
        nl: get("nl"),
        de: get("de"),
        en: get("en"),
    };
    if name.fr.is_empty() && name.nl.is_empty() && name.de.is_empty() && name.en.is_empty() {
        name.fr = fallback.to_owned();
    }
    name
}

/// Applies one edit of the form (`op`) to the definition.
fn edit(app: &mut Application, form: &Fields) -> Result<(), Error> {
    let field = |name: &str| form.get(name);
    let checked = |name: &str| -> Result<BTreeSet<Key>, Error> {
        form.all(name).map(|v| key("permissions", v)).collect()
    };
    match field("op").as_str() {
        "general" => {
            app.name = names_of(form, app.key.as_str());
            app.self_grant = match field("self_grant").as_str() {
                "allow" => SelfGrantPolicy::Allow,
                "flag" => SelfGrantPolicy::Flag,
                "deny" => SelfGrantPolicy::Deny,
                _ => SelfGrantPolicy::Approve,
            };
        }
        "permission" => {
            app.permissions
                .insert(key("permission", &field("permission"))?);
        }
        "role" => {
            let role_key = key("role", &field("role"))?;
            let level = Some(field("level"))
                .filter(|l| !l.is_empty())
                .map(|l| key("level", &l))
                .transpose()?;
            let role = Role {
                name: names_of(form, role_key.as_str()),
                permissions: checked("permissions")?,
                owned_permissions: checked("owned_permissions")?,
                level,
                scoped: form.has("scoped"),
                requires_approval: form.has("requires_approval"),
                key: role_key.clone(),
            };
            match app.roles.iter_mut().find(|r| r.key == role_key) {
                Some(existing) => *existing = role,
                None => app.roles.push(role),
            }
        }
        "remove_role" => {
            let role_key = field("role");
            app.roles.retain(|r| r.key.as_str() != role_key);
            app.exclusive_roles
                .retain(|(a, b)| a.as_str() != role_key && b.as_str() != role_key);
        }
        "matter" => {
            let matter_key = key("matter", &field("matter"))?;
            let name = names_of(form, matter_key.as_str());
            match app.taxonomy.iter_mut().find(|m| m.key == matter_key) {
                Some(existing) => existing.name = name,
                None => app.taxonomy.push(Matter {
                    key: matter_key,
                    name,
                    categories: Vec::new(),
                }),
            }
        }
        "category" => {
            let matter_key = key("matter", &field("matter"))?;
            let category_key = key("category", &field("category"))?;
            let name = names_of(form, category_key.as_str());
            let Some(matter) = app.taxonomy.iter_mut().find(|m| m.key == matter_key) else {
                return Err(Error::not_found(format!("subject-matter `{matter_key}`")));
            };
            match matter.categories.iter_mut().find(|c| c.key == category_key) {
                Some(existing) => existing.name = name,
                None => matter.categories.push(Category {
                    key: category_key,
                    name,
                }),
            }
        }
        "exclusive" => {
            let a = key("role", &field("role_a"))?;
            let b = key("role", &field("role_b"))?;
            if !app.exclusive_roles.contains(&(a.clone(), b.clone()))
                && !app.exclusive_roles.contains(&(b.clone(), a.clone()))
            {
                app.exclusive_roles.push((a, b));
            }
        }
        _ => {
            return Err(Error::invalid(habilis_domain::InvalidInput::new(
                "op",
                habilis_domain::InvalidCode::InvalidValue,
                &field("op"),
            )));
        }
    }
    Ok(())
}

pub async fn save(ctx: Ctx, Path(app_key): Path<String>, Form(form): Form<Fields>) -> Response {
    let (ctx, caller) = match ctx.submitter(&form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let back = format!("/applications/{}", crate::util::encode(&app_key));
    let mut app = match find(&ctx, &caller, &app_key).await {
        Ok(app) => app,
        Err(error) => return ctx.failed(error, "/applications", None),
    };
    if let Err(error) = edit(&mut app, &form) {
        return ctx.failed(error, &back, None);
    }
    match ctx.services().save_application(&caller, app, false).await {
        Ok(_) => ctx.done("application-saved", &back),
        Err(error) => {
            let kept = crate::auth::interrupted(&back, &form, ctx.tr().t("application-title"));
            ctx.failed(error, &back, Some(kept))
        }
    }
}
