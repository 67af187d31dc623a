//! Access reviews through HTTP: a GLS starts a campaign, managers confirm or revoke each
//! grant, and at the deadline whatever nobody confirmed ends (or is flagged) by itself.

use serde_json::{Value, json};

use crate::harness::Harness;

const NAMUR_USER: &str = "luc.martin@ville.namur.be";

fn items(review: &Value) -> Vec<Value> {
    review["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_review_confirms_revokes_and_ends_what_nobody_confirmed() {
    let h = Harness::demo().await;
    let gls = h.token("GLS (principal manager)");
    let namur = h.organization("Ville de Namur").await;
    let luc = h.user(NAMUR_USER).await;

    let started = h
        .post(
            "/api/v1/reviews",
            &gls,
            json!({ "organization": namur, "application": "guichet", "deadline": "2026-12-01" }),
        )
        .await
        .expect(201);
    assert!(started.headers.contains_key("habilis-revision"));
    let review = started.text("/id");
    let all = items(&started.body);
    assert!(all.len() >= 3, "{}", started.body);
    assert_eq!(started.body["pending_items"], all.len());
    assert_eq!(started.text("/unconfirmed"), "revoke");

    // Luc's grants: one is confirmed, one revoked; the rest is left unanswered.
    let luc_grants = h
        .get(&format!("/api/v1/grants?user={luc}&status=active"), &gls)
        .await
        .expect(200);
    let luc_grants: Vec<String> = luc_grants.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(luc_grants.len(), 2);
    let (kept, revoked) = (&luc_grants[0], &luc_grants[1]);
    h.post(
        &format!("/api/v1/reviews/{review}/items/{kept}"),
        &gls,
        json!({ "decision": "keep" }),
    )
    .await
    .expect(200);
    // Revoking needs a reason, like any revocation; the refusal is audited.
    h.post(
        &format!("/api/v1/reviews/{review}/items/{revoked}"),
        &gls,
        json!({ "decision": "revoke" }),
    )
    .await
    .refused("reason_required");
    h.audited_refusal("reason_required").await;
    let answered = h
        .post(
            &format!("/api/v1/reviews/{review}/items/{revoked}"),
            &gls,
            json!({ "decision": "revoke", "reason": "a changé de service" }),
        )
        .await
        .expect(200);
    assert_eq!(answered.body["pending_items"], all.len() - 2);
    // An item is answered once.
    h.post(
        &format!("/api/v1/reviews/{review}/items/{kept}"),
        &gls,
        json!({ "decision": "revoke", "reason": "second thoughts" }),
    )
    .await
    .refused("not_pending");
    // Bad decisions are clear input errors.
    let bad = h
        .post(
            &format!("/api/v1/reviews/{review}/items/{kept}"),
            &gls,
            json!({ "decision": "maybe" }),
        )
        .await
        .expect(422);
    assert_eq!(bad.code(), "invalid_value");

    let revoked_now = h
        .get(&format!("/api/v1/grants?user={luc}&status=revoked"), &gls)
        .await
        .expect(200);
    assert_eq!(revoked_now.body["items"].as_array().unwrap().len(), 1);

    // The deadline passes: everything unanswered is revoked, the confirmed grant stays.
    h.clock.advance_days(30);
    assert_eq!(h.services.close_due_reviews().await.unwrap(), 1);
    let closed = h
        .get(&format!("/api/v1/reviews/{review}"), &gls)
        .await
        .expect(200);
    assert_eq!(closed.text("/status"), "closed");
    let unanswered: Vec<&Value> = closed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["decision"].is_null())
        .collect();
    assert!(
        unanswered.iter().all(|i| i["outcome_at_close"] == "revoke"),
        "{}",
        closed.body
    );
    let still_active = h
        .get(
            &format!("/api/v1/grants?organization={namur}&application=guichet&status=active"),
            &gls,
        )
        .await
        .expect(200);
    let still_active: Vec<&str> = still_active.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(still_active, vec![kept.as_str()]);
    // Closing twice changes nothing; answering a closed review is refused.
    assert_eq!(h.services.close_due_reviews().await.unwrap(), 0);
    h.post(
        &format!("/api/v1/reviews/{review}/items/{kept}"),
        &gls,
        json!({ "decision": "keep" }),
    )
    .await
    .refused("not_pending");
    // The reviews of the organisation are listed for its managers.
    let listed = h
        .get(&format!("/api/v1/reviews?organization={namur}"), &gls)
        .await
        .expect(200);
    assert_eq!(listed.body["items"][0]["id"], review.as_str());
}

#[tokio::test]
async fn a_flagging_review_keeps_access_but_marks_it_and_outsiders_are_refused() {
    let h = Harness::demo().await;
    let gls = h.token("GLS (principal manager)");
    let namur = h.organization("Ville de Namur").await;
    let liege = h.organization("Ville de Liège").await;
    let user = h.token("user");

    // Neither a plain member nor another organisation's manager may start or read one.
    h.post(
        "/api/v1/reviews",
        &user,
        json!({ "organization": namur, "deadline": "2026-12-01" }),
    )
    .await
    .refused("not_a_manager");
    h.post(
        "/api/v1/reviews",
        &gls,
        json!({ "organization": liege, "deadline": "2026-12-01" }),
    )
    .await
    .refused("not_a_manager");
    // A deadline in the past is refused.
    h.post(
        "/api/v1/reviews",
        &gls,
        json!({ "organization": namur, "deadline": "2026-01-01" }),
    )
    .await
    .refused("invalid_validity");

    let started = h
        .post(
            "/api/v1/reviews",
            &gls,
            json!({ "organization": namur, "deadline": "2026-11-20T12:00:00Z", "unconfirmed": "flag" }),
        )
        .await
        .expect(201);
    let review = started.text("/id");
    let liege_gls = h.token_for("isabelle.collard@liege.be").await;
    h.get(&format!("/api/v1/reviews/{review}"), &liege_gls)
        .await
        .refused("not_a_manager");
    let first = items(&started.body)[0]["grant"]
        .as_str()
        .unwrap()
        .to_owned();
    h.post(
        &format!("/api/v1/reviews/{review}/items/{first}"),
        &liege_gls,
        json!({ "decision": "revoke", "reason": "hostile" }),
    )
    .await
    .refused("not_a_manager");

    h.clock.advance_days(30);
    assert_eq!(h.services.close_due_reviews().await.unwrap(), 1);
    let grants = h
        .get(
            &format!("/api/v1/grants?organization={namur}&status=active"),
            &gls,
        )
        .await
        .expect(200);
    let flagged: Vec<&Value> = grants.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["flagged"] == true)
        .collect();
    assert!(
        flagged.len() >= items(&started.body).len(),
        "{}",
        grants.body
    );
}
