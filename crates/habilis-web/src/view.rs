//! The request's context (session, language, caller) and how pages are answered: the
//! common frame every template gets, the session cookie, security headers, error pages.

use std::sync::Arc;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use habilis_core::{Caller, Error};
use habilis_domain::{Language, RefusalCode};

use crate::WebState;
use crate::i18n::Tr;
use crate::session::{Flash, Interrupted, LANGUAGE_COOKIE, SESSION_COOKIE, Session};

/// One request's session, created when the browser has none.
pub struct Ctx {
    pub state: WebState,
    pub token: String,
    pub session: Session,
    fresh_cookie: bool,
    pub path: String,
    language_cookie: Option<Language>,
    accept_language: Option<Language>,
    pub client: String,
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

fn accepted_language(headers: &HeaderMap) -> Option<Language> {
    let accept = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    accept
        .split(',')
        .filter_map(|part| part.split(';').next())
        .filter_map(|tag| tag.trim().get(..2))
        .find_map(|prefix| Language::parse(&prefix.to_ascii_lowercase()).ok())
}

impl FromRequestParts<WebState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let existing = cookie(&parts.headers, SESSION_COOKIE)
            .and_then(|token| state.sessions.get(&token).map(|s| (token, s)));
        let (token, session, fresh_cookie) = match existing {
            Some((token, session)) => (token, session, false),
            None => {
                let (token, session) = state.sessions.create();
                (token, session, true)
            }
        };
        // The peer's address, not a header a client could set to dodge the login limit.
        // Behind a reverse proxy every client shares the proxy's address: the limit then
        // holds for all together, which errs on the safe side.
        let client = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string());
        Ok(Ctx {
            state: state.clone(),
            token,
            session,
            fresh_cookie,
            path: parts
                .uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            language_cookie: cookie(&parts.headers, LANGUAGE_COOKIE)
                .and_then(|l| Language::parse(&l).ok()),
            accept_language: accepted_language(&parts.headers),
            client,
        })
    }
}

/// A submitted form's fields, in order; a name repeats for each ticked checkbox.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(transparent)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// The first value of `name` as typed (a password is not trimmed); empty when absent.
    pub fn raw(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The first value of `name` when it is not empty.
    pub fn text(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.is_empty())
    }

    /// Every value of `name` (ticked checkboxes).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }
}

/// What the base template needs on every page.
pub struct Frame {
    pub tr: Tr,
    /// The user is a platform operator (the operator's page is in the menu).
    pub operator: bool,
    pub csrf: String,
    pub user_name: Option<String>,
    pub level: Option<String>,
    pub path: String,
    pub flash: Option<Flash>,
    pub title: String,
    pub nav: &'static str,
    pub languages: Vec<(&'static str, &'static str, bool)>,
}

impl Ctx {
    pub fn language(&self) -> Language {
        self.session
            .language
            .or(self.language_cookie)
            .or(self.accept_language)
            .unwrap_or_default()
    }

    pub fn tr(&self) -> Tr {
        Tr::new(Arc::clone(&self.state.catalog), self.language())
    }

    pub fn services(&self) -> &habilis_core::Services {
        &self.state.services
    }

    /// The session's user as the domain sees a caller.
    pub fn caller(&self) -> Option<Caller> {
        self.session
            .user
            .clone()
            .map(|user| Caller::user(user, self.session.level.clone()))
    }

    /// The frame of a page titled by message `title`; takes the one-time message.
    pub async fn frame(&mut self, title: &str, nav: &'static str) -> Frame {
        let tr = self.tr();
        let user_name = match &self.session.user {
            Some(user) => Some(
                self.state
                    .services
                    .db()
                    .find_user(user.as_str(), None)
                    .await
                    .ok()
                    .flatten()
                    .map_or_else(|| user.to_string(), |u| u.display_name()),
            ),
            None => None,
        };
        let current = self.language();
        let operator = self.is_operator().await;
        Frame {
            operator,
            title: tr.t(title),
            csrf: self.session.csrf.clone(),
            user_name,
            level: self.session.level.as_ref().map(|(_, key)| {
                // The platform's levels are configurable: a key without a message shows as is.
                let id = format!("level-{key}");
                let text = tr.t(&id);
                if text == id { key.clone() } else { text }
            }),
            path: self.path.clone(),
            flash: self.session.flash.take(),
            nav,
            languages: Language::ALL
                .iter()
                .map(|l| (l.as_str(), language_name(*l), *l == current))
                .collect(),
            tr,
        }
    }

    /// Whether the session's user is a platform operator.
    pub async fn is_operator(&self) -> bool {
        let Some(user) = &self.session.user else {
            return false;
        };
        self.state
            .services
            .db()
            .read_slice(&[], std::slice::from_ref(user), &[])
            .await
            .is_ok_and(|world| world.is_operator(user))
    }

    /// Whether the browser has not chosen a language with the switch.
    pub fn language_cookie_missing(&self) -> bool {
        self.language_cookie.is_none()
    }

    /// Sends the session cookie with the answer (after the token changed).
    pub fn force_cookie(&mut self) {
        self.fresh_cookie = true;
    }

    pub fn flash(&mut self, success: bool, text: String) {
        self.session.flash = Some(Flash { success, text });
    }

    /// Whether the form's CSRF token is this session's.
    pub fn csrf_ok(&self, presented: &str) -> bool {
        self.session.csrf_matches(presented)
    }

    /// Saves the session and answers `response`, with the session cookie when new.
    pub fn finish(self, response: Response) -> Response {
        let mut response = response;
        if self.fresh_cookie {
            let cookie = session_cookie(&self.token, self.state.secure_cookies);
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        self.state.sessions.save(&self.token, self.session);
        secure(response)
    }

    /// Renders `page` with status 200.
    pub fn page(self, page: &impl Template) -> Response {
        let response = render(page, StatusCode::OK);
        self.finish(response)
    }

    /// Redirects after a form (303, so the browser does a GET).
    pub fn redirect(self, to: &str) -> Response {
        self.finish(Redirect::to(to).into_response())
    }

    /// Answers a failed change: a step-up sends the user to log in at the needed level and
    /// keeps the form; anything else comes back as a message on `back`.
    pub fn failed(mut self, error: Error, back: &str, form: Option<Interrupted>) -> Response {
        if let Error::Refused(refusal) = &error
            && refusal.code == RefusalCode::StepUpRequired
        {
            let level = refusal.required_level.clone().unwrap_or_default();
            if let Some(form) = form {
                self.session.interrupted = Some(form);
            }
            let to = format!(
                "/login?level={}&return_to={}",
                crate::util::encode(&level),
                crate::util::encode("/resume")
            );
            return self.redirect(&to);
        }
        if matches!(error, Error::Unauthenticated) {
            let to = format!("/login?return_to={}", crate::util::encode(back));
            return self.redirect(&to);
        }
        let text = error_text(&self.tr(), &error);
        self.flash(false, text);
        self.redirect(back)
    }

    /// Who submits a form that changes something: a logged-in user (else the login) whose
    /// form carries this session's CSRF token (else a refusal).
    pub async fn submitter(self, form: &Fields) -> Result<(Ctx, Caller), Response> {
        if !self.csrf_ok(&form.get("csrf")) {
            return Err(self.csrf_failed().await);
        }
        self.require_login()
    }

    /// A change done: its message shown once on `to`.
    pub fn done(mut self, message: &str, to: &str) -> Response {
        let text = self.tr().t(message);
        self.flash(true, text);
        self.redirect(to)
    }

    /// A page that needs a logged-in user: the login when there is none.
    pub fn require_login(self) -> Result<(Ctx, Caller), Response> {
        match self.caller() {
            Some(caller) => Ok((self, caller)),
            None => {
                let to = format!("/login?return_to={}", crate::util::encode(&self.path));
                Err(self.redirect(&to))
            }
        }
    }

    /// An error page for a read that failed.
    pub async fn error_page(self, error: Error) -> Response {
        let status = match &error {
            Error::NotFound { .. } => StatusCode::NOT_FOUND,
            Error::Refused(_) => StatusCode::FORBIDDEN,
            Error::Invalid(_) => StatusCode::BAD_REQUEST,
            Error::Unauthenticated => StatusCode::UNAUTHORIZED,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = error_text(&self.tr(), &error);
        self.message_page(status, message).await
    }

    /// A page that only says `message`.
    pub async fn message_page(mut self, status: StatusCode, message: String) -> Response {
        let frame = self.frame("error-title", "").await;
        let page = ErrorPage { frame, message };
        let response = render(&page, status);
        self.finish(response)
    }

    /// Refuses a form whose CSRF token does not match.
    pub async fn csrf_failed(self) -> Response {
        let text = self.tr().t("error-csrf");
        self.message_page(StatusCode::FORBIDDEN, text).await
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    frame: Frame,
    message: String,
}

/// A refusal or error in the user's language.
pub fn error_text(tr: &Tr, error: &Error) -> String {
    match error {
        Error::Refused(refusal) => tr.t(&format!(
            "refusal-{}",
            refusal.code.as_str().replace('_', "-")
        )),
        Error::Invalid(inputs) => format!(
            "{} {}",
            tr.t("error-invalid"),
            inputs
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Error::NotFound { .. } => tr.t("error-not-found"),
        Error::Conflict { .. } => tr.t("error-conflict"),
        Error::Unauthenticated => tr.t("error-login"),
        Error::Stale { .. } | Error::Internal(_) => {
            tracing::error!(error = %error, "web page failed");
            tr.t("error-internal")
        }
    }
}

pub fn render(page: &impl Template, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// Headers every page carries: no framing, no sniffing, no caching of personal pages, and
/// a policy that runs no script and loads nothing from elsewhere.
fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The session cookie: HttpOnly, SameSite=Lax (the provider's redirect back is a top-level
/// GET that must carry it), Secure when the public address is https, for the whole site
/// (Path=/) and this host only (no Domain).
pub fn session_cookie(token: &str, secure: bool) -> String {
    if secure {
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Secure")
    } else {
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax")
    }
}

pub fn language_name(language: Language) -> &'static str {
    match language {
        Language::Fr => "Français",
        Language::Nl => "Nederlands",
        Language::De => "Deutsch",
        Language::En => "English",
    }
}
