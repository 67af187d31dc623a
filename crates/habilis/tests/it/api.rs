//! The administration API as a client sees it: revisions, errors, bad input.

use axum::http::Method;
use serde_json::json;

use crate::harness::Harness;

#[tokio::test]
async fn writes_answer_with_their_revision_and_bad_input_is_a_clear_problem() {
    let h = Harness::demo().await;
    let operator = h.token("operator");
    let created = h
        .post("/api/v1/organizations", &operator, json!({ "enterprise_number": "0566.988.259", "kind": "commune", "name": { "fr": "Commune de Test", "nl": "Gemeente Test" } }))
        .await
        .expect(201);
    let revision = created.body["revision"].as_u64().unwrap();
    assert_eq!(
        created
            .headers
            .get("habilis-revision")
            .unwrap()
            .to_str()
            .unwrap(),
        revision.to_string()
    );
    assert_eq!(created.text("/enterprise_number"), "0566.988.259");
    assert_eq!(created.text("/context"), "civil_servant");
    // The same enterprise number again is a conflict, and nothing is written.
    let again = h
        .post(
            "/api/v1/organizations",
            &operator,
            json!({ "enterprise_number": "0566988259", "kind": "commune", "name": "Doublon" }),
        )
        .await
        .expect(409);
    assert_eq!(again.code(), "conflict");
    // A wrong check digit.
    let bad = h
        .post(
            "/api/v1/organizations",
            &operator,
            json!({ "enterprise_number": "0566.988.258", "kind": "commune", "name": "X" }),
        )
        .await
        .expect(422);
    assert_eq!(bad.code(), "invalid_enterprise_number");
    assert_eq!(bad.body["errors"][0]["field"], "enterprise_number");
    // Unknown fields, wrong types, malformed JSON.
    let unknown = h.post("/api/v1/organizations", &operator, json!({ "enterprise_number": "0566.988.259", "kind": "commune", "name": "X", "colour": "red" })).await.expect(400);
    assert_eq!(unknown.code(), "invalid_body");
    assert!(
        unknown.text("/detail").contains("colour"),
        "{}",
        unknown.body
    );
    let wrong = h
        .post(
            "/api/v1/organizations",
            &operator,
            json!({ "enterprise_number": 566988259, "kind": "commune", "name": "X" }),
        )
        .await
        .expect(400);
    assert_eq!(wrong.code(), "invalid_body");
    let kind = h
        .post(
            "/api/v1/organizations",
            &operator,
            json!({ "enterprise_number": "0566.988.259", "kind": "castle", "name": "X" }),
        )
        .await
        .expect(422);
    assert_eq!(kind.code(), "invalid_kind");
    let national = h
        .post(
            "/api/v1/users",
            &operator,
            json!({ "national_number": "90.02.01-997.05", "given_name": "A", "family_name": "B" }),
        )
        .await
        .expect(422);
    assert_eq!(national.code(), "invalid_national_number");
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/users")
        .header("authorization", format!("Bearer {operator}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{\"given_name\": "))
        .unwrap();
    let response = tower::ServiceExt::oneshot(h.router.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    // Oversize bodies are refused before they are read.
    let huge = "x".repeat(habilis_server::BODY_LIMIT + 10);
    let too_big = h
        .post(
            "/api/v1/users",
            &operator,
            json!({ "given_name": huge, "family_name": "B", "email": "b@example.be" }),
        )
        .await
        .expect(413);
    assert_eq!(too_big.code(), "body_too_large");
    // An unknown endpoint, a method an endpoint does not take, unknown or ill-typed query
    // parameters, and a value outside a field's set: all problem+json with a stable code.
    assert_eq!(
        h.get("/api/v1/nothing", &operator).await.expect(404).code(),
        "not_found"
    );
    let patched = h
        .call(Method::PATCH, "/api/v1/grants", Some(&operator), None)
        .await
        .expect(405);
    assert_eq!(patched.code(), "method_not_allowed");
    let unknown_parameter = h
        .get("/api/v1/grants?colour=red", &operator)
        .await
        .expect(400);
    assert_eq!(unknown_parameter.code(), "invalid_query");
    assert!(unknown_parameter.text("/detail").contains("colour"));
    let ill_typed = h
        .get("/api/v1/audit?limit=many", &operator)
        .await
        .expect(400);
    assert_eq!(ill_typed.code(), "invalid_query");
    assert_eq!(
        ill_typed
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
}

#[tokio::test]
async fn a_manager_adds_a_user_and_grants_a_scoped_role() {
    let h = Harness::demo().await;
    let gls = h.token("GLS (principal manager)");
    let namur = h.organization("Ville de Namur").await;
    let created = h
        .post("/api/v1/users", &gls, json!({ "national_number": "03.01.25-224.95", "email": "chloe.martin@ville.namur.be", "given_name": "Chloé", "family_name": "Martin", "language": "fr", "member_of": namur }))
        .await
        .expect(201);
    let chloe = created.text("/id");
    assert_eq!(created.text("/national_number"), "03.01.25-224.95");
    let members = h
        .get(&format!("/api/v1/organizations/{namur}/members"), &gls)
        .await
        .expect(200);
    assert!(
        members.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["user"]["id"] == chloe.as_str())
    );
    // Found by national number as well as by id.
    let by_number = h.get("/api/v1/users/03012522495", &gls).await.expect(200);
    assert_eq!(by_number.text("/id"), chloe);
    let grant = h
        .post("/api/v1/grants", &gls, json!({ "user": "03012522495", "organization": namur, "application": "guichet", "role": "editor", "scope": { "categories": [["fiscalite", "redevances"]] }, "valid_until": "2027-06-30", "reason": "renfort" }))
        .await
        .expect(201);
    assert_eq!(grant.text("/status"), "active");
    assert_eq!(grant.text("/valid_until"), "2027-06-30T00:00:00Z");
    // An unknown category is refused with the rule's code.
    h.post("/api/v1/grants", &gls, json!({ "user": chloe, "organization": namur, "application": "guichet", "role": "reader", "scope": { "categories": [["fiscalite", "accises"]] } }))
        .await
        .refused("invalid_scope");
    // The user sees their own access.
    let token = h.token_for("chloe.martin@ville.namur.be").await;
    let mine = h
        .get(&format!("/api/v1/grants?user={chloe}"), &token)
        .await
        .expect(200);
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    // Someone else's are not theirs to see.
    let luc = h.user("luc.martin@ville.namur.be").await;
    let others = h
        .get(&format!("/api/v1/grants?user={luc}"), &token)
        .await
        .expect(200);
    assert!(others.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn past_moments_are_answered_from_the_history() {
    let h = Harness::demo().await;
    let gls = h.token("GLS (principal manager)");
    let namur = h.organization("Ville de Namur").await;
    let luc = h.user("luc.martin@ville.namur.be").await;
    let before = crate::harness::START;
    h.clock.advance_days(10);
    let grants = h
        .get(&format!("/api/v1/grants?user={luc}&status=active"), &gls)
        .await
        .expect(200);
    for grant in grants.body["items"].as_array().unwrap() {
        h.delete(
            &format!("/api/v1/grants/{}", grant["id"].as_str().unwrap()),
            &gls,
            json!({ "reason": "mutation" }),
        )
        .await
        .expect(200);
    }
    let now = h
        .get(&format!("/api/v1/grants?user={luc}&status=active"), &gls)
        .await
        .expect(200);
    assert!(now.body["items"].as_array().unwrap().is_empty());
    let at = habilis_server::dto::format_time(before.plus_days(1));
    let then = h
        .get(
            &format!("/api/v1/grants?user={luc}&status=active&at={at}"),
            &gls,
        )
        .await
        .expect(200);
    assert_eq!(then.body["items"].as_array().unwrap().len(), 2);
    // Who could read a finances dossier then, and now.
    h.dossier("P-1", &namur, "finances", "budget", None).await;
    let who_now = h.get("/api/v1/access?application=guichet&resource_type=dossier&resource_id=P-1&action=dossier.read", &gls).await.expect(200);
    assert!(
        !who_now.body["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == luc.as_str())
    );
}

#[tokio::test]
async fn operations_endpoints_answer() {
    let h = Harness::demo().await;
    h.call(Method::GET, "/healthz", None, None)
        .await
        .expect(200);
    let ready = h.call(Method::GET, "/readyz", None, None).await.expect(200);
    assert_eq!(ready.text("/status"), "ready");
    let metrics = h
        .call(Method::GET, "/metrics", None, None)
        .await
        .expect(200);
    assert!(
        metrics
            .body
            .as_str()
            .unwrap()
            .contains("habilis_engine_revision")
    );
    let openapi = h
        .call(Method::GET, "/api/openapi.json", None, None)
        .await
        .expect(200);
    assert_eq!(openapi.body["info"]["title"], "Habilis");
}

/// The OpenAPI document kept in the repository lists exactly the routes the server serves.
#[test]
fn the_openapi_document_matches_the_router() {
    let document: serde_json::Value = serde_json::from_str(habilis_server::ops::OPENAPI).unwrap();
    let mut documented: Vec<String> = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                documented.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    documented.sort();
    let mut served: Vec<String> = Vec::new();
    let sources = [
        (
            "/api/v1",
            include_str!("../../../habilis-server/src/api.rs"),
        ),
        ("", include_str!("../../../habilis-server/src/authzen.rs")),
        ("", include_str!("../../../habilis-server/src/ops.rs")),
    ];
    for (prefix, source) in sources {
        for call in route_calls(source) {
            let path = call.split('"').nth(1).unwrap();
            let handlers = call.split_once(',').unwrap().1;
            for method in ["get", "post", "put", "delete", "patch"] {
                let named = handlers
                    .match_indices(&format!("{method}("))
                    .any(|(at, _)| {
                        // `get(` but not `target(` or `budget(`.
                        !handlers
                            .get(..at)
                            .unwrap_or_default()
                            .chars()
                            .last()
                            .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    });
                if named {
                    // A catch-all segment (`{*path}`) is a plain parameter in OpenAPI.
                    let path = path.replace("{*", "{");
                    served.push(format!("{} {prefix}{path}", method.to_uppercase()));
                }
            }
        }
    }
    served.sort();
    served.dedup();
    assert_eq!(documented, served);
}

/// The text of every `.route(...)` call in a source file, however rustfmt wrapped it.
fn route_calls(source: &str) -> Vec<&str> {
    let mut calls = Vec::new();
    for (start, _) in source.match_indices(".route(") {
        let rest = source.get(start + ".route(".len()..).unwrap_or_default();
        let mut depth = 1;
        for (offset, character) in rest.char_indices() {
            match character {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                calls.push(rest.get(..offset).unwrap_or_default());
                break;
            }
        }
    }
    calls
}

/// A server applies its own writes to its engine from the changes in hand, without reading
/// them back; a server that loads the same store from scratch must hold the same world.
#[tokio::test]
async fn the_engine_a_server_keeps_up_to_date_is_the_one_its_store_loads() {
    let h = Harness::demo().await;
    let operator = h.token("operator");
    // One more write after the demo's own, through the API.
    h.post("/api/v1/organizations", &operator, json!({ "enterprise_number": "0566.988.259", "kind": "commune", "name": { "fr": "Commune de Test", "nl": "Gemeente Test" } }))
        .await
        .expect(201);
    let kept = h.services.snapshot();
    let db = habilis_store::Db::connect(&h.database_url).await.unwrap();
    let loaded = habilis_core::Services::open(db.clone(), std::sync::Arc::new(h.clock.clone()))
        .await
        .unwrap()
        .snapshot();
    assert_eq!(kept.revision(), loaded.revision());
    assert_eq!(kept.stats(), loaded.stats());
    let (world, _) = db.load_world().await.unwrap();
    assert!(world.users.len() > 5 && !world.applications.is_empty());
    let mut compared = 0;
    for application in world.applications.keys() {
        for user in world.users.keys() {
            let at = h.services.now();
            let kept = kept.entitlements(application.as_str(), user.as_str(), at);
            let loaded = loaded.entitlements(application.as_str(), user.as_str(), at);
            assert_eq!(kept, loaded, "{user} in {application}");
            compared += kept.len();
        }
    }
    assert!(compared > 0, "the demo's users hold roles");
}
