//! Operations endpoints: health, readiness, metrics, and the OpenAPI document.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

/// The OpenAPI document, kept in the repository and checked against the router by a test.
pub const OPENAPI: &str = include_str!("../../../docs/openapi.json");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/openapi.json", get(openapi))
}

async fn healthz() -> Response {
    (
        StatusCode::OK,
        axum::Json(serde_json::json!({ "status": "ok" })),
    )
        .into_response()
}

/// Ready when the store answers and the engine has caught up with it.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.services.db().current_revision().await {
        Ok(stored) => {
            let applied = state.services.revision();
            let body = serde_json::json!({ "status": if applied >= stored { "ready" } else { "catching_up" }, "revision": applied, "stored_revision": stored });
            let status = if applied >= stored {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            (status, axum::Json(body)).into_response()
        }
        Err(error) => {
            tracing::warn!(%error, "store not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({ "status": "store_unavailable" })),
            )
                .into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let snapshot = state.services.snapshot();
    let stats = snapshot.stats();
    state
        .metrics
        .revision
        .set(i64::try_from(snapshot.revision()).unwrap_or(i64::MAX));
    state
        .metrics
        .grants
        .set(i64::try_from(stats.grants).unwrap_or(i64::MAX));
    state
        .metrics
        .resources
        .set(i64::try_from(stats.resources).unwrap_or(i64::MAX));
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}
