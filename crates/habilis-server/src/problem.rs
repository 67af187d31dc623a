//! Errors as RFC 9457 problem details. `From<habilis_core::Error>` is the single mapping from
//! errors to HTTP status and stable `code`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use habilis_core::Error;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// For invalid input: every field at fault.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For `step_up_required`: the level the change needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_level: Option<String>,
    #[serde(skip)]
    pub retry_after: Option<u32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub detail: String,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Problem {
        Problem {
            problem_type: format!("https://habilis.example/problems/{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: Some(code.to_owned()),
            errors: Vec::new(),
            required_level: None,
            retry_after: None,
        }
    }

    pub fn bad_request(code: &str, detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unauthenticated() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "a valid bearer token is required",
        )
    }
}

impl From<Error> for Problem {
    fn from(error: Error) -> Problem {
        match error {
            Error::Refused(refusal) => {
                let mut problem =
                    Problem::new(StatusCode::FORBIDDEN, refusal.code.as_str(), refusal.detail);
                problem.required_level = refusal.required_level;
                problem
            }
            Error::Invalid(inputs) => {
                let first_code = inputs
                    .first()
                    .map_or("invalid_input", |input| input.code.as_str());
                let detail = inputs
                    .iter()
                    .map(|input| input.detail.clone())
                    .collect::<Vec<_>>()
                    .join("; ");
                let mut problem =
                    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, first_code, detail);
                problem.errors = inputs
                    .into_iter()
                    .map(|input| FieldError {
                        field: input.field,
                        code: input.code.as_str().to_owned(),
                        detail: input.detail,
                    })
                    .collect();
                problem
            }
            Error::NotFound { what } => Problem::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{what} not found"),
            ),
            Error::Conflict { what } => Problem::new(StatusCode::CONFLICT, "conflict", what),
            Error::Unauthenticated => Problem::unauthenticated(),
            Error::Stale { min_revision } => {
                let mut problem = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "revision_not_available",
                    format!("revision {min_revision} is not available yet"),
                );
                problem.retry_after = Some(1);
                problem
            }
            Error::Internal(error) => {
                // The cause is logged for operators, never shown to the client.
                tracing::error!(error = format!("{error:#}"), "internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "an internal error occurred; it has been logged",
                )
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
