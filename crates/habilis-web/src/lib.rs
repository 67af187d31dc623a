//! The web interface: server-rendered pages (askama) in four languages (Fluent), for access
//! managers, operators and users. Every page calls the same `habilis_core::Services` as the
//! HTTP API, with the session's user and security level as the caller, so the domain rules
//! decide what a page may show or change; this crate only renders and routes.
//!
//! Login is OpenID Connect (authorization code with PKCE); the ID token's `acr` gives the
//! session's level through the platform's level table. A change refused for too low a level
//! sends the user to the provider again asking for that level, then shows the form again,
//! filled in, to confirm.

mod auth;
mod catalogue;
pub mod i18n;
mod invitations;
pub mod oidc;
mod pages;
pub mod session;
mod util;
mod view;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use habilis_core::Services;

use crate::i18n::Catalog;
use crate::oidc::{Oidc, OidcConfig};
use crate::session::{RateLimiter, Sessions, Timeouts};

/// How the web interface is set up.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// The address users reach Habilis at, e.g. `https://habilis.example.be` (no trailing
    /// slash). Cookies are `Secure` when it is https.
    pub public_url: String,
    pub oidc: Option<OidcConfig>,
    /// Whether people may log in with a local account (password, security code).
    pub local_accounts: bool,
    pub timeouts: Timeouts,
}

/// What every page handler shares.
#[derive(Clone)]
pub struct WebState {
    pub(crate) services: Arc<Services>,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) sessions: Arc<Sessions>,
    pub(crate) oidc: Option<Arc<Oidc>>,
    pub(crate) local_accounts: bool,
    /// Logins per client address.
    pub(crate) login_limiter: Arc<RateLimiter>,
    /// Local logins per account, whatever the address.
    pub(crate) account_limiter: Arc<RateLimiter>,
    pub(crate) secure_cookies: bool,
    pub(crate) public_url: String,
}

/// The web interface's routes, to merge with the API's.
pub fn router(services: Arc<Services>, config: WebConfig) -> anyhow::Result<Router> {
    let oidc = match config.oidc {
        Some(oidc) => Some(Arc::new(Oidc::new(oidc)?)),
        None => None,
    };
    let state = WebState {
        services,
        catalog: Arc::new(Catalog::load()?),
        sessions: Arc::new(Sessions::new(config.timeouts)),
        oidc,
        local_accounts: config.local_accounts,
        login_limiter: Arc::new(RateLimiter::new(30, Duration::from_secs(300))),
        account_limiter: Arc::new(RateLimiter::new(10, Duration::from_secs(900))),
        secure_cookies: config.public_url.starts_with("https://"),
        public_url: config.public_url.trim_end_matches('/').to_owned(),
    };
    Ok(Router::new()
        .route("/", get(pages::home))
        .route("/login", get(auth::login))
        .route("/login/oidc", get(auth::login_oidc))
        .route("/login/local", post(auth::login_local))
        .route("/auth/callback", get(auth::callback))
        .route("/logout", post(auth::logout))
        .route("/language", post(auth::language))
        .route("/resume", get(auth::resume))
        .route("/organizations/{id}", get(pages::organization))
        .route("/organizations/{id}/members", post(pages::add_member))
        .route("/organizations/{id}/designations", post(pages::designate))
        .route("/organizations/{id}/invitations", post(invitations::invite))
        .route(
            "/invitations/{token}",
            get(invitations::show).post(invitations::accept),
        )
        .route("/designations/{id}/end", post(pages::end_designation))
        .route("/organizations/{id}/mandates", post(pages::propose_mandate))
        .route("/mandates/{id}/decide", post(pages::decide_mandate))
        .route("/organizations/{id}/members/{user}", get(pages::member))
        .route(
            "/organizations/{id}/members/{user}/remove",
            post(pages::remove_member),
        )
        .route(
            "/organizations/{id}/members/{user}/grants",
            post(pages::grant),
        )
        .route("/organizations/{id}/export.csv", get(pages::export))
        .route("/grants/{id}/revoke", post(pages::revoke))
        .route("/approvals", get(pages::approvals))
        .route("/approvals/{id}/decide", post(pages::decide))
        .route("/audit", get(pages::audit))
        .route("/audit.csv", get(pages::audit_csv))
        .route("/me", get(pages::my_access))
        .route("/applications", get(catalogue::catalogue))
        .route(
            "/applications/{key}",
            get(catalogue::editor).post(catalogue::save),
        )
        .route("/operator", get(pages::operator))
        .route(
            "/operator/organizations/{id}/suspension",
            post(pages::suspend_organization),
        )
        .route("/operator/users/suspension", post(pages::suspend_user))
        .route("/static/habilis.css", get(stylesheet))
        .with_state(state))
}

async fn stylesheet() -> impl axum::response::IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        include_str!("../static/habilis.css"),
    )
}
