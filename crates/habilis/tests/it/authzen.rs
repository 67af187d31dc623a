//! The AuthZEN decision endpoints as an application calls them.

use serde_json::json;

use crate::harness::{HIGH, Harness, LOW, result_ids};

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
