//! Invitations: a manager invites a person by e-mail; the person follows the one-time link
//! to create their account and profile, and is a member of the organisation from then on.

use askama::Template;
use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::Response;
use habilis_core::commands::{InvitationAnswer, NewInvitation};
use habilis_domain::Language;

use crate::view::{Ctx, Fields, Frame, language_name};

/// From the organisation's page: invites a person and shows the link to hand them.
pub async fn invite(ctx: Ctx, Path(id): Path<String>, Form(form): Form<Fields>) -> Response {
    let (mut ctx, caller) = match ctx.submitter(&form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let field = |name: &str| form.get(name);
    let back = format!("/organizations/{}", crate::util::encode(&id));
    let input = NewInvitation {
        organization: id.clone(),
        email: field("email"),
        given_name: field("given_name"),
        family_name: field("family_name"),
        language: Language::parse(&field("language")).unwrap_or_default(),
    };
    match ctx.services().invite(&caller, input).await {
        Ok(committed) => {
            let link = format!(
                "{}/invitations/{}",
                ctx.state.public_url,
                committed.value.expose()
            );
            let text = ctx.tr().t1("invitation-created", "link", &link);
            ctx.flash(true, text);
            ctx.redirect(&back)
        }
        Err(error) => ctx.failed(error, &back, None),
    }
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    frame: Frame,
    token: String,
    organization: String,
    email: String,
    given_name: String,
    family_name: String,
    expires: String,
    languages: Vec<(&'static str, &'static str, bool)>,
    passwords: bool,
}

pub async fn show(ctx: Ctx, Path(token): Path<String>) -> Response {
    let invitation = match ctx.services().invitation(&token).await {
        Ok(found) => found,
        Err(_) => {
            let text = ctx.tr().t("invitation-gone");
            return ctx.message_page(StatusCode::NOT_FOUND, text).await;
        }
    };
    let mut ctx = ctx;
    if ctx.session.language.is_none() && ctx.language_cookie_missing() {
        ctx.session.language = Some(invitation.language);
    }
    let tr = ctx.tr();
    let frame = ctx.frame("invitation-title", "").await;
    let page = InvitationPage {
        frame,
        token,
        organization: {
            let name = invitation.organization.name.get(tr.language);
            if name.is_empty() {
                invitation.organization.id.to_string()
            } else {
                name.to_owned()
            }
        },
        email: invitation.email,
        given_name: invitation.given_name,
        family_name: invitation.family_name,
        expires: tr.date(invitation.expires_at),
        languages: Language::ALL
            .iter()
            .map(|l| (l.as_str(), language_name(*l), *l == invitation.language))
            .collect(),
        passwords: ctx.state.local_accounts,
    };
    ctx.page(&page)
}

pub async fn accept(ctx: Ctx, Path(token): Path<String>, Form(form): Form<Fields>) -> Response {
    let mut ctx = ctx;
    let field = |name: &str| form.get(name);
    if !ctx.csrf_ok(&field("csrf")) {
        return ctx.csrf_failed().await;
    }
    let back = format!("/invitations/{}", crate::util::encode(&token));
    let password = if ctx.state.local_accounts {
        let password = form.raw("password").to_owned();
        if password != form.raw("password_again") {
            let text = ctx.tr().t("invitation-passwords-differ");
            ctx.flash(false, text);
            return ctx.redirect(&back);
        }
        Some(password)
    } else {
        None
    };
    let answer = InvitationAnswer {
        national_number: Some(field("national_number")),
        given_name: field("given_name"),
        family_name: field("family_name"),
        language: Language::parse(&field("language")).unwrap_or_default(),
        password,
    };
    let language = answer.language;
    match ctx.services().accept_invitation(&token, answer).await {
        Ok(_) => {
            ctx.session.language = Some(language);
            let text = ctx.tr().t("invitation-accepted");
            ctx.flash(true, text);
            ctx.redirect("/login")
        }
        Err(error) => ctx.failed(error, &back, None),
    }
}
