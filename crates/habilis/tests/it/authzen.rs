//! The AuthZEN decision endpoints as an application calls them.

use serde_json::json;

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;

use crate::harness::{HIGH, Harness, LOW, answer, post_to, result_ids};

#[tokio::test]
async fn evaluations_honour_defaults_and_semantics() {
    let h = Harness::demo().await;
    let namur = h.organization("Ville de Namur").await;
    h.dossier("E-1", &namur, "finances", "budget", None).await;
    h.dossier("E-2", &namur, "cultes", "budget_fabrique", None)
        .await;
    let luc = h.user("luc.martin@ville.namur.be").await;
    let client = h.client.clone();
    let batch = |semantic: Option<&str>| {
        let mut body = json!({
            "subject": { "type": "user", "id": luc },
            "action": { "name": "dossier.read" },
            "context": { "acr": LOW },
            "evaluations": [
                { "resource": { "type": "dossier", "id": "E-1" } },
                { "resource": { "type": "dossier", "id": "E-2" } },
                { "resource": { "type": "dossier", "id": "E-1" }, "action": { "name": "dossier.create" } },
            ]
        });
        if let Some(semantic) = semantic {
            body["options"] = json!({ "evaluations_semantic": semantic });
        }
        body
    };
    let all = h
        .post("/access/v1/evaluations", &client, batch(None))
        .await
        .expect(200);
    assert_eq!(
        all.body["evaluations"],
        json!([{ "decision": true }, { "decision": false }, { "decision": true }])
    );
    let deny_first = h
        .post(
            "/access/v1/evaluations",
            &client,
            batch(Some("deny_on_first_deny")),
        )
        .await
        .expect(200);
    assert_eq!(
        deny_first.body["evaluations"],
        json!([{ "decision": true }, { "decision": false }])
    );
    let permit_first = h
        .post(
            "/access/v1/evaluations",
            &client,
            batch(Some("permit_on_first_permit")),
        )
        .await
        .expect(200);
    assert_eq!(
        permit_first.body["evaluations"],
        json!([{ "decision": true }])
    );
    h.post("/access/v1/evaluations", &client, batch(Some("whatever")))
        .await
        .expect(400);
    // An item missing its subject after defaults is a denied item, not a failed batch.
    let missing = h
        .post("/access/v1/evaluations", &client, json!({ "action": { "name": "dossier.read" }, "evaluations": [{ "resource": { "type": "dossier", "id": "E-1" } }] }))
        .await
        .expect(200);
    assert_eq!(missing.body["evaluations"][0]["decision"], false);
    assert_eq!(
        missing.body["evaluations"][0]["context"]["error"]["status"],
        400
    );
    // No items: behaves like one evaluation.
    let single = h
        .post("/access/v1/evaluations", &client, json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier", "id": "E-1" }, "context": { "acr": HIGH } }))
        .await
        .expect(200);
    assert_eq!(single.body, json!({ "decision": true }));
}

#[tokio::test]
async fn evaluation_errors_and_unknowns() {
    let h = Harness::demo().await;
    let client = h.client.clone();
    let luc = h.user("luc.martin@ville.namur.be").await;
    // Missing required members: 400.
    h.post(
        "/access/v1/evaluation",
        &client,
        json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" } }),
    )
    .await
    .expect(400);
    h.post("/access/v1/evaluation", &client, json!({ "subject": { "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier", "id": "x" } })).await.expect(400);
    // Unknown resource, action and subject are denials with a reason.
    let unknown = h.decide(&luc, "dossier.read", "nowhere", Some(LOW)).await;
    assert_eq!(unknown["context"]["reason"]["code"], "unknown_resource");
    let namur = h.organization("Ville de Namur").await;
    h.dossier("E-3", &namur, "finances", "budget", None).await;
    assert_eq!(
        h.decide(&luc, "dossier.burn", "E-3", Some(LOW)).await["context"]["reason"]["code"],
        "unknown_action"
    );
    assert_eq!(
        h.decide("usr_nobody", "dossier.read", "E-3", Some(LOW))
            .await["context"]["reason"]["code"],
        "unknown_subject"
    );
    // A user may be named by national number or e-mail too.
    assert_eq!(
        h.decide(
            "luc.martin@ville.namur.be",
            "dossier.read",
            "E-3",
            Some(LOW)
        )
        .await["decision"],
        true
    );
    // Resource attributes passed with the question override the registered ones.
    let described = h
        .post("/access/v1/evaluation", &client, json!({
            "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" },
            "resource": { "type": "dossier", "id": "not-registered", "properties": { "organization": namur, "matter": "finances", "category": "comptes" } },
            "context": { "acr": LOW }
        }))
        .await
        .expect(200);
    assert_eq!(described.body["decision"], true);
    // The request id is echoed.
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/access/v1/evaluation")
        .header("authorization", format!("Bearer {client}"))
        .header("content-type", "application/json; charset=utf-8")
        .header("x-request-id", "abc-123")
        .body(axum::body::Body::from(json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier", "id": "E-3" } }).to_string()))
        .unwrap();
    let response = tower::ServiceExt::oneshot(h.router.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("x-request-id").unwrap(), "abc-123");
    // Bodies that are not JSON text, or not an object: 400 with a stable code.
    let bodies: [(&[u8], &str); 4] = [
        (
            b"{\"subject\": {\"type\": \"user\", \"id\": \"\xff\xfe\"}}",
            "malformed_json",
        ),
        (b"{\"subject\": ", "malformed_json"),
        (b"\xef\xbb\xbf{}", "malformed_json"),
        (b"[1, 2]", "invalid_body"),
    ];
    for (body, code) in bodies {
        let problem = h
            .call_raw(
                axum::http::Method::POST,
                "/access/v1/evaluation",
                Some(&client),
                Some(body.to_vec()),
            )
            .await
            .expect(400)
            .body;
        assert_eq!(problem["code"], code, "{}", String::from_utf8_lossy(body));
    }
}

#[tokio::test]
async fn a_decision_after_a_write_sees_the_write() {
    let h = Harness::demo().await;
    let gls = h.token("GLS (principal manager)");
    let namur = h.organization("Ville de Namur").await;
    h.dossier("E-4", &namur, "patrimoine", "operations_immobilieres", None)
        .await;
    let luc = h.user("luc.martin@ville.namur.be").await;
    assert_eq!(
        h.decide(&luc, "dossier.read", "E-4", Some(LOW)).await["decision"],
        false
    );
    let grant = h.post("/api/v1/grants", &gls, json!({ "user": luc, "organization": namur, "application": "guichet", "role": "reader", "scope": { "matters": ["patrimoine"] } })).await.expect(201);
    let revision = grant.body["revision"].as_u64().unwrap();
    let decision = h
        .post("/access/v1/evaluation", &h.client.clone(), json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier", "id": "E-4" }, "context": { "acr": LOW, "min_revision": revision } }))
        .await
        .expect(200);
    assert_eq!(decision.body["decision"], true);
    // A revision nobody committed yet is not waited for forever.
    let future = h
        .post("/access/v1/evaluation", &h.client.clone(), json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier", "id": "E-4" }, "context": { "min_revision": revision + 1000 } }))
        .await
        .expect(503);
    assert!(future.headers.get("retry-after").is_some());
    // Searches and batches keep the same promise: the write is seen, a future revision is
    // refused rather than answered from older state.
    let found = h
        .post("/access/v1/search/resource", &h.client.clone(), json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier" }, "context": { "acr": LOW, "min_revision": revision } }))
        .await
        .expect(200);
    let ids = result_ids(&found.body);
    assert!(ids.contains(&"E-4"), "{ids:?}");
    for (path, body) in [
        (
            "/access/v1/search/resource",
            json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier" }, "context": { "min_revision": revision + 1000 } }),
        ),
        (
            "/access/v1/search/subject",
            json!({ "subject": { "type": "user" }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier", "id": "E-4" }, "context": { "min_revision": revision + 1000 } }),
        ),
        (
            "/access/v1/evaluations",
            json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "evaluations": [{ "resource": { "type": "dossier", "id": "E-4" } }, { "resource": { "type": "dossier", "id": "E-4" }, "context": { "min_revision": revision + 1000 } }] }),
        ),
    ] {
        let refused = h.post(path, &h.client.clone(), body).await.expect(503);
        assert!(refused.headers.get("retry-after").is_some(), "{path}");
    }
}

/// The three searches agree with single evaluations, page through the whole answer, and
/// treat unknowns as empty and missing inputs as errors.
#[tokio::test]
async fn searches_agree_with_evaluations_and_paginate() {
    let h = Harness::demo().await;
    let client = h.client.clone();
    let luc = h.user("luc.martin@ville.namur.be").await;
    let search = |endpoint: &str, body: serde_json::Value| {
        let path = format!("/access/v1/search/{endpoint}");
        let client = client.clone();
        let h = &h;
        async move { h.post(&path, &client, body).await }
    };
    let everything = search(
        "resource",
        json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier" }, "context": { "acr": LOW } }),
    )
    .await
    .expect(200);
    let found: Vec<String> = everything.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r.as_object().unwrap().len(), 2, "only type and id: {r}");
            assert_eq!(r["type"], "dossier");
            r["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(found.len() > 3, "{}", everything.body);
    for id in &found {
        assert_eq!(
            h.decide(&luc, "dossier.read", id, Some(LOW)).await["decision"],
            true
        );
    }
    // Pages of 3 add up to the whole answer, in order, ending with an empty token.
    let mut paged = Vec::new();
    let mut token = String::new();
    loop {
        let page = search(
            "resource",
            json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier" }, "context": { "acr": LOW }, "page": { "limit": 3, "token": token } }),
        )
        .await
        .expect(200);
        assert_eq!(page.body["page"]["total"], found.len());
        paged.extend(
            page.body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned()),
        );
        token = page.text("/page/next_token");
        if token.is_empty() {
            break;
        }
    }
    assert_eq!(paged, found);
    // A follow-up page for another question is refused.
    let first = search(
        "resource",
        json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier" }, "context": { "acr": LOW }, "page": { "limit": 1 } }),
    )
    .await
    .expect(200);
    let token = first.text("/page/next_token");
    assert!(!token.is_empty());
    let changed = search(
        "resource",
        json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.edit" }, "resource": { "type": "dossier" }, "context": { "acr": LOW }, "page": { "limit": 1, "token": token } }),
    )
    .await
    .expect(400);
    assert_eq!(changed.code(), "invalid_page_token");
    // So is one at another level (the context changes the answer); asking the next page at
    // a newer revision is not a change of question.
    let other_level = search(
        "resource",
        json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier" }, "context": { "acr": HIGH }, "page": { "limit": 1, "token": token } }),
    )
    .await
    .expect(400);
    assert_eq!(other_level.code(), "invalid_page_token");
    let fresher = search(
        "resource",
        json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier" }, "context": { "acr": LOW, "min_revision": 1 }, "page": { "limit": 1, "token": token } }),
    )
    .await
    .expect(200);
    assert_eq!(result_ids(&fresher.body), [found[1].as_str()]);
    // Without a context at first, `{ "min_revision": N }` later asks the same.
    let bare = json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier" }, "page": { "limit": 1 } });
    let first_bare = search("resource", bare.clone()).await.expect(200);
    let mut next = bare;
    next["page"]["token"] = json!(first_bare.text("/page/next_token"));
    next["context"] = json!({ "min_revision": 1 });
    search("resource", next).await.expect(200);

    // Who may read the first dossier: Luc among them, each allowed.
    let dossier = &found[0];
    let subjects = search(
        "subject",
        json!({ "subject": { "type": "user", "id": "ignored" }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier", "id": dossier }, "context": { "acr": HIGH } }),
    )
    .await
    .expect(200);
    let readers: Vec<String> = subjects.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(readers.contains(&luc), "{}", subjects.body);
    for reader in &readers {
        assert_eq!(
            h.decide(reader, "dossier.read", dossier, Some(HIGH)).await["decision"],
            true
        );
    }
    // What Luc may do on it: read at least, and every action listed is allowed.
    let actions = search(
        "action",
        json!({ "subject": { "type": "user", "id": luc }, "resource": { "type": "dossier", "id": dossier }, "context": { "acr": LOW } }),
    )
    .await
    .expect(200);
    let names: Vec<String> = actions.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.contains(&"dossier.read".to_owned()));
    for name in &names {
        assert_eq!(
            h.decide(&luc, name, dossier, Some(LOW)).await["decision"],
            true
        );
    }
    // Unknown ids and types: empty results. Missing inputs: 400.
    let unknown = search(
        "resource",
        json!({ "subject": { "type": "user", "id": "usr_nobody" }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier" } }),
    )
    .await
    .expect(200);
    assert_eq!(unknown.body["results"], json!([]));
    let other_type = search(
        "subject",
        json!({ "subject": { "type": "group" }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier", "id": dossier } }),
    )
    .await
    .expect(200);
    assert_eq!(other_type.body["results"], json!([]));
    search(
        "resource",
        json!({ "subject": { "type": "user" }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier" } }),
    )
    .await
    .expect(400);
    search(
        "action",
        json!({ "subject": { "type": "user", "id": luc }, "resource": { "type": "dossier" } }),
    )
    .await
    .expect(400);
    // A personal token may not ask.
    h.post(
        "/access/v1/search/resource",
        &h.token("user"),
        json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier" } }),
    )
    .await
    .expect(403);
}

/// Token enrichment: the roles a user holds in the calling application, per organisation,
/// with scope and level; a new grant appears and a revoked one goes; only an application's
/// credential may ask.
#[tokio::test]
async fn entitlements_list_what_decisions_allow() {
    let h = Harness::demo().await;
    let client = h.client.clone();
    let gls = h.token("GLS (principal manager)");
    let namur = h.organization("Ville de Namur").await;
    let luc = h.user("luc.martin@ville.namur.be").await;
    let roles_in = |body: &serde_json::Value, organization: &str| -> Vec<serde_json::Value> {
        body["organizations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["id"] == organization)
            .flat_map(|o| o["roles"].as_array().unwrap().clone())
            .collect()
    };
    let before = h
        .get(
            "/api/v1/entitlements?user=luc.martin@ville.namur.be",
            &client,
        )
        .await
        .expect(200);
    assert_eq!(before.body["application"], "guichet");
    let held_before = roles_in(&before.body, &namur).len();

    let grant = h
        .post("/api/v1/grants", &gls, json!({ "user": luc, "organization": namur, "application": "guichet", "role": "validator", "scope": { "categories": [["patrimoine", "operations_immobilieres"]] } }))
        .await
        .expect(201);
    let grant_id = grant.text("/id");
    let revision = grant.body["revision"].as_u64().unwrap();
    let after = h
        .get(
            &format!("/api/v1/entitlements?user={luc}&min_revision={revision}"),
            &client,
        )
        .await
        .expect(200);
    let roles = roles_in(&after.body, &namur);
    assert_eq!(roles.len(), held_before + 1, "{}", after.body);
    let validator = roles
        .iter()
        .find(|r| r["grant"] == grant_id.as_str())
        .unwrap();
    assert_eq!(validator["role"], "validator");
    assert_eq!(validator["level"], "high");
    assert_eq!(
        validator["scope"],
        json!({ "categories": [["patrimoine", "operations_immobilieres"]] })
    );
    assert!(
        validator["acr_values"]
            .as_array()
            .unwrap()
            .contains(&json!(HIGH))
    );
    // What it lists, a decision allows at that level, and only there.
    h.dossier("V-1", &namur, "patrimoine", "operations_immobilieres", None)
        .await;
    assert_eq!(
        h.decide(&luc, "dossier.validate", "V-1", Some(HIGH)).await["decision"],
        true
    );
    assert_eq!(
        h.decide(&luc, "dossier.validate", "V-1", Some(LOW)).await["context"]["reason"]["code"],
        "step_up"
    );

    let revoked = h
        .delete(
            &format!("/api/v1/grants/{grant_id}"),
            &gls,
            json!({ "reason": "fin de mission" }),
        )
        .await
        .expect(200);
    let revision = revoked.body["revision"].as_u64().unwrap();
    let gone = h
        .get(
            &format!("/api/v1/entitlements?user={luc}&min_revision={revision}"),
            &client,
        )
        .await
        .expect(200);
    assert_eq!(roles_in(&gone.body, &namur).len(), held_before);

    // A person's token does not ask; an unknown user is a 404; the query is checked.
    h.get("/api/v1/entitlements?user=luc.martin@ville.namur.be", &gls)
        .await
        .expect(403);
    let unknown = h
        .get("/api/v1/entitlements?user=nobody@example.be", &client)
        .await
        .expect(404);
    assert_eq!(unknown.code(), "unknown_user");
    h.get("/api/v1/entitlements?user=x&colour=red", &client)
        .await
        .expect(400);
}

/// The README's "Trying the API" answers as it says, on the demo data.
#[tokio::test]
async fn the_readme_example_answers_as_documented() {
    let h = Harness::demo().await;
    let luc = "luc.martin@ville.namur.be";
    let found = h
        .post(
            "/access/v1/search/resource",
            &h.client,
            json!({
                "subject": { "type": "user", "id": luc },
                "action": { "name": "dossier.read" },
                "resource": { "type": "dossier" },
                "context": { "acr": LOW }
            }),
        )
        .await
        .expect(200);
    let ids = result_ids(&found.body);
    assert_eq!(ids.get(..2), Some(&["D-2026-0013", "D-2026-0043"][..]));
    assert!(!ids.contains(&"D-2026-0001"));
    assert_eq!(
        h.decide(luc, "dossier.read", "D-2026-0013", Some(LOW))
            .await,
        json!({ "decision": true })
    );
    assert_eq!(
        h.decide(luc, "dossier.read", "D-2026-0001", Some(LOW))
            .await,
        json!({ "decision": false, "context": { "reason": { "code": "outside_scope" } } })
    );
}

/// The transport as AuthZEN's error table and the conformance suite have it: a body declared
/// as something other than JSON is a 400, `application/json; charset=utf-8` is read, and an
/// oversized body is refused as problem+json like every other error.
#[tokio::test]
async fn bodies_not_declared_as_json_or_too_large_are_refused_as_problems() {
    let h = Harness::demo().await;
    let namur = h.organization("Ville de Namur").await;
    h.dossier("E-5", &namur, "finances", "budget", None).await;
    let luc = h.user("luc.martin@ville.namur.be").await;
    let question = json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier", "id": "E-5" }, "context": { "acr": LOW } }).to_string();
    let ask = |path: &str, content_type: Option<&str>, body: String| {
        let mut request = Request::builder()
            .method("POST")
            .uri(path)
            .header("authorization", format!("Bearer {}", h.client));
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        request.body(Body::from(body)).unwrap()
    };
    for path in [
        "/access/v1/evaluation",
        "/access/v1/evaluations",
        "/access/v1/search/resource",
    ] {
        for content_type in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/xml",
        ] {
            let refused = h
                .send(ask(path, Some(content_type), question.clone()))
                .await
                .expect(400);
            assert_eq!(
                refused.code(),
                "unsupported_media_type",
                "{path} {content_type}"
            );
            assert_eq!(
                refused.headers["content-type"], "application/problem+json",
                "{path}"
            );
        }
    }
    for content_type in [
        Some("application/json; charset=utf-8"),
        Some("Application/JSON"),
        None,
    ] {
        let allowed = h
            .send(ask("/access/v1/evaluation", content_type, question.clone()))
            .await
            .expect(200);
        assert_eq!(allowed.body["decision"], true, "{content_type:?}");
    }
    let oversized = format!(
        r#"{{"evaluations": [], "padding": "{}"}}"#,
        "x".repeat(habilis_server::BODY_LIMIT)
    );
    let refused = h
        .send(ask(
            "/access/v1/evaluations",
            Some("application/json"),
            oversized,
        ))
        .await
        .expect(413);
    assert_eq!(refused.code(), "body_too_large");
    assert_eq!(refused.headers["content-type"], "application/problem+json");
}

/// The PDP metadata names the address the client used (or the configured public one) and
/// every endpoint under it.
#[tokio::test]
async fn discovery_announces_the_address_clients_reach() {
    let h = Harness::demo().await;
    let metadata = |router: &axum::Router, host: &str| {
        let request = Request::builder()
            .uri("/.well-known/authzen-configuration")
            .header("host", host)
            .body(Body::empty())
            .unwrap();
        let router = router.clone();
        async move { answer(&router, request).await.expect(200) }
    };
    let local = metadata(&h.router, "pdp.example.test:8443").await;
    assert_eq!(
        local.body,
        json!({
            "policy_decision_point": "http://pdp.example.test:8443",
            "access_evaluation_endpoint": "http://pdp.example.test:8443/access/v1/evaluation",
            "access_evaluations_endpoint": "http://pdp.example.test:8443/access/v1/evaluations",
            "search_subject_endpoint": "http://pdp.example.test:8443/access/v1/search/subject",
            "search_resource_endpoint": "http://pdp.example.test:8443/access/v1/search/resource",
            "search_action_endpoint": "http://pdp.example.test:8443/access/v1/search/action",
        })
    );
    // Built from `Host`: kept per client only, never shared across `Host` values.
    assert_eq!(local.headers["cache-control"], "private, max-age=3600");
    assert_eq!(local.headers["vary"], "Host");
    // Behind a proxy the configured public address is announced, whatever `Host` says.
    let public = habilis_server::router_with(
        Arc::clone(&h.services),
        habilis_server::ServerSettings {
            public_url: Some("https://authz.example.be/".to_owned()),
        },
    );
    let announced = metadata(&public, "10.0.0.7:8080").await;
    assert_eq!(announced.headers["cache-control"], "public, max-age=3600");
    assert_eq!(
        announced.body["policy_decision_point"],
        "https://authz.example.be"
    );
    for endpoint in [
        "access_evaluation_endpoint",
        "access_evaluations_endpoint",
        "search_subject_endpoint",
        "search_resource_endpoint",
        "search_action_endpoint",
    ] {
        assert!(
            announced
                .text(&format!("/{endpoint}"))
                .starts_with("https://authz.example.be/access/v1/"),
            "{endpoint}: {}",
            announced.body
        );
    }
    // A public address with a path publishes its metadata after the well-known string, as
    // RFC 8615 places it; another path names no PDP.
    let under_path = habilis_server::router_with(
        Arc::clone(&h.services),
        habilis_server::ServerSettings {
            public_url: Some("https://gw.example.be/habilis".to_owned()),
        },
    );
    let request = |path: &str| {
        Request::builder()
            .uri(path)
            .header("host", "gw.example.be")
            .body(Body::empty())
            .unwrap()
    };
    let published = answer(
        &under_path,
        request("/.well-known/authzen-configuration/habilis"),
    )
    .await
    .expect(200);
    assert_eq!(
        published.body["policy_decision_point"],
        "https://gw.example.be/habilis"
    );
    assert_eq!(
        published.body["access_evaluation_endpoint"],
        "https://gw.example.be/habilis/access/v1/evaluation"
    );
    for elsewhere in [
        "/.well-known/authzen-configuration/other",
        "/.well-known/authzen-configuration/habilis/more",
    ] {
        let missing = answer(&under_path, request(elsewhere)).await.expect(404);
        assert_eq!(missing.code(), "not_found", "{elsewhere}");
    }
    let missing = answer(
        &h.router,
        request("/.well-known/authzen-configuration/habilis"),
    )
    .await
    .expect(404);
    assert_eq!(missing.code(), "not_found");
}

/// Wrong types at the top of a request fail the request; inside one item of a batch, only
/// that item. A malformed `min_revision` is never ignored.
#[tokio::test]
async fn wrong_types_fail_the_request_at_the_top_and_the_item_in_a_batch() {
    let h = Harness::demo().await;
    let client = h.client.clone();
    let namur = h.organization("Ville de Namur").await;
    h.dossier("E-6", &namur, "finances", "budget", None).await;
    let luc = h.user("luc.martin@ville.namur.be").await;
    let subject = json!({ "type": "user", "id": luc });
    let action = json!({ "name": "dossier.read" });
    let resource = json!({ "type": "dossier", "id": "E-6" });
    let item = json!({ "resource": resource });
    for (name, body) in [
        (
            "subject",
            json!({ "subject": "alice", "action": action, "evaluations": [item] }),
        ),
        (
            "action",
            json!({ "subject": subject, "action": ["read"], "evaluations": [item] }),
        ),
        (
            "resource",
            json!({ "subject": subject, "action": action, "resource": 7, "evaluations": [{}] }),
        ),
        (
            "context",
            json!({ "subject": subject, "action": action, "context": "low", "evaluations": [item] }),
        ),
        (
            "options",
            json!({ "subject": subject, "action": action, "options": "execute_all", "evaluations": [item] }),
        ),
        (
            "reasons",
            json!({ "subject": subject, "action": action, "options": { "reasons": "yes" }, "evaluations": [item] }),
        ),
        (
            "min_revision",
            json!({ "subject": subject, "action": action, "context": { "min_revision": "1" }, "evaluations": [item] }),
        ),
    ] {
        let refused = h
            .post("/access/v1/evaluations", &client, body)
            .await
            .expect(400);
        assert_eq!(refused.code(), "invalid_request", "{name}");
        assert!(
            refused.text("/detail").contains(name),
            "{name}: {}",
            refused.body
        );
    }
    // `null` is no value: the default is absent.
    let nulls = h
        .post("/access/v1/evaluations", &client, json!({ "subject": subject, "action": action, "resource": null, "context": null, "options": null, "evaluations": [{ "resource": resource, "context": { "acr": LOW } }] }))
        .await
        .expect(200);
    assert_eq!(nulls.body["evaluations"], json!([{ "decision": true }]));
    let null_items = h
        .post("/access/v1/evaluations", &client, json!({ "subject": subject, "action": action, "resource": resource, "context": { "acr": LOW }, "evaluations": [{ "context": null, "subject": null }, { "resource": null }] }))
        .await
        .expect(200);
    assert_eq!(
        null_items.body["evaluations"],
        json!([{ "decision": true }, { "decision": true }])
    );
    // Inside an item: that item's error, the others decided.
    let mixed = h
        .post(
            "/access/v1/evaluations",
            &client,
            json!({
                "subject": subject, "action": action, "resource": resource, "context": { "acr": LOW },
                "evaluations": [
                    { "resource": resource },
                    { "resource": resource, "context": "low" },
                    { "resource": resource, "context": { "acr": LOW, "min_revision": -3 } },
                    { "resource": resource, "subject": "alice" },
                    { "resource": resource },
                    // A member given in the item replaces the default whole, never merged
                    // with it: this resource has no id.
                    { "resource": { "type": "dossier" } },
                ]
            }),
        )
        .await
        .expect(200);
    let decisions: Vec<_> = mixed.body["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["decision"].clone(),
                e["context"]["error"]["status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        decisions,
        [
            (json!(true), json!(null)),
            (json!(false), json!(400)),
            (json!(false), json!(400)),
            (json!(false), json!(400)),
            (json!(true), json!(null)),
            (json!(false), json!(400)),
        ]
    );
    // An explicit empty list behaves like a single evaluation, as a missing one does.
    let empty = h
        .post("/access/v1/evaluations", &client, json!({ "subject": subject, "action": action, "resource": resource, "context": { "acr": LOW }, "evaluations": [] }))
        .await
        .expect(200);
    assert_eq!(empty.body, json!({ "decision": true }));
    // ... denials included: a step-up names its level, as `/access/v1/evaluation` does.
    let step_up = json!({ "subject": subject, "action": { "name": "dossier.validate" }, "resource": resource, "context": { "acr": LOW } });
    let single = h
        .post("/access/v1/evaluation", &client, step_up.clone())
        .await
        .expect(200);
    let mut batch = step_up;
    batch["evaluations"] = json!([]);
    let as_batch = h
        .post("/access/v1/evaluations", &client, batch)
        .await
        .expect(200);
    assert_eq!(as_batch.body, single.body);
    assert_eq!(single.body["decision"], false, "{}", single.body);
    assert!(
        single.body["context"]["reason"]["code"].is_string(),
        "{}",
        single.body
    );
    // A single evaluation and a search refuse the same mistakes.
    for (path, body) in [
        (
            "/access/v1/evaluation",
            json!({ "subject": subject, "action": action, "resource": resource, "context": ["low"] }),
        ),
        (
            "/access/v1/evaluation",
            json!({ "subject": subject, "action": action, "resource": resource, "context": { "min_revision": 1.5 } }),
        ),
        (
            "/access/v1/search/resource",
            json!({ "subject": subject, "action": action, "resource": { "type": "dossier" }, "context": { "min_revision": "latest" } }),
        ),
        (
            "/access/v1/search/action",
            json!({ "subject": subject, "resource": resource, "context": true }),
        ),
    ] {
        let refused = h.post(path, &client, body).await.expect(400);
        assert_eq!(
            refused.code(),
            "invalid_request",
            "{path}: {}",
            refused.body
        );
    }
}

/// A decision asked with `min_revision` is answered from that revision or newer, also on a
/// server that did not make the write itself: it reads the store rather than answer from
/// older state, and answers 503 with `Retry-After` when the revision does not exist yet.
#[tokio::test]
async fn min_revision_waits_for_a_write_another_server_made() {
    let h = Harness::demo().await;
    let gls = h.token("GLS (principal manager)");
    let namur = h.organization("Ville de Namur").await;
    h.dossier("E-7", &namur, "patrimoine", "operations_immobilieres", None)
        .await;
    let luc = h.user("luc.martin@ville.namur.be").await;
    // A second server on the same store, which follows nobody: it learns of other servers'
    // writes only when a question asks it to.
    let other = h.second_server().await;
    let ask = |context: serde_json::Value| {
        let body = json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier", "id": "E-7" }, "context": context });
        let (other, client) = (other.clone(), h.client.clone());
        async move { post_to(&other, "/access/v1/evaluation", &client, body).await }
    };
    assert_eq!(
        ask(json!({ "acr": LOW })).await.expect(200).body["decision"],
        false
    );
    let grant = h.post("/api/v1/grants", &gls, json!({ "user": luc, "organization": namur, "application": "guichet", "role": "reader", "scope": { "matters": ["patrimoine"] } })).await.expect(201);
    let revision = grant.body["revision"].as_u64().unwrap();
    // Without min_revision the other server still answers from what it had.
    assert_eq!(
        ask(json!({ "acr": LOW })).await.expect(200).body["decision"],
        false
    );
    assert_eq!(
        ask(json!({ "acr": LOW, "min_revision": revision }))
            .await
            .expect(200)
            .body["decision"],
        true
    );
    // Every kind of question refuses a revision nobody committed.
    let future = revision + 1000;
    let luc_search = json!({ "subject": { "type": "user", "id": luc }, "resource": { "type": "dossier", "id": "E-7" }, "context": { "min_revision": future } });
    let refused = h
        .post("/access/v1/search/action", &h.client.clone(), luc_search)
        .await
        .expect(503);
    assert!(refused.headers.get("retry-after").is_some());
    let refused = h
        .get(
            &format!("/api/v1/entitlements?user={luc}&min_revision={future}"),
            &h.client.clone(),
        )
        .await
        .expect(503);
    assert!(refused.headers.get("retry-after").is_some());
}

/// Two servers writing to the same store: a server whose engine is behind when it writes
/// (the other server wrote in between) reads the store rather than apply its own changes
/// out of order, so that after its write it answers from both.
#[tokio::test]
async fn a_server_that_writes_after_another_server_holds_both_writes() {
    let h = Harness::demo().await;
    let gls = h.token("GLS (principal manager)");
    let namur = h.organization("Ville de Namur").await;
    h.dossier("E-7", &namur, "patrimoine", "operations_immobilieres", None)
        .await;
    h.dossier("E-8", &namur, "finances", "budget", None).await;
    let luc = h.user("luc.martin@ville.namur.be").await;
    let other = h.second_server().await;
    let reads = |dossier: &str| json!({ "subject": { "type": "user", "id": luc }, "action": { "name": "dossier.read" }, "resource": { "type": "dossier", "id": dossier }, "context": { "acr": LOW } });
    // The first server grants patrimoine; the other, which has not heard of it, grants
    // finances.
    h.post("/api/v1/grants", &gls, json!({ "user": luc, "organization": namur, "application": "guichet", "role": "reader", "scope": { "matters": ["patrimoine"] } }))
        .await
        .expect(201);
    post_to(&other, "/api/v1/grants", &gls, json!({ "user": luc, "organization": namur, "application": "guichet", "role": "reader", "scope": { "matters": ["finances"] } }))
        .await
        .expect(201);
    // Without min_revision, each server answers from both writes.
    for dossier in ["E-7", "E-8"] {
        let answered = post_to(&other, "/access/v1/evaluation", &h.client, reads(dossier)).await;
        assert_eq!(
            answered.expect(200).body["decision"],
            true,
            "the other server, {dossier}"
        );
    }
    // The first server is now behind by the other's write; its next write brings it level.
    h.post("/api/v1/organizations", &h.token("operator"), json!({ "enterprise_number": "0566.988.259", "kind": "commune", "name": { "fr": "Commune de Test", "nl": "Gemeente Test" } }))
        .await
        .expect(201);
    for dossier in ["E-7", "E-8"] {
        let answered = h
            .post("/access/v1/evaluation", &h.client.clone(), reads(dossier))
            .await;
        assert_eq!(
            answered.expect(200).body["decision"],
            true,
            "the first server, {dossier}"
        );
    }
}
