//! Extractors: JSON bodies whose every rejection is a problem+json, and the caller from the
//! bearer token.

use axum::body::{Bytes, HttpBody as _};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;

use crate::BODY_LIMIT;
use crate::problem::Problem;
use crate::state::AppState;

/// `axum::Json`, but malformed bodies, unknown fields, wrong types and oversize bodies come
/// back as problem+json with a stable code.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_problem(&rejection)),
        }
    }
}

pub fn json_problem(rejection: &JsonRejection) -> Problem {
    match rejection {
        JsonRejection::JsonDataError(error) => {
            Problem::bad_request("invalid_body", data_error_text(error))
        }
        JsonRejection::JsonSyntaxError(_) => {
            Problem::bad_request("malformed_json", "the body is not valid JSON")
        }
        JsonRejection::MissingJsonContentType(_) => Problem::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ),
        JsonRejection::BytesRejection(_) => Problem::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the body is too large",
        ),
        _ => Problem::bad_request("invalid_body", "the body could not be read"),
    }
}

fn data_error_text(error: &axum::extract::rejection::JsonDataError) -> String {
    // The inner serde message names the field and the problem ("unknown field `x`"), without
    // echoing values; the outer wrapper only adds noise.
    use std::error::Error as _;
    let mut text = error.body_text();
    let mut source = error.source();
    while let Some(inner) = source {
        text = inner.to_string();
        source = inner.source();
    }
    text.chars().take(300).collect()
}

/// `axum::extract::Query`, but an unknown parameter or a value of the wrong type comes back
/// as problem+json (`invalid_query`), like every other bad input.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => {
                use std::error::Error as _;
                // The innermost message names the parameter ("unknown field `x`").
                let mut text = rejection.body_text();
                let mut source = rejection.source();
                while let Some(inner) = source {
                    text = inner.to_string();
                    source = inner.source();
                }
                Err(Problem::bad_request(
                    "invalid_query",
                    text.chars().take(300).collect::<String>(),
                ))
            }
        }
    }
}

/// The authenticated caller.
pub struct Auth(pub habilis_core::Caller);

impl FromRequestParts<AppState> for Auth {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(Problem::unauthenticated());
        };
        let Ok(text) = value.to_str() else {
            return Err(Problem::unauthenticated());
        };
        let Some(token) = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
        else {
            return Err(Problem::unauthenticated());
        };
        let caller = state
            .services
            .authenticate(token)
            .await
            .map_err(Problem::from)?;
        Ok(Auth(caller))
    }
}

/// An optional JSON body (a `DELETE` may carry a reason or nothing): empty means `None`.
pub struct MaybeJson<T>(pub Option<T>);

impl<T: DeserializeOwned> FromRequest<AppState> for MaybeJson<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, _: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = read_body(request).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(MaybeJson(None));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(&mut deserializer) {
            Ok(value) => Ok(MaybeJson(Some(value))),
            Err(error) if error.inner().is_syntax() || error.inner().is_eof() => Err(
                Problem::bad_request("malformed_json", "the body is not valid JSON"),
            ),
            Err(error) => Err(Problem::bad_request(
                "invalid_body",
                error.to_string().chars().take(300).collect::<String>(),
            )),
        }
    }
}

/// The body as it came, over the size limit or unreadable: a problem+json either way. It is
/// read frame by frame: a body that comes in one frame, as nearly every request's does, is
/// kept as it came, without the list of buffers and the boxed limit `Bytes::from_request`
/// builds for any body (a sixth of a single evaluation's time in its handler).
async fn read_body(request: Request) -> Result<Bytes, Problem> {
    let too_large = || {
        Problem::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the body is too large",
        )
    };
    let mut body = request.into_body();
    if usize::try_from(body.size_hint().lower()).map_or(true, |declared| declared > BODY_LIMIT) {
        return Err(too_large());
    }
    // The first frame, and the frames after it joined, when there are more.
    let mut first = Bytes::new();
    let mut joined: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|_| Problem::bad_request("unreadable_body", "the body could not be read"))?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        if first.len() + joined.len() + data.len() > BODY_LIMIT {
            return Err(too_large());
        }
        if first.is_empty() && joined.is_empty() {
            first = data;
        } else {
            if joined.is_empty() {
                joined.extend_from_slice(&first);
            }
            joined.extend_from_slice(&data);
        }
    }
    Ok(if joined.is_empty() {
        first
    } else {
        Bytes::from(joined)
    })
}

/// The body of an AuthZEN request, still unparsed (the handler reads it into a borrowed
/// tree). AuthZEN's transport is JSON: a body declared as anything else is a 400, as its
/// error table has it (the administration API answers 415), while `application/json` with
/// parameters (`; charset=utf-8`), a `+json` type, or no declared type at all is read.
pub struct JsonBody(pub Bytes);

impl FromRequest<AppState> for JsonBody {
    type Rejection = Problem;

    async fn from_request(request: Request, _: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(declared) = request.headers().get(header::CONTENT_TYPE)
            && !declared.to_str().is_ok_and(is_json_media_type)
        {
            return Err(Problem::bad_request(
                "unsupported_media_type",
                "send the body as application/json",
            ));
        }
        Ok(JsonBody(read_body(request).await?))
    }
}

/// `application/json` or `application/<anything>+json`, in any case, with any parameters.
fn is_json_media_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let json_suffix = subtype
        .len()
        .checked_sub("+json".len())
        .and_then(|start| subtype.get(start..))
        .is_some_and(|suffix| suffix.eq_ignore_ascii_case("+json"));
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json") || json_suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_types_are_told_from_others() {
        for json in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=UTF-8",
            "application/authzen+json",
            "application/PROBLEM+JSON; q=1",
        ] {
            assert!(is_json_media_type(json), "{json}");
        }
        for other in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonx",
            "application/+jsonx",
            "application/éjson",
            "json",
            "",
        ] {
            assert!(!is_json_media_type(other), "{other}");
        }
    }

    /// A request whose body comes in `frames`, with no declared length.
    fn streamed(frames: Vec<&'static str>) -> Request {
        let body =
            futures_util::stream::iter(frames.into_iter().map(|frame| {
                Ok::<_, std::convert::Infallible>(Bytes::from_static(frame.as_bytes()))
            }));
        Request::new(axum::body::Body::from_stream(body))
    }

    fn code(read: Result<Bytes, Problem>) -> Option<String> {
        read.err().and_then(|problem| problem.code)
    }

    #[tokio::test]
    async fn a_body_is_read_whole_in_one_frame_or_in_several() {
        let one = read_body(Request::new(axum::body::Body::from(r#"{"a":1}"#))).await;
        assert_eq!(one.ok().as_deref(), Some(&br#"{"a":1}"#[..]));
        let several = read_body(streamed(vec![r#"{"a""#, "", r#":1,"#, r#""b":2}"#])).await;
        assert_eq!(several.ok().as_deref(), Some(&br#"{"a":1,"b":2}"#[..]));
        let empty = read_body(streamed(vec![])).await;
        assert_eq!(empty.ok().as_deref(), Some(&b""[..]));
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_declared_or_streamed() {
        let huge: &'static str = "x".repeat(BODY_LIMIT / 2 + 1).leak();
        assert_eq!(
            code(read_body(streamed(vec![huge, huge])).await).as_deref(),
            Some("body_too_large")
        );
        assert!(read_body(streamed(vec![huge])).await.is_ok());
        let declared = Request::new(axum::body::Body::from("x".repeat(BODY_LIMIT + 1)));
        assert_eq!(
            code(read_body(declared).await).as_deref(),
            Some("body_too_large")
        );
    }
}
