//! Starts Habilis over a fresh SQLite file (or PostgreSQL), loads the demo data set through
//! the real commands, and hands tests a client that speaks HTTP to the real router.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "the harness runs only in tests: a failure here is the test's failure"
)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use habilis_core::{Services, TestClock};
use habilis_domain::Timestamp;
use habilis_store::Db;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// 2026-11-02, a Monday, 09:00 UTC.
pub const START: Timestamp = Timestamp(1_793_610_000);

pub struct Harness {
    pub services: Arc<Services>,
    pub router: axum::Router,
    pub clock: TestClock,
    pub tokens: HashMap<String, String>,
    pub client: String,
    _dir: tempfile::TempDir,
    pub database_url: String,
}

pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub headers: axum::http::HeaderMap,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body.get("code").and_then(Value::as_str).unwrap_or("")
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Answer {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected answer: {}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn refused(self, code: &str) -> Answer {
        assert_eq!(
            self.status,
            StatusCode::FORBIDDEN,
            "expected a refusal `{code}`, got {}",
            self.body
        );
        assert_eq!(self.code(), code, "{}", self.body);
        assert_eq!(
            self.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
        self
    }

    pub fn text(&self, pointer: &str) -> String {
        self.body
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }
}

impl Harness {
    /// A fresh platform with the demo data set loaded.
    pub async fn demo() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let database_url = format!("sqlite://{}", dir.path().join("habilis.db").display());
        let db = Db::connect(&database_url).await.unwrap();
        db.migrate().await.unwrap();
        let clock = TestClock::at(START);
        let services = Services::open(db, Arc::new(clock.clone())).await.unwrap();
        let (personas, client) = services.load_demo().await.unwrap();
        let tokens = personas
            .into_iter()
            .map(|p| (p.role.clone(), p.token.expose().to_owned()))
            .collect();
        let router = habilis_server::router(Arc::clone(&services));
        Harness {
            services,
            router,
            clock,
            tokens,
            client: client.expose().to_owned(),
            _dir: dir,
            database_url,
        }
    }

    pub fn token(&self, role: &str) -> String {
        self.tokens
            .get(role)
            .cloned()
            .unwrap_or_else(|| panic!("no demo persona `{role}`"))
    }

    /// A personal token for any user, by e-mail.
    pub async fn token_for(&self, email: &str) -> String {
        self.services
            .create_token(email, "test", None)
            .await
            .unwrap()
            .value
            .expose()
            .to_owned()
    }

    pub async fn token_at_level(&self, email: &str, level: &str) -> String {
        self.services
            .create_token(email, "test", Some(level))
            .await
            .unwrap()
            .value
            .expose()
            .to_owned()
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        self.call_raw(
            method,
            path,
            token,
            body.map(|body| body.to_string().into_bytes()),
        )
        .await
    }

    /// `call` with a body sent as it is, JSON or not.
    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Answer {
        self.send(request(method, path, token, body)).await
    }

    /// A second server on this harness's store, which follows nobody: it learns of the
    /// first one's writes only when it reads the store (for a write of its own, or for a
    /// question asked with `min_revision`).
    pub async fn second_server(&self) -> axum::Router {
        let db = Db::connect(&self.database_url).await.unwrap();
        let services = Services::open(db, Arc::new(self.clock.clone()))
            .await
            .unwrap();
        habilis_server::router(services)
    }

    /// Any request, as it is built, to this harness's server.
    pub async fn send(&self, request: Request<Body>) -> Answer {
        answer(&self.router, request).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::DELETE, path, Some(token), Some(body))
            .await
    }

    /// The Habilis id of a demo organisation, found by its exact name (in any language)
    /// through the operator's view.
    pub async fn organization(&self, name: &str) -> String {
        let operator = self.token("operator");
        let answer = self
            .get(
                &format!("/api/v1/organizations?q={}", urlencode(name)),
                &operator,
            )
            .await
            .expect(200);
        answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| {
                item["name"]
                    .as_object()
                    .is_some_and(|names| names.values().any(|n| n == name))
            })
            .and_then(|item| item["id"].as_str())
            .unwrap_or_else(|| panic!("no organisation `{name}`"))
            .to_owned()
    }

    pub async fn user(&self, email: &str) -> String {
        let operator = self.token("operator");
        self.get(&format!("/api/v1/users/{email}"), &operator)
            .await
            .expect(200)
            .text("/id")
    }

    /// Registers a dossier of the Guichet through its application credential.
    pub async fn dossier(
        &self,
        id: &str,
        organization: &str,
        matter: &str,
        category: &str,
        owner: Option<&str>,
    ) {
        let mut resource = json!({ "type": "dossier", "id": id, "organization": organization, "matter": matter, "category": category });
        if let Some(owner) = owner {
            resource["owner"] = json!(owner);
        }
        self.post("/api/v1/resources", &self.client.clone(), json!([resource]))
            .await
            .expect(200);
    }

    /// Asks the AuthZEN evaluation endpoint as the Guichet.
    pub async fn decide(
        &self,
        subject: &str,
        action: &str,
        dossier: &str,
        acr: Option<&str>,
    ) -> Value {
        let mut request = json!({
            "subject": { "type": "user", "id": subject },
            "action": { "name": action },
            "resource": { "type": "dossier", "id": dossier },
        });
        if let Some(acr) = acr {
            request["context"] = json!({ "acr": acr });
        }
        self.post("/access/v1/evaluation", &self.client.clone(), request)
            .await
            .expect(200)
            .body
    }

    /// Every refusal is audited: the last audit event with this code, seen by the operator.
    pub async fn audited_refusal(&self, code: &str) -> Value {
        let operator = self.token("operator");
        let answer = self
            .get("/api/v1/audit?limit=1000", &operator)
            .await
            .expect(200);
        answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|e| e["outcome"] == "refused" && e["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("no audited refusal `{code}`"))
    }
}

pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub const HIGH: &str = "urn:be:fedict:iam:fas:Level500";
pub const LOW: &str = "urn:be:fedict:iam:fas:Level400";

/// The ids of a search answer's results, in order.
pub fn result_ids(answer: &Value) -> Vec<&str> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["id"].as_str().unwrap())
        .collect()
}

/// What `router` answers to `request`: its status, headers and body (JSON when it is).
/// A request with an optional bearer token and an optional JSON body.
pub fn request(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Vec<u8>>,
) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap(),
        None => request.body(Body::empty()).unwrap(),
    }
}

/// `POST path` with a JSON body to any server, such as `Harness::second_server`.
pub async fn post_to(router: &axum::Router, path: &str, token: &str, body: Value) -> Answer {
    let body = body.to_string().into_bytes();
    answer(router, request(Method::POST, path, Some(token), Some(body))).await
}

pub async fn answer(router: &axum::Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Answer {
        status,
        body,
        headers,
    }
}
