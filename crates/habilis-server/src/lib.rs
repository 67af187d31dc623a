//! HTTP for Habilis: the administration API, the AuthZEN decision API, authentication and
//! the operations endpoints. This is the only crate that knows HTTP and JSON.

pub mod api;
pub mod authzen;
pub mod dto;
pub mod extract;
pub mod metrics;
pub mod ops;
pub mod problem;
pub mod state;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use habilis_core::Services;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::metrics::{Metrics, RequestLabels};
use crate::problem::Problem;
pub use crate::state::AppState;

/// The largest request body accepted (a batch of resources is the largest legitimate one).
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// What the HTTP layer needs to know of the deployment.
#[derive(Clone, Debug, Default)]
pub struct ServerSettings {
    /// The configured public address (`https://authz.example.be`), without a trailing `/`.
    pub public_url: Option<String>,
}

/// The whole application, with default settings.
pub fn router(services: Arc<Services>) -> Router {
    router_with(services, ServerSettings::default())
}

/// The whole application.
pub fn router_with(services: Arc<Services>, settings: ServerSettings) -> Router {
    let state = AppState::new(state::Shared {
        services,
        metrics: Arc::new(Metrics::new()),
        public_url: settings
            .public_url
            .map(|url| Arc::from(url.trim_end_matches('/'))),
    });
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .nest("/api/v1", api::router())
        .merge(authzen::router())
        .merge(authzen::well_known())
        .merge(ops::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

async fn not_found() -> Response {
    Problem::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint").into_response()
}

async fn method_not_allowed() -> Response {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not accept that method",
    )
    .into_response()
}

async fn count_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    state
        .metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}
