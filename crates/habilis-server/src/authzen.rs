//! The OpenID AuthZEN decision API: a thin translation between AuthZEN's JSON and the
//! engine's questions. Only an application's credential may ask, and only about itself.
//!
//! AuthZEN objects must tolerate unknown members (the standard says so), unlike the
//! administration API.

use std::ops::ControlFlow;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use habilis_core::Caller;
use habilis_domain::Key;
use habilis_domain::decision::{DenyReason, ResourceOverrides};
use habilis_engine::{Asked, Snapshot};
use serde_json::{Value, json};
// Requests are read into a borrowed tree: its strings point into the request body, so that a
// batch of a hundred evaluations costs a few allocations instead of a thousand.
use serde_json_borrow::{ObjectAsVec as Object, Value as Asking};

mod request;
use request::{
    Context, Evaluation, Given, LevelAsked, Parts, Properties, Request, Text, body_object, member,
};

use crate::extract::{ApiQuery, Auth, JsonBody};
use crate::metrics::DecisionTally;
use crate::problem::Problem;
use crate::state::AppState;

/// How long a decision with `min_revision` waits for the engine before answering 503.
const MIN_REVISION_WAIT: Duration = Duration::from_secs(2);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/access/v1/evaluation", post(evaluation))
        .route("/access/v1/evaluations", post(evaluations))
        .route("/access/v1/search/subject", post(search_subject))
        .route("/access/v1/search/resource", post(search_resource))
        .route("/access/v1/search/action", post(search_action))
        .route("/api/v1/entitlements", get(entitlements))
}

pub fn well_known() -> Router<AppState> {
    Router::new()
        .route("/.well-known/authzen-configuration", get(configuration))
        // RFC 8615: the metadata of a PDP whose identifier has a path
        // (`https://gw.example.be/habilis`) is at that path after the well-known string.
        .route(
            "/.well-known/authzen-configuration/{*path}",
            get(configuration_at_path),
        )
}

/// The metadata at `/.well-known/authzen-configuration/<path>`, for the configured public
/// address's own path only: any other path names no PDP here.
async fn configuration_at_path(
    State(state): State<AppState>,
    axum::extract::Path(path): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let announced = state
        .public_url
        .as_deref()
        .and_then(|url| url.parse::<axum::http::Uri>().ok())
        .map(|url| url.path().trim_matches('/').to_owned());
    match announced {
        Some(announced) if !announced.is_empty() && announced == path.trim_matches('/') => {
            configuration(State(state), headers).await
        }
        _ => Problem::new(
            axum::http::StatusCode::NOT_FOUND,
            "not_found",
            "no policy decision point is published under this path",
        )
        .into_response(),
    }
}

/// The PDP's metadata. `policy_decision_point` must be the identifier the client built the
/// well-known address from: the configured public address (`public_url`, https behind a
/// proxy) when there is one, else the address this request reached, as its `Host` names it.
async fn configuration(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let base = match &state.public_url {
        Some(url) => url.to_string(),
        None => {
            let host = headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .and_then(|h| h.parse::<axum::http::uri::Authority>().ok());
            format!(
                "http://{}",
                host.as_ref().map_or("localhost", |h| h.as_str())
            )
        }
    };
    let metadata = Json(json!({
        "policy_decision_point": base,
        "access_evaluation_endpoint": format!("{base}/access/v1/evaluation"),
        "access_evaluations_endpoint": format!("{base}/access/v1/evaluations"),
        "search_subject_endpoint": format!("{base}/access/v1/search/subject"),
        "search_resource_endpoint": format!("{base}/access/v1/search/resource"),
        "search_action_endpoint": format!("{base}/access/v1/search/action"),
    }));
    // The configured metadata changes only with the configuration: any cache may keep it for
    // an hour. Metadata built from `Host` is kept per `Host` only, so that no shared cache
    // serves one client's `Host` to another.
    let cache_control = if state.public_url.is_some() {
        "public, max-age=3600"
    } else {
        "private, max-age=3600"
    };
    (
        [
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            ),
            (header::VARY, HeaderValue::from_static("Host")),
        ],
        metadata,
    )
        .into_response()
}

fn application_of(caller: &Caller) -> Result<&Key, Problem> {
    caller.application.as_ref().ok_or_else(|| {
        Problem::new(
            axum::http::StatusCode::FORBIDDEN,
            "other_application",
            "decisions are asked with an application's credential",
        )
    })
}

/// One evaluation's names, borrowed from the request.
struct Named<'r> {
    subject: &'r str,
    action: &'r str,
    resource_type: &'r str,
    resource_id: &'r str,
    properties: Option<&'r Properties<'r>>,
}

/// A required member of a part: there, or the answer's error.
fn required<'r>(text: &'r Option<Text<'_>>, error: &'static str) -> Result<&'r str, &'static str> {
    text.as_ref().map(Text::as_str).ok_or(error)
}

/// The names of the parts, or which required member is missing or malformed.
fn named<'r>(parts: &Parts<'r, '_>) -> Result<Named<'r>, &'static str> {
    let Given::Is(subject) = parts.subject else {
        return Err("`subject` is required");
    };
    let subject_type = required(&subject.kind, "`subject.type` is required")?;
    let subject_id = required(&subject.id, "`subject.id` is required")?;
    let Given::Is(action) = parts.action else {
        return Err("`action` is required");
    };
    let action_name = required(&action.name, "`action.name` is required")?;
    let Given::Is(resource) = parts.resource else {
        return Err("`resource` is required");
    };
    let resource_type = required(&resource.kind, "`resource.type` is required")?;
    let resource_id = required(&resource.id, "`resource.id` is required")?;
    min_revision(context_of(parts.context)?)?;
    Ok(Named {
        subject: match subject_type {
            "user" | "identity" => subject_id,
            // Other subject types name no user Habilis knows: the question is denied as an
            // unknown subject.
            _ => "",
        },
        action: action_name,
        resource_type,
        resource_id,
        properties: resource.properties.as_ref(),
    })
}

/// The context, when there is one; one that is no object is the evaluation's error.
fn context_of<'r, 'a>(
    context: Given<&'r Context<'a>>,
) -> Result<Option<&'r Context<'a>>, &'static str> {
    match context {
        Given::Malformed => Err("`context` must be an object"),
        context => Ok(context.well_formed()),
    }
}

/// One evaluation made a question: its names, borrowed from the request, and what they
/// imply (the resource's overrides, the session's level).
struct Prepared<'r> {
    named: Named<'r>,
    overrides: ResourceOverrides,
    level: Option<u8>,
}

impl<'r> Prepared<'r> {
    /// The parts made a question, or which required member is missing or malformed.
    fn new(
        snapshot: &Snapshot,
        application: &Key,
        parts: &Parts<'r, '_>,
    ) -> Result<Prepared<'r>, &'static str> {
        let named = named(parts)?;
        // Without properties this allocates nothing: the question borrows the request's text.
        let overrides = overrides(snapshot, application, named.properties);
        Ok(Prepared {
            named,
            overrides,
            level: level(snapshot, parts.context.well_formed()),
        })
    }

    fn asked<'q>(&'q self, application: &'q Key, at: habilis_domain::Timestamp) -> Asked<'q> {
        Asked {
            application: application.as_str(),
            subject: self.named.subject,
            action: self.named.action,
            resource_type: self.named.resource_type,
            resource_id: self.named.resource_id,
            overrides: &self.overrides,
            level: self.level,
            at,
        }
    }
}

/// Decides the parts: the verdict, or which required member is missing or malformed.
fn verdict(
    snapshot: &Snapshot,
    application: &Key,
    parts: &Parts<'_, '_>,
    now: habilis_domain::Timestamp,
) -> Result<Result<(), DenyReason>, &'static str> {
    let prepared = Prepared::new(snapshot, application, parts)?;
    Ok(snapshot.verdict(&prepared.asked(application, now)))
}

/// Resource properties under the names the application declared.
fn overrides(
    snapshot: &Snapshot,
    application: &Key,
    properties: Option<&Properties<'_>>,
) -> ResourceOverrides {
    let Some(properties) = properties else {
        return ResourceOverrides::default();
    };
    let names = snapshot
        .resource_properties(application.as_str())
        .unwrap_or_default();
    let text = |name: &str| properties.text(name).map(str::to_owned);
    ResourceOverrides {
        organization: text(&names.organization),
        matter: text(&names.matter),
        category: text(&names.category),
        owner: text(&names.owner),
    }
}

/// The session level from `context.acr` (an `acr` value) or `context.level` (a level key or
/// rank). An unknown `acr` means no level.
fn level(snapshot: &Snapshot, context: Option<&Context<'_>>) -> Option<u8> {
    let context = context?;
    if let Some(acr) = &context.acr {
        return snapshot.levels().rank_of_acr(acr.as_str());
    }
    match context.level.as_ref()? {
        LevelAsked::Name(name) => snapshot.levels().rank_of_name(name.as_str()),
        LevelAsked::Rank(rank) => u8::try_from(*rank)
            .ok()
            .and_then(|rank| snapshot.levels().by_rank(rank).map(|l| l.rank)),
        LevelAsked::Other => None,
    }
}

/// `context.min_revision`: absent, or a revision (a non-negative integer). A malformed one
/// is an error, never ignored: ignoring it would answer from whatever state is current.
fn min_revision(context: Option<&Context<'_>>) -> Result<Option<u64>, &'static str> {
    match context.map(|c| &c.min_revision) {
        None | Some(Given::Absent) => Ok(None),
        Some(Given::Is(revision)) => Ok(Some(*revision)),
        Some(Given::Malformed) => {
            Err("`context.min_revision` must be a revision (a non-negative integer)")
        }
    }
}

/// A top-level member that must be an object when given.
fn object_member<T>(given: Given<T>, name: &str) -> Result<Given<T>, Problem> {
    match given {
        Given::Malformed => Err(invalid_request(format!("`{name}` must be an object"))),
        given => Ok(given),
    }
}

/// Writes the decision context sent back for a denial: a stable code, and for a step-up the
/// level and the `acr` values that reach it, strongest first. Written out rather than built
/// as a JSON tree: half of the answers are denials.
fn write_deny_context(out: &mut String, snapshot: &Snapshot, reason: &DenyReason) {
    #[derive(serde::Serialize)]
    struct StepUp<'a> {
        code: &'static str,
        level: Option<&'a str>,
        acr_values: Vec<String>,
    }
    match reason {
        DenyReason::StepUp { rank } => {
            let levels = snapshot.levels();
            let step_up = StepUp {
                code: reason.code(),
                level: levels.by_rank(*rank).map(|l| l.key.as_str()),
                acr_values: levels.acr_values_at_least(*rank),
            };
            out.push_str(r#"{"reason":"#);
            // Writing a struct of strings into a string cannot fail.
            out.push_str(&serde_json::to_string(&step_up).unwrap_or_default());
            out.push('}');
        }
        other => {
            // The codes are snake_case words: nothing in them needs escaping.
            out.push_str(r#"{"reason":{"code":""#);
            out.push_str(other.code());
            out.push_str(r#""}}"#);
        }
    }
}

/// A JSON body already written out.
fn json_body(body: String) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// Writes one decision as AuthZEN answers it; a denial carries its reason when asked for,
/// and always when a higher level would allow (the client needs it to step up).
fn write_decision(
    out: &mut String,
    snapshot: &Snapshot,
    verdict: &Result<(), DenyReason>,
    with_reason: bool,
) {
    match verdict {
        Ok(()) => out.push_str(r#"{"decision":true}"#),
        Err(reason) if with_reason || matches!(reason, DenyReason::StepUp { .. }) => {
            out.push_str(r#"{"decision":false,"context":"#);
            write_deny_context(out, snapshot, reason);
            out.push('}');
        }
        Err(_) => out.push_str(r#"{"decision":false}"#),
    }
}

async fn evaluation(
    State(state): State<AppState>,
    Auth(caller): Auth,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let application = application_of(&caller)?;
    let request = Request::read(&body)?;
    let parts = Parts {
        context: object_member(request.context.as_ref(), "context")?,
        ..request.parts()
    };
    if let Some(min) = min_revision(parts.context.well_formed()).map_err(invalid_request)? {
        state.services.wait_for(min, MIN_REVISION_WAIT).await?;
    }
    let snapshot = state.services.current_snapshot();
    single_answer(&state, &snapshot, application, &parts, state.services.now())
}

/// The answer to one evaluation: its decision, with the reason of a denial; a missing or
/// malformed member is the request's error.
fn single_answer(
    state: &AppState,
    snapshot: &Snapshot,
    application: &Key,
    parts: &Parts<'_, '_>,
    now: habilis_domain::Timestamp,
) -> Result<Response, Problem> {
    let verdict = verdict(snapshot, application, parts, now)
        .map_err(|detail| Problem::bad_request("invalid_request", detail))?;
    state.metrics.count_decisions(verdict.as_ref().err(), 1);
    let mut out = String::with_capacity(32);
    write_decision(&mut out, snapshot, &verdict, true);
    Ok(json_body(out))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Semantic {
    ExecuteAll,
    DenyOnFirstDeny,
    PermitOnFirstPermit,
}

async fn evaluations(
    State(state): State<AppState>,
    Auth(caller): Auth,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let application = application_of(&caller)?;
    let request = Request::read(&body)?;
    // The top level is checked whole: a wrong type there is the request's error (400); a
    // wrong type inside one item is that item's error only.
    let options = object_member(request.options.as_ref(), "options")?.well_formed();
    let semantic = match options.map(|o| o.evaluations_semantic.as_ref()) {
        None | Some(Given::Absent) => Semantic::ExecuteAll,
        Some(Given::Is(semantic)) if semantic.as_str() == "execute_all" => Semantic::ExecuteAll,
        Some(Given::Is(semantic)) if semantic.as_str() == "deny_on_first_deny" => {
            Semantic::DenyOnFirstDeny
        }
        Some(Given::Is(semantic)) if semantic.as_str() == "permit_on_first_permit" => {
            Semantic::PermitOnFirstPermit
        }
        Some(_) => {
            return Err(Problem::bad_request(
                "invalid_request",
                "`options.evaluations_semantic` must be execute_all, deny_on_first_deny or permit_on_first_permit",
            ));
        }
    };
    let with_reasons = match options.map(|o| &o.reasons) {
        None | Some(Given::Absent) => false,
        Some(Given::Is(reasons)) => *reasons,
        Some(Given::Malformed) => {
            return Err(invalid_request("`options.reasons` must be true or false"));
        }
    };
    let defaults = Parts {
        subject: object_member(request.subject.as_ref(), "subject")?,
        action: object_member(request.action.as_ref(), "action")?,
        resource: object_member(request.resource.as_ref(), "resource")?,
        context: object_member(request.context.as_ref(), "context")?,
    };
    let items: &[Given<Evaluation<'_>>] = match &request.evaluations {
        Given::Absent => &[],
        Given::Is(items) => items,
        Given::Malformed => {
            return Err(Problem::bad_request(
                "invalid_request",
                "`evaluations` must be an array",
            ));
        }
    };
    // The newest revision any item asks for; an item's malformed one is its own error.
    let default_min = min_revision(defaults.context.well_formed()).map_err(invalid_request)?;
    let wanted = default_min
        .into_iter()
        .chain(items.iter().filter_map(|item| {
            let context = item.as_ref().well_formed()?.context.as_ref().well_formed();
            min_revision(context).ok().flatten()
        }));
    if let Some(min) = wanted.max() {
        state.services.wait_for(min, MIN_REVISION_WAIT).await?;
    }
    let snapshot = state.services.current_snapshot();
    let now = state.services.now();
    if items.is_empty() {
        // Without items the endpoint behaves like a single evaluation.
        return single_answer(&state, &snapshot, application, &defaults, now);
    }
    // Every item is made a question before any is decided, so that the engine can start
    // reading for the questions ahead while it decides one (`Snapshot::verdicts`).
    let prepared: Vec<Result<Prepared<'_>, &'static str>> = items
        .iter()
        .map(|item| match item {
            Given::Is(item) => Prepared::new(&snapshot, application, &item.parts().or(defaults)),
            _ => Err("an evaluation must be an object"),
        })
        .collect();
    let asked: Vec<Option<Asked<'_>>> = prepared
        .iter()
        .map(|item| item.as_ref().ok().map(|item| item.asked(application, now)))
        .collect();
    let mut tally = DecisionTally::default();
    let mut out = String::with_capacity(16 + items.len() * 24);
    out.push_str(r#"{"evaluations":["#);
    snapshot.verdicts(&asked, |index, verdict| {
        if index > 0 {
            out.push(',');
        }
        let allowed = match verdict {
            None => {
                let message = match prepared.get(index) {
                    Some(Err(message)) => *message,
                    _ => "an evaluation must be an object",
                };
                let error = json!({ "decision": false, "context": { "error": { "status": 400, "message": message } } });
                out.push_str(&error.to_string());
                false
            }
            Some(verdict) => {
                tally.count(verdict.as_ref().err());
                write_decision(&mut out, &snapshot, &verdict, with_reasons);
                verdict.is_ok()
            }
        };
        match semantic {
            Semantic::DenyOnFirstDeny if !allowed => ControlFlow::Break(()),
            Semantic::PermitOnFirstPermit if allowed => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    });
    out.push_str("]}");
    tally.record(&state.metrics);
    Ok(json_body(out))
}

// ---- Search ---------------------------------------------------------------------------------

/// The most results one page holds when the client asks for a page without a limit (or with
/// `limit: 0`, which the standard leaves open: we read it as "the server's default").
const DEFAULT_PAGE_LIMIT: usize = 1_000;

/// A search request: its entities, its level, and how much of the answer to send.
struct Search<'a> {
    request: &'a Object<'a>,
    level: Option<u8>,
    page: Option<Page>,
}

/// Which slice of the results to send: from `offset`, at most `limit`.
struct Page {
    offset: usize,
    limit: usize,
}

/// A fingerprint of what a paginated request asks (entities and limit), so that a follow-up
/// request that changed anything is refused rather than answered from the wrong list. The
/// entities are written as `serde_json` writes a `Value` (members in name order), so that
/// the order in which a client sends the members does not matter.
fn fingerprint(request: &Object<'_>, limit: usize) -> String {
    use sha2::Digest as _;
    let entity = |name: &str| member(request, name).map(Value::from);
    // The context counts (its level changes the answer), but not how fresh the answer must
    // be: a client may ask for the next page at a newer revision.
    let mut context = entity("context");
    if let Some(Value::Object(members)) = &mut context {
        members.remove("min_revision");
    }
    // No context and `{}` (perhaps once `min_revision` is gone) ask the same.
    if matches!(&context, Some(Value::Object(m)) if m.is_empty()) {
        context = None;
    }
    let asked = json!({
        "subject": entity("subject"),
        "action": entity("action"),
        "resource": entity("resource"),
        "context": context,
        "limit": limit,
    });
    let digest = sha2::Sha256::digest(asked.to_string().as_bytes());
    hex::encode(digest.get(..8).unwrap_or_default())
}

fn invalid_request(detail: impl Into<String>) -> Problem {
    Problem::bad_request("invalid_request", detail)
}

/// Reads `page` (optional): `limit` (a non-negative integer) and `token` (ours, opaque).
fn page_of(request: &Object<'_>) -> Result<Option<Page>, Problem> {
    let Some(page) = member(request, "page") else {
        return Ok(None);
    };
    let Some(page) = page.as_object() else {
        return Err(invalid_request("`page` must be an object"));
    };
    let limit = match page.get("limit") {
        None => DEFAULT_PAGE_LIMIT,
        Some(value) => match value.as_u64() {
            Some(0) => DEFAULT_PAGE_LIMIT,
            Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
            None => {
                return Err(invalid_request(
                    "`page.limit` must be a non-negative integer",
                ));
            }
        },
    };
    let offset = match page.get("token") {
        None => 0,
        Some(Asking::Str(token)) if token.is_empty() => 0,
        Some(Asking::Str(token)) => {
            let (offset, print) = token.split_once('.').ok_or_else(|| {
                Problem::bad_request("invalid_page_token", "unknown `page.token`")
            })?;
            let offset: usize = offset
                .parse()
                .map_err(|_| Problem::bad_request("invalid_page_token", "unknown `page.token`"))?;
            if print != fingerprint(request, limit) {
                return Err(Problem::bad_request(
                    "invalid_page_token",
                    "a follow-up page must repeat the same subject, action, resource, context and limit",
                ));
            }
            offset
        }
        Some(_) => return Err(invalid_request("`page.token` must be a string")),
    };
    Ok(Some(Page { offset, limit }))
}

/// Reads and checks a search request, and waits for `context.min_revision`.
async fn search_request<'a>(
    state: &AppState,
    request: &'a Object<'a>,
    asked: &Evaluation<'_>,
) -> Result<Search<'a>, Problem> {
    let context = object_member(asked.context.as_ref(), "context")?.well_formed();
    if let Some(min) = min_revision(context).map_err(invalid_request)? {
        state.services.wait_for(min, MIN_REVISION_WAIT).await?;
    }
    let page = page_of(request)?;
    let snapshot = state.services.snapshot();
    Ok(Search {
        request,
        level: level(&snapshot, context),
        page,
    })
}

/// A required entity of a search, given as its `type` and `id`: the type, and the id
/// (required when `with_id`).
fn entity<'r>(
    name: &str,
    names: Option<(Option<&'r str>, Option<&'r str>)>,
    with_id: bool,
) -> Result<(&'r str, Option<&'r str>), Problem> {
    let Some((kind, id)) = names else {
        return Err(invalid_request(format!("`{name}` is required")));
    };
    let Some(kind) = kind else {
        return Err(invalid_request(format!("`{name}.type` is required")));
    };
    if with_id && id.is_none() {
        return Err(invalid_request(format!("`{name}.id` is required")));
    }
    Ok((kind, id))
}

fn subject<'r>(
    asked: &'r Evaluation<'_>,
    with_id: bool,
) -> Result<(&'r str, Option<&'r str>), Problem> {
    let names = asked.subject.as_ref().well_formed().map(|s| {
        (
            s.kind.as_ref().map(Text::as_str),
            s.id.as_ref().map(Text::as_str),
        )
    });
    entity("subject", names, with_id)
}

/// The resource's type, id and properties.
fn resource<'r>(
    asked: &'r Evaluation<'_>,
    with_id: bool,
) -> Result<(&'r str, Option<&'r str>, Option<&'r Properties<'r>>), Problem> {
    let resource = asked.resource.as_ref().well_formed();
    let names = resource.map(|r| {
        (
            r.kind.as_ref().map(Text::as_str),
            r.id.as_ref().map(Text::as_str),
        )
    });
    let (kind, id) = entity("resource", names, with_id)?;
    Ok((kind, id, resource.and_then(|r| r.properties.as_ref())))
}

fn action_name<'r>(asked: &'r Evaluation<'_>) -> Result<&'r str, Problem> {
    asked
        .action
        .as_ref()
        .well_formed()
        .and_then(|a| a.name.as_ref())
        .map(Text::as_str)
        .ok_or_else(|| invalid_request("`action.name` is required"))
}

/// The answer of a search: all results, or the requested page with its `next_token`.
fn search_answer(search: &Search<'_>, mut results: Vec<Value>) -> Response {
    let Some(page) = &search.page else {
        return Json(json!({ "results": results })).into_response();
    };
    let total = results.len();
    let end = page.offset.saturating_add(page.limit).min(total);
    let start = page.offset.min(end);
    let next_token = if end < total {
        format!("{end}.{}", fingerprint(search.request, page.limit))
    } else {
        String::new()
    };
    let results: Vec<Value> = results.drain(start..end).collect();
    Json(json!({
        "page": { "next_token": next_token, "count": results.len(), "total": total },
        "results": results,
    }))
    .into_response()
}

/// Subjects of a user type that is not `user` or `identity` are unknown to Habilis.
fn names_users(kind: &str) -> bool {
    matches!(kind, "user" | "identity")
}

/// Who may take `action` on a resource: `{type, id}` for each user, named as the
/// application knows them (a linked subject id, else the Habilis id).
async fn search_subject(
    State(state): State<AppState>,
    Auth(caller): Auth,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let application = application_of(&caller)?;
    let request = body_object(&body)?;
    let asked = Evaluation::of_tree(&request);
    let search = search_request(&state, &request, &asked).await?;
    // The subject's own id is ignored: it names the type searched for.
    let (subject_type, _) = subject(&asked, false)?;
    let action = action_name(&asked)?;
    let (resource_type, resource_id, properties) = resource(&asked, true)?;
    let snapshot = state.services.snapshot();
    let results = if names_users(subject_type) {
        let overrides = overrides(&snapshot, application, properties);
        let mut names: Vec<String> = snapshot
            .search_subjects(
                application.as_str(),
                action,
                resource_type,
                resource_id.unwrap_or_default(),
                &overrides,
                search.level,
                state.services.now(),
            )
            .iter()
            .map(|user| snapshot.subject_name(user, application.as_str()))
            .collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .map(|id| json!({ "type": subject_type, "id": id }))
            .collect()
    } else {
        Vec::new()
    };
    Ok(search_answer(&search, results))
}

/// The resources of a type on which a user may take `action`: `{type, id}` each.
async fn search_resource(
    State(state): State<AppState>,
    Auth(caller): Auth,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let application = application_of(&caller)?;
    let request = body_object(&body)?;
    let asked = Evaluation::of_tree(&request);
    let search = search_request(&state, &request, &asked).await?;
    let (subject_type, subject_id) = subject(&asked, true)?;
    let action = action_name(&asked)?;
    // The resource's own id is ignored: it names the type searched for.
    let (resource_type, _, _) = resource(&asked, false)?;
    let snapshot = state.services.snapshot();
    let results = if names_users(subject_type) {
        // Sorted and each once already.
        snapshot
            .search_resources(
                application.as_str(),
                subject_id.unwrap_or_default(),
                action,
                resource_type,
                search.level,
                state.services.now(),
            )
            .into_iter()
            .map(|id| json!({ "type": resource_type, "id": id }))
            .collect()
    } else {
        Vec::new()
    };
    Ok(search_answer(&search, results))
}

/// The actions a user may take on a resource: `{name}` each.
async fn search_action(
    State(state): State<AppState>,
    Auth(caller): Auth,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let application = application_of(&caller)?;
    let request = body_object(&body)?;
    let asked = Evaluation::of_tree(&request);
    let search = search_request(&state, &request, &asked).await?;
    let (subject_type, subject_id) = subject(&asked, true)?;
    let (resource_type, resource_id, properties) = resource(&asked, true)?;
    let snapshot = state.services.snapshot();
    let results = if names_users(subject_type) {
        let overrides = overrides(&snapshot, application, properties);
        let mut names: Vec<String> = snapshot
            .search_actions(
                application.as_str(),
                subject_id.unwrap_or_default(),
                resource_type,
                resource_id.unwrap_or_default(),
                &overrides,
                search.level,
                state.services.now(),
            )
            .iter()
            .map(ToString::to_string)
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|name| json!({ "name": name }))
            .collect()
    } else {
        Vec::new()
    };
    Ok(search_answer(&search, results))
}

// ---- Entitlements -----------------------------------------------------------------------------

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntitlementsQuery {
    user: String,
    min_revision: Option<u64>,
}

/// For token enrichment at login: per organisation, the roles the user holds in the calling
/// application, with scopes, levels (and the `acr` values that reach them) and validity.
/// Answered from the engine, like a decision.
async fn entitlements(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(query): ApiQuery<EntitlementsQuery>,
) -> Result<Response, Problem> {
    let application = application_of(&caller)?;
    if let Some(min) = query.min_revision {
        state.services.wait_for(min, MIN_REVISION_WAIT).await?;
    }
    let snapshot = state.services.snapshot();
    let Some(user) = snapshot.resolve_user(&query.user, Some(application.as_str())) else {
        return Err(Problem::new(
            axum::http::StatusCode::NOT_FOUND,
            "unknown_user",
            "no user is known by that name to this application",
        ));
    };
    let held = snapshot.entitlements(application.as_str(), user.as_str(), state.services.now());
    let mut organizations: Vec<Value> = Vec::new();
    for entitlement in &held {
        let role = entitlement_json(&snapshot, entitlement);
        let id = entitlement.organization.as_str();
        match organizations.last_mut() {
            Some(last) if last.get("id").and_then(Value::as_str) == Some(id) => {
                if let Some(Value::Array(roles)) = last.get_mut("roles") {
                    roles.push(role);
                }
            }
            _ => organizations.push(json!({
                "id": id,
                "enterprise_number": snapshot.enterprise_number(&entitlement.organization),
                "roles": [role],
            })),
        }
    }
    Ok(Json(json!({
        "application": application.as_str(),
        "user": snapshot.subject_name(&user, application.as_str()),
        "revision": snapshot.revision(),
        "organizations": organizations,
    }))
    .into_response())
}

fn entitlement_json(snapshot: &Snapshot, entitlement: &habilis_engine::Entitlement) -> Value {
    use habilis_domain::decision::Via;
    let rank = entitlement
        .level
        .as_ref()
        .and_then(|level| snapshot.levels().by_key(level.as_str()))
        .map(|level| level.rank);
    let mut role = json!({
        "role": entitlement.role.as_str(),
        "level": entitlement.level.as_ref().map(Key::as_str),
        "acr_values": rank.map(|rank| snapshot.levels().acr_values_at_least(rank)),
        "scope": crate::dto::ScopeDto::of(&entitlement.scope),
        "reach": match entitlement.reach {
            habilis_domain::Reach::Organization => "organization",
            habilis_domain::Reach::AllSubscribers => "all_subscribers",
        },
        "grant": entitlement.grant.as_str(),
        "valid_until": entitlement.valid_until.map(crate::dto::format_time),
    });
    if let (Via::Mandate(mandate), Some(object)) = (&entitlement.via, role.as_object_mut()) {
        object.insert("mandate".into(), json!(mandate.as_str()));
        object.insert(
            "mandate_scope".into(),
            json!(
                entitlement
                    .mandate_scope
                    .as_ref()
                    .map(crate::dto::ScopeDto::of)
            ),
        );
    }
    role
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body of nested brackets never makes a parser recurse to the bottom: without a
    /// limit, that would overflow the worker's stack and stop the process. Read as a tree (a
    /// search, an unusual evaluation) it is refused as malformed: serde_json stops at 128
    /// levels. The evaluations' strict reader skips a member it does not know without
    /// recursing, however deep, and reads the rest.
    #[test]
    fn a_deeply_nested_body_is_never_parsed_by_recursion() {
        let brackets = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let code = |problem: Option<Problem>| problem.and_then(|p| p.code);
        let deep = format!(r#"{{"a":{}}}"#, brackets(200_000));
        assert_eq!(
            code(body_object(deep.as_bytes()).err()).as_deref(),
            Some("malformed_json")
        );
        assert!(body_object(format!(r#"{{"a":{}}}"#, brackets(100)).as_bytes()).is_ok());

        let skipped = format!(
            r#"{{"subject":{{"type":"user","id":"alice","a":{}}}}}"#,
            brackets(200_000)
        );
        let read = Request::read(skipped.as_bytes());
        assert!(read.is_ok_and(|r| matches!(&r.subject, Given::Is(s)
            if s.id.as_ref().map(Text::as_str) == Some("alice"))));
        let deep_level = format!(r#"{{"context":{{"level":{}}}}}"#, brackets(200_000));
        assert_eq!(
            code(Request::read(deep_level.as_bytes()).err()).as_deref(),
            Some("malformed_json")
        );
    }
}
