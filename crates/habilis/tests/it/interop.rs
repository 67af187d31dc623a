//! The OpenID AuthZEN interoperability vectors (`conformance/authzen/`, copied byte for byte
//! from the working group's repository; see its README), run as they are against a real
//! Habilis server over TCP.
//!
//! Each scenario's world is set up the way a deployment would set it up: the operator
//! creates the organisation and the application through the administration API, links the
//! ids by which the application knows its users, and designates a principal manager, who
//! adds the members and grants their roles; the application registers its resources with its
//! own credential. Nothing in Habilis knows these scenarios.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test: a failure here is the test's failure"
)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use habilis::http_client::{Connection, Reply};
use habilis_core::{Services, TestClock};
use habilis_domain::Email;
use habilis_store::Db;
use hyper::Method;
use serde_json::{Value, json};

use crate::harness::START;

/// Upstream vectors Habilis answers differently, each with the reason. Empty: every vector
/// passes. A listed vector that starts passing fails the test, so the list stays true.
const KNOWN_DEVIATIONS: &[(&str, usize, &str)] = &[];

fn vectors(file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance/authzen")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A Habilis server on a free port of 127.0.0.1, over a fresh SQLite file, with its first
/// operator.
struct Pdp {
    address: SocketAddr,
    services: Arc<Services>,
    operator: String,
    _dir: tempfile::TempDir,
}

impl Pdp {
    async fn start() -> Pdp {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("habilis.db").display());
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let services = Services::open(db, Arc::new(TestClock::at(START)))
            .await
            .unwrap();
        let email = "operator@habilis.example";
        services
            .init_operator(Email::parse(email).unwrap(), None)
            .await
            .unwrap();
        // Designating a principal is a sensitive change: the operator's session is "high".
        let operator = services
            .create_token(email, "interop", Some("high"))
            .await
            .unwrap()
            .value
            .expose()
            .to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = habilis_server::router(Arc::clone(&services));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Pdp {
            address,
            services,
            operator,
            _dir: dir,
        }
    }

    async fn connect(&self) -> Connection {
        Connection::open(self.address).await.unwrap()
    }

    /// An administration call that must succeed; its JSON answer.
    async fn admin(&self, token: &str, method: Method, path: &str, body: Value) -> Value {
        let mut connection = self.connect().await;
        let reply = connection
            .send(
                method.clone(),
                &format!("/api/v1{path}"),
                Some(token),
                Some(serde_json::to_vec(&body).unwrap().into()),
            )
            .await
            .unwrap();
        assert!(
            reply.status.is_success(),
            "{method} {path} {body}: {} {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
        reply.json()
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> Value {
        self.admin(token, Method::POST, path, body).await
    }

    async fn token_for(&self, email: &str) -> String {
        let token = self.services.create_token(email, "interop", Some("high"));
        token.await.unwrap().value.expose().to_owned()
    }

    /// The application's credential, as `habilis client create` makes it.
    async fn client_for(&self, application: &str) -> String {
        let client = self.services.create_client(application, "interop");
        client.await.unwrap().value.expose().to_owned()
    }

    /// An organisation with a principal manager (`admin`), subscribed to `applications`;
    /// returns its id and the principal's token.
    async fn organization(
        &self,
        enterprise_number: &str,
        name: &str,
        admin: &str,
    ) -> (String, String) {
        let operator = self.operator.clone();
        let organization = self
            .post(&operator, "/organizations", json!({ "enterprise_number": enterprise_number, "kind": "enterprise", "name": { "fr": name, "nl": name, "de": name, "en": name } }))
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        self.post(&operator, "/users", json!({ "email": admin, "given_name": "Access", "family_name": "Manager", "language": "en", "member_of": organization }))
            .await;
        self.post(
            &operator,
            &format!("/organizations/{organization}/designations"),
            json!({ "user": admin, "kind": "principal" }),
        )
        .await;
        let principal = self.token_for(admin).await;
        (organization, principal)
    }

    /// Users of an organisation, each known to the applications by a subject id.
    async fn members(
        &self,
        organization: &str,
        principal: &str,
        users: &[(&str, &str)],
        applications: &[&str],
    ) {
        for (email, subject_id) in users {
            let given_name = email.split('@').next().unwrap();
            self.post(principal, "/users", json!({ "email": email, "given_name": given_name, "family_name": "Interop", "language": "en", "member_of": organization }))
                .await;
            for application in applications {
                self.post(
                    &self.operator,
                    &format!("/users/{email}/subject-ids"),
                    json!({ "application": application, "subject_id": subject_id }),
                )
                .await;
            }
        }
    }

    async fn grant(&self, principal: &str, organization: &str, grant: Value) {
        let mut grant = grant;
        grant["organization"] = json!(organization);
        self.post(principal, "/grants", grant).await;
    }
}

/// Sends a vector's request unchanged; the reply must be a 200 with a JSON body.
async fn ask(connection: &mut Connection, client: &str, endpoint: &str, request: &Value) -> Value {
    let reply: Reply = connection
        .post_json(&format!("/access/v1/{endpoint}"), client, request)
        .await
        .unwrap();
    assert_eq!(
        reply.status.as_u16(),
        200,
        "{endpoint} {request}: {}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

/// Runs every case of `cases`, comparing as the upstream runner does, and fails with the
/// list of failures (deviations excepted).
async fn run_cases(
    connection: &mut Connection,
    client: &str,
    file: &str,
    endpoint: &str,
    cases: &[Value],
    answer_of: fn(&Value) -> Value,
) {
    assert!(!cases.is_empty(), "{file} has no cases");
    let mut failures = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let answer = answer_of(&ask(connection, client, endpoint, &case["request"]).await);
        let expected = normalise(&case["expected"]);
        let passed = answer == expected;
        let deviation = KNOWN_DEVIATIONS
            .iter()
            .find(|(f, i, _)| *f == file && *i == index);
        match (passed, deviation) {
            (true, None) | (false, Some(_)) => {}
            (false, None) => failures.push(format!(
                "{file}[{index}]: {} → {answer}, expected {expected}",
                case["request"]
            )),
            (true, Some((_, _, reason))) => failures.push(format!(
                "{file}[{index}] passes now; take it off the known deviations ({reason})"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// As upstream compares search results: sorted by type and id (or name), nulls dropped.
fn normalise(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut object = object.clone();
            object.retain(|_, v| !v.is_null());
            if let Some(Value::Array(results)) = object.get_mut("results") {
                results.sort_by_key(|r| {
                    (
                        r["type"].as_str().unwrap_or_default().to_owned(),
                        r["id"].as_str().unwrap_or_default().to_owned(),
                        r["name"].as_str().unwrap_or_default().to_owned(),
                    )
                });
            }
            Value::Object(object)
        }
        other => other.clone(),
    }
}

fn decision_of(answer: &Value) -> Value {
    // Upstream reads a missing decision as false; we demand a boolean.
    assert!(
        answer["decision"].is_boolean(),
        "no boolean decision: {answer}"
    );
    answer["decision"].clone()
}

fn evaluations_of(answer: &Value) -> Value {
    answer["evaluations"].clone()
}

fn results_of(answer: &Value) -> Value {
    normalise(&json!({ "results": answer["results"] }))
}

// ---- Todo and API gateway -----------------------------------------------------------------

/// The Todo users: e-mail, and the PID their identity provider gives them (`sub`).
const TODO_USERS: [(&str, &str); 5] = [
    (
        "rick@the-citadel.com",
        "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs",
    ),
    (
        "morty@the-citadel.com",
        "CiRmZDE2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs",
    ),
    (
        "summer@the-smiths.com",
        "CiRmZDI2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs",
    ),
    (
        "beth@the-smiths.com",
        "CiRmZDM2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs",
    ),
    (
        "jerry@the-smiths.com",
        "CiRmZDQ2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs",
    ),
];

/// Who holds which role, in both Todo applications.
const TODO_ROLES: [(&str, &[&str]); 5] = [
    ("rick@the-citadel.com", &["admin", "evil_genius"]),
    ("morty@the-citadel.com", &["editor"]),
    ("summer@the-smiths.com", &["editor"]),
    ("beth@the-smiths.com", &["viewer"]),
    ("jerry@the-smiths.com", &["viewer"]),
];

fn role(key: &str, permissions: &[&str], owned_permissions: &[&str]) -> Value {
    json!({ "key": key, "name": { "fr": key, "nl": key, "de": key, "en": key }, "permissions": permissions, "owned_permissions": owned_permissions })
}

fn name(text: &str) -> Value {
    json!({ "fr": text, "nl": text, "de": text, "en": text })
}

/// The Todo world: the organisation that runs the Todo backend owns two applications, the
/// backend itself (fine-grained: completing and deleting a todo are owner-only for editors)
/// and the API gateway in front of it (route-level); returns both credentials.
async fn todo_world(pdp: &Pdp) -> (String, String) {
    let (citadel, principal) = pdp
        .organization("0412.345.614", "The Citadel", "admin@the-citadel.com")
        .await;
    let read = ["can_read_user", "can_read_todos"];
    let todo = json!({
        "key": "todo", "name": name("Todo"), "owner": citadel, "contexts": ["enterprise"],
        "permissions": ["can_read_user", "can_read_todos", "can_create_todo", "can_update_todo", "can_delete_todo"],
        "roles": [
            role("viewer", &read, &[]),
            role("editor", &[read[0], read[1], "can_create_todo"], &["can_update_todo", "can_delete_todo"]),
            role("admin", &[read[0], read[1], "can_create_todo", "can_delete_todo"], &["can_update_todo"]),
            role("evil_genius", &[read[0], read[1], "can_create_todo", "can_update_todo"], &["can_delete_todo"]),
        ],
        "resource_properties": { "owner": "ownerID" },
    });
    let gateway = json!({
        "key": "todo-gateway", "name": name("Todo API gateway"), "owner": citadel, "contexts": ["enterprise"],
        "permissions": ["GET", "POST", "PUT", "DELETE"],
        "roles": [
            role("viewer", &["GET"], &[]),
            role("editor", &["GET", "POST", "PUT", "DELETE"], &[]),
            role("admin", &["GET", "POST", "DELETE"], &[]),
            role("evil_genius", &["GET", "PUT"], &[]),
        ],
    });
    for application in [&todo, &gateway] {
        pdp.post(&pdp.operator, "/applications", application.clone())
            .await;
        pdp.post(
            &principal,
            &format!("/organizations/{citadel}/subscriptions"),
            json!({ "application": application["key"] }),
        )
        .await;
    }
    pdp.members(&citadel, &principal, &TODO_USERS, &["todo", "todo-gateway"])
        .await;
    for (email, roles) in TODO_ROLES {
        for role in roles {
            for application in ["todo", "todo-gateway"] {
                pdp.grant(&principal, &citadel, json!({ "user": email, "application": application, "role": role, "scope": "all" }))
                    .await;
            }
        }
    }
    let todo_client = pdp.client_for("todo").await;
    let gateway_client = pdp.client_for("todo-gateway").await;
    // The resources the backend asks about by id alone: the list, and each user's page.
    // Todos carry their owner in the request, so they need no registration.
    let mut resources = vec![json!({ "type": "todo", "id": "todo-1", "organization": citadel })];
    for (email, _) in TODO_USERS {
        resources.push(json!({ "type": "user", "id": email, "organization": citadel }));
    }
    pdp.post(&todo_client, "/resources", json!(resources)).await;
    let routes: Vec<Value> = ["/users/{userId}", "/todos", "/todos/{todoId}"]
        .iter()
        .map(|route| json!({ "type": "route", "id": route, "organization": citadel }))
        .collect();
    pdp.post(&gateway_client, "/resources", json!(routes)).await;
    (todo_client, gateway_client)
}

#[tokio::test]
async fn todo_vectors_pass_as_they_are() {
    let pdp = Pdp::start().await;
    let (todo, _) = todo_world(&pdp).await;
    let mut connection = pdp.connect().await;
    // Discovery first, as a conformance harness starts: the metadata names the base URL the
    // client used, and the endpoints the vectors are sent to below.
    let metadata = connection
        .send(
            Method::GET,
            "/.well-known/authzen-configuration",
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(metadata.status, 200);
    let base = format!("http://{}", pdp.address);
    let metadata = metadata.json();
    assert_eq!(metadata["policy_decision_point"], base.as_str());
    assert_eq!(
        metadata["access_evaluation_endpoint"],
        format!("{base}/access/v1/evaluation")
    );
    assert_eq!(
        metadata["access_evaluations_endpoint"],
        format!("{base}/access/v1/evaluations")
    );
    for file in [
        "todo/decisions-authorization-api-1_0-02.json",
        "todo/decisions-authorization-api-1_0-01.json",
    ] {
        let vectors = vectors(file);
        let cases = vectors["evaluation"].as_array().unwrap();
        assert_eq!(cases.len(), 40, "{file}");
        run_cases(
            &mut connection,
            &todo,
            file,
            "evaluation",
            cases,
            decision_of,
        )
        .await;
    }
    let file = "todo/decisions-authorization-api-1_0-02.json";
    let vectors = vectors(file);
    let batches = vectors["evaluations"].as_array().unwrap();
    assert_eq!(batches.len(), 3);
    run_cases(
        &mut connection,
        &todo,
        file,
        "evaluations",
        batches,
        evaluations_of,
    )
    .await;
}

#[tokio::test]
async fn api_gateway_vectors_pass_as_they_are() {
    let pdp = Pdp::start().await;
    let (_, gateway) = todo_world(&pdp).await;
    let mut connection = pdp.connect().await;
    let file = "api-gateway/decisions.json";
    let vectors = vectors(file);
    let cases = vectors["evaluation"].as_array().unwrap();
    assert_eq!(cases.len(), 25);
    run_cases(
        &mut connection,
        &gateway,
        file,
        "evaluation",
        cases,
        decision_of,
    )
    .await;
}

// ---- Search and IdP -----------------------------------------------------------------------

/// The Search demo's world: departments are the application's subject-matters; a record is
/// filed under its department and owned by a user. Everyone may view, edit and delete what
/// they own (owner-only permissions) and view their department's records; a manager views
/// every record and edits their department's.
async fn records_world(pdp: &Pdp) -> String {
    let (globe, principal) = pdp
        .organization("0765.432.146", "The Globe", "admin@globe.example")
        .await;
    let users: Vec<Value> = vectors("search/users.json").as_array().unwrap().clone();
    let records: Vec<Value> = vectors("search/records.json").as_array().unwrap().clone();
    let department = |text: &Value| text.as_str().unwrap().to_lowercase();
    let mut departments: Vec<String> = users
        .iter()
        .map(|u| department(&u["department"]))
        .chain(records.iter().map(|r| department(&r["department"])))
        .collect();
    departments.sort();
    departments.dedup();
    let taxonomy: Vec<Value> = departments
        .iter()
        .map(|d| json!({ "key": d, "name": name(d) }))
        .collect();
    let scoped = |mut role: Value| {
        role["scoped"] = json!(true);
        role
    };
    let application = json!({
        "key": "records", "name": name("Records"), "owner": globe, "contexts": ["enterprise"],
        "permissions": ["view", "edit", "delete"],
        "roles": [
            role("owner", &[], &["view", "edit", "delete"]),
            scoped(role("department_member", &["view"], &[])),
            role("manager", &["view"], &[]),
            scoped(role("department_manager", &["view", "edit"], &[])),
        ],
        "taxonomy": taxonomy,
    });
    pdp.post(&pdp.operator, "/applications", application).await;
    pdp.post(
        &principal,
        &format!("/organizations/{globe}/subscriptions"),
        json!({ "application": "records" }),
    )
    .await;
    let members: Vec<(String, String)> = users
        .iter()
        .map(|u| {
            let id = u["id"].as_str().unwrap();
            (format!("{id}@globe.example"), id.to_owned())
        })
        .collect();
    let member_refs: Vec<(&str, &str)> = members
        .iter()
        .map(|(e, i)| (e.as_str(), i.as_str()))
        .collect();
    pdp.members(&globe, &principal, &member_refs, &["records"])
        .await;
    for user in &users {
        let email = format!("{}@globe.example", user["id"].as_str().unwrap());
        let matters = json!({ "matters": [department(&user["department"])] });
        let mut grants = vec![
            json!({ "role": "owner", "scope": "all" }),
            json!({ "role": "department_member", "scope": matters }),
        ];
        if user["role"] == "manager" {
            grants.push(json!({ "role": "manager", "scope": "all" }));
            grants.push(json!({ "role": "department_manager", "scope": matters }));
        }
        for mut grant in grants {
            grant["user"] = json!(email);
            grant["application"] = json!("records");
            pdp.grant(&principal, &globe, grant).await;
        }
    }
    let client = pdp.client_for("records").await;
    let resources: Vec<Value> = records
        .iter()
        .map(|r| json!({ "type": "record", "id": r["id"].to_string(), "organization": globe, "matter": department(&r["department"]), "owner": r["owner"] }))
        .collect();
    pdp.post(&client, "/resources", json!(resources)).await;
    client
}

#[tokio::test]
async fn search_and_idp_vectors_pass_as_they_are() {
    let pdp = Pdp::start().await;
    let client = records_world(&pdp).await;
    let mut connection = pdp.connect().await;
    for (file, endpoint, count) in [
        ("search/subject/results.json", "search/subject", 60),
        ("search/resource/results.json", "search/resource", 18),
        ("search/action/results.json", "search/action", 120),
    ] {
        let vectors = vectors(file);
        let cases = vectors["evaluation"].as_array().unwrap();
        assert_eq!(cases.len(), count, "{file}");
        run_cases(&mut connection, &client, file, endpoint, cases, results_of).await;
    }
    let file = "idp/results.json";
    let vectors = vectors(file);
    let cases = vectors["search"].as_array().unwrap();
    assert_eq!(cases.len(), 6);
    run_cases(
        &mut connection,
        &client,
        file,
        "search/resource",
        cases,
        results_of,
    )
    .await;
}
