//! Login through the identity provider, step-up, logout, the language switch, and the
//! confirmation of a form that a step-up interrupted.

use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{Form, Query};
use axum::http::StatusCode;
use axum::response::Response;
use habilis_domain::Language;
use serde::Deserialize;

use crate::session::{Interrupted, LANGUAGE_COOKIE, PendingLogin};
use crate::util::local_path;
use crate::view::{Ctx, Frame};

/// A login started more than this long ago is not finished.
const LOGIN_LIFETIME: Duration = Duration::from_secs(600);

#[derive(Deserialize)]
pub struct LoginQuery {
    level: Option<String>,
    return_to: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    frame: Frame,
    oidc: bool,
    oidc_href: String,
    level: String,
    return_to: String,
    wanted: Option<String>,
}

/// `/login?level=high&return_to=/…`: the login page when local accounts are on (with the
/// identity provider as the other way in), else straight to the identity provider.
pub async fn login(ctx: Ctx, Query(query): Query<LoginQuery>) -> Response {
    let level = query.level.clone().unwrap_or_default();
    let return_to = local_path(query.return_to.as_deref().unwrap_or("/"));
    let oidc_href = format!(
        "/login/oidc?level={}&return_to={}",
        crate::util::encode(&level),
        crate::util::encode(&return_to)
    );
    if !ctx.state.local_accounts {
        return match ctx.state.oidc {
            Some(_) => ctx.redirect(&oidc_href),
            None => {
                let text = ctx.tr().t("login-not-configured");
                ctx.message_page(StatusCode::SERVICE_UNAVAILABLE, text)
                    .await
            }
        };
    }
    let mut ctx = ctx;
    let wanted = (!level.is_empty()).then(|| ctx.tr().t1("login-step-up", "level", &level));
    let frame = ctx.frame("login-title", "").await;
    let page = LoginPage {
        frame,
        oidc: ctx.state.oidc.is_some(),
        oidc_href,
        level,
        return_to,
        wanted,
    };
    ctx.page(&page)
}

#[derive(Deserialize)]
pub struct LocalLoginForm {
    csrf: String,
    login: String,
    password: String,
    code: Option<String>,
    level: Option<String>,
    return_to: Option<String>,
}

/// A local account's login: password, and the security code when the account has one.
pub async fn login_local(ctx: Ctx, Form(form): Form<LocalLoginForm>) -> Response {
    if !ctx.state.local_accounts {
        let text = ctx.tr().t("login-not-configured");
        return ctx.message_page(StatusCode::NOT_FOUND, text).await;
    }
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.csrf_failed().await;
    }
    let mut ctx = ctx;
    let again = format!(
        "/login?level={}&return_to={}",
        crate::util::encode(form.level.as_deref().unwrap_or("")),
        crate::util::encode(form.return_to.as_deref().unwrap_or("/"))
    );
    // Per client address, and per account: many addresses guessing one password are
    // limited too.
    let account = format!("account:{}", form.login.trim().to_lowercase());
    let client_ok = ctx.state.login_limiter.allow(&ctx.client);
    let account_ok = ctx.state.account_limiter.allow(&account);
    if !client_ok || !account_ok {
        let text = ctx.tr().t("login-rate-limited");
        ctx.flash(false, text);
        return ctx.redirect(&again);
    }
    let login = ctx
        .services()
        .local_login(&form.login, &form.password, form.code.as_deref())
        .await;
    let login = match login {
        Ok(login) => login,
        Err(_) => {
            tracing::info!(client = %ctx.client, "local login refused");
            let text = ctx.tr().t("login-wrong");
            ctx.flash(false, text);
            return ctx.redirect(&again);
        }
    };
    let snapshot = ctx.services().snapshot();
    let levels = snapshot.levels();
    let level = levels
        .rank_of_acr(login.acr)
        .and_then(|rank| levels.by_rank(rank))
        .map(|level| (level.rank, level.key.to_string()));
    let wanted = form
        .level
        .as_deref()
        .filter(|l| !l.is_empty())
        .and_then(|l| levels.rank_of_name(l));
    if let Some(wanted) = wanted
        && level.as_ref().is_none_or(|(rank, _)| *rank < wanted)
    {
        let text = ctx.tr().t("login-level-not-reached");
        ctx.flash(false, text);
        return ctx.redirect(&again);
    }
    let return_to = local_path(form.return_to.as_deref().unwrap_or("/"));
    open_session(
        ctx,
        login.user,
        level,
        Some(login.acr.to_owned()),
        None,
        &return_to,
    )
}

/// Opens the session of `user` under a new token (a token known before the login is worth
/// nothing after it: session fixation) and goes to `return_to`.
fn open_session(
    mut ctx: Ctx,
    user: habilis_domain::User,
    level: Option<(u8, String)>,
    acr: Option<String>,
    id_token: Option<String>,
    return_to: &str,
) -> Response {
    let mut session = ctx.session.clone();
    session.user = Some(user.id.clone());
    session.level = level;
    session.acr = acr;
    session.id_token = id_token;
    session.login = None;
    if session.language.is_none() && ctx.language_cookie_missing() {
        session.language = Some(user.language);
    }
    let old = ctx.token.clone();
    ctx.token = ctx.state.sessions.renew(&old, session.clone());
    ctx.session = ctx.state.sessions.get(&ctx.token).unwrap_or(session);
    ctx.force_cookie();
    ctx.redirect(return_to)
}

/// `/login/oidc?level=high&return_to=/…`: to the identity provider, asking for `level` (or
/// more).
pub async fn login_oidc(ctx: Ctx, Query(query): Query<LoginQuery>) -> Response {
    let Some(oidc) = ctx.state.oidc.clone() else {
        let text = ctx.tr().t("login-not-configured");
        return ctx
            .message_page(StatusCode::SERVICE_UNAVAILABLE, text)
            .await;
    };
    if !ctx.state.login_limiter.allow(&ctx.client) {
        let text = ctx.tr().t("login-rate-limited");
        return ctx.message_page(StatusCode::TOO_MANY_REQUESTS, text).await;
    }
    let snapshot = ctx.services().snapshot();
    let levels = snapshot.levels();
    let wanted_rank = query
        .level
        .as_deref()
        .filter(|l| !l.is_empty())
        .and_then(|l| levels.rank_of_name(l));
    let acr_values = wanted_rank.map_or_else(Vec::new, |rank| levels.acr_values_at_least(rank));
    let started = match oidc.start(&acr_values).await {
        Ok(started) => started,
        Err(error) => {
            tracing::warn!(%error, "login could not start");
            let text = ctx.tr().t("login-provider-down");
            return ctx.message_page(StatusCode::BAD_GATEWAY, text).await;
        }
    };
    let mut ctx = ctx;
    ctx.session.login = Some(PendingLogin {
        state: started.state,
        nonce: started.nonce,
        pkce_verifier: started.pkce_verifier,
        wanted_rank,
        return_to: local_path(query.return_to.as_deref().unwrap_or("/")),
        started: Instant::now(),
    });
    ctx.redirect(&started.url)
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The provider's redirect back: check the state, exchange the code, verify the ID token,
/// find the person by national number, and open the session at the level the `acr` gives.
pub async fn callback(ctx: Ctx, Query(query): Query<CallbackQuery>) -> Response {
    let mut ctx = ctx;
    let Some(oidc) = ctx.state.oidc.clone() else {
        return ctx.redirect("/");
    };
    let Some(pending) = ctx.session.login.take() else {
        let text = ctx.tr().t("login-expired");
        return ctx.message_page(StatusCode::BAD_REQUEST, text).await;
    };
    let state_ok = query
        .state
        .as_deref()
        .is_some_and(|s| constant_eq(s, &pending.state));
    if !state_ok || pending.started.elapsed() > LOGIN_LIFETIME {
        let text = ctx.tr().t("login-expired");
        return ctx.message_page(StatusCode::BAD_REQUEST, text).await;
    }
    if query.error.is_some() {
        let text = ctx.tr().t("login-cancelled");
        return ctx.message_page(StatusCode::UNAUTHORIZED, text).await;
    }
    let Some(code) = query.code else {
        let text = ctx.tr().t("login-expired");
        return ctx.message_page(StatusCode::BAD_REQUEST, text).await;
    };
    let identity = match oidc
        .finish(&code, &pending.nonce, &pending.pkce_verifier)
        .await
    {
        Ok(identity) => identity,
        Err(error) => {
            tracing::warn!(%error, "login failed at the token exchange");
            let text = ctx.tr().t("login-failed");
            return ctx.message_page(StatusCode::UNAUTHORIZED, text).await;
        }
    };
    let subject_application = oidc.subject_application().map(str::to_owned);
    let user = ctx
        .services()
        .person_for_login(
            identity.national_number.as_deref(),
            &identity.subject,
            subject_application.as_deref(),
        )
        .await
        .ok()
        .flatten();
    let Some(user) = user else {
        tracing::info!(subject = %identity.subject, "login of a person Habilis does not know");
        let text = ctx.tr().t("login-unknown-person");
        return ctx.message_page(StatusCode::FORBIDDEN, text).await;
    };
    let snapshot = ctx.services().snapshot();
    let levels = snapshot.levels();
    let level = identity
        .acr
        .as_deref()
        .and_then(|acr| levels.rank_of_acr(acr))
        .and_then(|rank| levels.by_rank(rank))
        .map(|level| (level.rank, level.key.to_string()));
    if let Some(wanted) = pending.wanted_rank
        && level.as_ref().is_none_or(|(rank, _)| *rank < wanted)
    {
        // `acr_values` is a request the provider may ignore; the level is checked here.
        let text = ctx.tr().t("login-level-not-reached");
        return ctx.message_page(StatusCode::FORBIDDEN, text).await;
    }
    open_session(
        ctx,
        user,
        level,
        identity.acr,
        Some(identity.id_token),
        &pending.return_to,
    )
}

fn constant_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// Ends the session here, then at the provider when it offers RP-initiated logout.
pub async fn logout(ctx: Ctx, Form(form): Form<CsrfForm>) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.csrf_failed().await;
    }
    let mut ctx = ctx;
    let id_token = ctx.session.id_token.take();
    ctx.state.sessions.end(&ctx.token);
    let after = format!("{}/", ctx.state.public_url);
    let provider = match &ctx.state.oidc {
        Some(oidc) => oidc.logout_url(id_token.as_deref(), &after).await,
        None => None,
    };
    let language = ctx.session.language;
    let (token, mut session) = ctx.state.sessions.create();
    session.language = language;
    ctx.token = token;
    ctx.session = session;
    ctx.force_cookie();
    ctx.redirect(&provider.unwrap_or_else(|| "/".to_owned()))
}

#[derive(Deserialize)]
pub struct LanguageForm {
    csrf: String,
    language: String,
    return_to: Option<String>,
}

/// Switches the language and remembers it in a cookie (a year) and the session.
pub async fn language(ctx: Ctx, Form(form): Form<LanguageForm>) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.csrf_failed().await;
    }
    let mut ctx = ctx;
    let Ok(language) = Language::parse(&form.language) else {
        let back = local_path(form.return_to.as_deref().unwrap_or("/"));
        return ctx.redirect(&back);
    };
    ctx.session.language = Some(language);
    // Remembered in the person's profile too, for their next session and their e-mails.
    if let Some(caller) = ctx.caller()
        && let Err(error) = ctx.services().set_own_language(&caller, language).await
    {
        tracing::warn!(%error, "the language preference was not saved");
    }
    let back = local_path(form.return_to.as_deref().unwrap_or("/"));
    let secure = if ctx.state.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{LANGUAGE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        language.as_str()
    );
    let mut response = ctx.redirect(&back);
    if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, value);
    }
    response
}

#[derive(Template)]
#[template(path = "resume.html")]
struct ResumePage {
    frame: Frame,
    form: Interrupted,
}

/// After a step-up: the interrupted form again, filled in, to confirm with one click.
pub async fn resume(ctx: Ctx) -> Response {
    let mut ctx = ctx;
    let Some(mut form) = ctx.session.interrupted.take() else {
        return ctx.redirect("/");
    };
    // The form was filled in under the old session's CSRF token; it goes out with the
    // current one.
    let csrf = ctx.session.csrf.clone();
    for (name, value) in &mut form.fields {
        if name == "csrf" {
            value.clone_from(&csrf);
        }
    }
    let frame = ctx.frame("resume-title", "").await;
    let page = ResumePage { frame, form };
    ctx.page(&page)
}

/// A form as it came, to show again on `resume`.
pub fn interrupted(action: &str, form: &crate::view::Fields, summary: String) -> Interrupted {
    Interrupted {
        action: action.to_owned(),
        fields: form.0.clone(),
        summary,
    }
}
