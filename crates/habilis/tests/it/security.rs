//! Tries to break the rules through HTTP: another organisation, another application, wider
//! powers, the last principal, self-grants, suspensions, expiry, levels, mandates. Every
//! refusal must also be in the audit trail.

use serde_json::json;

use crate::harness::{HIGH, Harness, LOW};

const NAMUR_GLS: &str = "anne.lefevre@ville.namur.be";
const NAMUR_DEPUTY: &str = "jean.dupont@ville.namur.be";
const NAMUR_AM: &str = "nadia.benali@ville.namur.be";
const NAMUR_USER: &str = "luc.martin@ville.namur.be";
const NAMUR_VALIDATOR: &str = "elise.gerard@ville.namur.be";
const NAMUR_SUSPENDED: &str = "thomas.wauters@ville.namur.be";
const LIEGE_GLS: &str = "isabelle.collard@liege.be";
const LIEGE_USER: &str = "olivier.piron@liege.be";
const CONTRACTOR_STAFF: &str = "alice.rousseau@meuse-etudes.be";

#[tokio::test]
async fn a_manager_of_one_organisation_cannot_read_or_change_another() {
    let h = Harness::demo().await;
    let namur_gls = h.token("GLS (principal manager)");
    let liege = h.organization("Ville de Liège").await;
    h.get(&format!("/api/v1/organizations/{liege}"), &namur_gls)
        .await
        .refused("not_visible");
    h.get(
        &format!("/api/v1/organizations/{liege}/members"),
        &namur_gls,
    )
    .await
    .refused("not_a_manager");
    h.post(
        &format!("/api/v1/organizations/{liege}/members"),
        &namur_gls,
        json!({ "user": NAMUR_USER }),
    )
    .await
    .refused("not_a_manager");
    h.post(
        &format!("/api/v1/organizations/{liege}/designations"),
        &namur_gls,
        json!({ "user": LIEGE_USER, "kind": "access_manager", "applications": ["guichet"] }),
    )
    .await
    .refused("not_a_manager");
    h.post("/api/v1/grants", &namur_gls, json!({ "user": LIEGE_USER, "organization": liege, "application": "guichet", "role": "reader", "scope": { "matters": ["finances"] } }))
        .await
        .refused("not_a_manager");
    // Their own organisation's list holds only what they may see.
    let listed = h.get("/api/v1/organizations", &namur_gls).await.expect(200);
    let names: Vec<String> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"]["fr"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, vec!["Ville de Namur".to_owned()]);
    // Grants of Liège are invisible to Namur's GLS.
    let grants = h
        .get(&format!("/api/v1/grants?organization={liege}"), &namur_gls)
        .await
        .expect(200);
    assert!(grants.body["items"].as_array().unwrap().is_empty());
    h.audited_refusal("not_visible").await;
    h.audited_refusal("not_a_manager").await;
}

#[tokio::test]
async fn an_access_manager_cannot_grant_outside_their_applications() {
    let h = Harness::demo().await;
    let am = h.token("access manager");
    let namur = h.organization("Ville de Namur").await;
    let granted = h.post("/api/v1/grants", &am, json!({ "user": NAMUR_USER, "organization": namur, "application": "guichet", "role": "reader", "scope": { "matters": ["fiscalite"] } })).await;
    granted.expect(201);
    let refused = h.post("/api/v1/grants", &am, json!({ "user": NAMUR_USER, "organization": namur, "application": "registre", "role": "consultant" })).await;
    refused.refused("outside_designation");
    let event = h.audited_refusal("outside_designation").await;
    assert_eq!(event["action"], "grant.create");
    assert_eq!(event["organization"], namur);
}

#[tokio::test]
async fn nobody_designates_wider_powers_than_their_own() {
    let h = Harness::demo().await;
    let namur = h.organization("Ville de Namur").await;
    let deputy = h.token("deputy");
    let am = h.token("access manager");
    let path = format!("/api/v1/organizations/{namur}/designations");
    h.post(
        &path,
        &deputy,
        json!({ "user": NAMUR_USER, "kind": "principal" }),
    )
    .await
    .refused("wider_than_own");
    h.post(&path, &am, json!({ "user": NAMUR_USER, "kind": "deputy" }))
        .await
        .refused("wider_than_own");
    h.post(&path, &am, json!({ "user": NAMUR_USER, "kind": "access_manager", "applications": ["guichet", "registre"] })).await.refused("wider_than_own");
    // Within their own powers it works.
    h.post(
        &path,
        &am,
        json!({ "user": NAMUR_USER, "kind": "access_manager", "applications": ["guichet"] }),
    )
    .await
    .expect(201);
    // A deputy designation needs the high level: a token at `low` is asked to step up.
    let low_gls = h.token_at_level(NAMUR_GLS, "low").await;
    let answer = h
        .post(
            &path,
            &low_gls,
            json!({ "user": NAMUR_VALIDATOR, "kind": "deputy" }),
        )
        .await
        .refused("step_up_required");
    assert_eq!(answer.body["required_level"], "high");
    h.audited_refusal("wider_than_own").await;
}

#[tokio::test]
async fn the_last_principal_cannot_silently_disappear() {
    let h = Harness::demo().await;
    let namur = h.organization("Ville de Namur").await;
    let gls = h.token("GLS (principal manager)");
    let operator = h.token("operator");
    let gls_id = h.user(NAMUR_GLS).await;
    h.delete(
        &format!("/api/v1/organizations/{namur}/members/{gls_id}"),
        &operator,
        json!({ "reason": "départ" }),
    )
    .await
    .refused("last_principal");
    let grants = h
        .get(&format!("/api/v1/grants?user={gls_id}"), &gls)
        .await
        .expect(200);
    let _ = grants;
    let audit = h
        .get(
            &format!("/api/v1/audit?organization={namur}&limit=1000"),
            &gls,
        )
        .await
        .expect(200);
    let designation = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "designation.create" && e["subject_user"] == gls_id.as_str())
        .and_then(|e| e["target"].as_str())
        .unwrap()
        .to_owned();
    h.delete(
        &format!("/api/v1/designations/{designation}"),
        &gls,
        json!({ "reason": "je pars" }),
    )
    .await
    .refused("last_principal");
    // With a second principal in place, the first may go.
    let deputy_id = h.user(NAMUR_DEPUTY).await;
    h.post(
        &format!("/api/v1/organizations/{namur}/designations"),
        &operator,
        json!({ "user": deputy_id, "kind": "principal" }),
    )
    .await
    .expect(201);
    h.delete(
        &format!("/api/v1/designations/{designation}"),
        &gls,
        json!({ "reason": "je pars" }),
    )
    .await
    .expect(200);
    h.audited_refusal("last_principal").await;
}

#[tokio::test]
async fn self_grants_follow_each_of_the_four_policies() {
    let h = Harness::demo().await;
    let owner = h.token("application owner");
    let gls = h.token("GLS (principal manager)");
    let namur = h.organization("Ville de Namur").await;
    let application = h
        .get("/api/v1/applications/guichet", &owner)
        .await
        .expect(200)
        .body;
    let mut outcomes = Vec::new();
    for (policy, matter) in [
        ("allow", "finances"),
        ("flag", "fiscalite"),
        ("approve", "personnel"),
        ("deny", "tutelle"),
    ] {
        let mut definition = application.clone();
        definition["self_grant"] = json!(policy);
        let definition = json!({
            "key": definition["key"], "name": definition["name"], "owner": definition["owner"], "contexts": definition["contexts"],
            "permissions": definition["permissions"], "roles": definition["roles"], "taxonomy": definition["taxonomy"],
            "self_grant": policy, "exclusive_roles": definition["exclusive_roles"], "resource_properties": definition["resource_properties"],
        });
        h.call(
            axum::http::Method::PUT,
            "/api/v1/applications/guichet",
            Some(&owner),
            Some(definition),
        )
        .await
        .expect(200);
        let answer = h.post("/api/v1/grants", &gls, json!({ "user": NAMUR_GLS, "organization": namur, "application": "guichet", "role": "reader", "scope": { "matters": [matter] } })).await;
        let outcome = if answer.status.is_success() {
            format!(
                "{} {} flagged={}",
                answer.status.as_u16(),
                answer.text("/status"),
                answer.body["flagged"]
            )
        } else {
            format!("{} {}", answer.status.as_u16(), answer.code())
        };
        outcomes.push(format!("{policy}: {outcome}"));
    }
    assert_eq!(
        outcomes,
        vec![
            "allow: 201 active flagged=false",
            "flag: 201 active flagged=true",
            "approve: 202 pending flagged=false",
            "deny: 403 self_grant_denied",
        ]
    );
    // The pending self-grant waits for someone else: the GLS cannot approve it, the deputy can.
    let approvals = h.get("/api/v1/approvals", &gls).await.expect(200);
    let own = approvals.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["organization"] == namur.as_str() && a["cause"] == "self_grant")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    h.post(
        &format!("/api/v1/approvals/{own}/approve"),
        &gls,
        json!({ "reason": "ok" }),
    )
    .await
    .refused("own_request");
    h.post(
        &format!("/api/v1/approvals/{own}/approve"),
        &h.token("deputy"),
        json!({ "reason": "vérifié" }),
    )
    .await
    .expect(200);
    h.audited_refusal("self_grant_denied").await;
    h.audited_refusal("own_request").await;
}

#[tokio::test]
async fn suspended_expired_revoked_and_ended_never_allow() {
    let h = Harness::demo().await;
    let namur = h.organization("Ville de Namur").await;
    let luc = h.user(NAMUR_USER).await;
    h.dossier("T-1", &namur, "finances", "budget", None).await;
    // Luc reads finances dossiers as an editor.
    assert_eq!(
        h.decide(&luc, "dossier.read", "T-1", Some(LOW)).await["decision"],
        true
    );
    // A suspended user never does.
    let thomas = h.user(NAMUR_SUSPENDED).await;
    let decision = h.decide(&thomas, "dossier.read", "T-1", Some(HIGH)).await;
    assert_eq!(decision["decision"], false);
    // Élise's reader grant on `personnel` expired a month ago.
    h.dossier("T-2", &namur, "personnel", "cadre", None).await;
    let elise = h.user(NAMUR_VALIDATOR).await;
    assert_eq!(
        h.decide(&elise, "dossier.read", "T-2", Some(HIGH)).await["decision"],
        false
    );
    let expired = h
        .get(
            &format!("/api/v1/grants?user={elise}&status=expired"),
            &h.token("GLS (principal manager)"),
        )
        .await
        .expect(200);
    assert_eq!(expired.body["items"].as_array().unwrap().len(), 1);
    // Suspending the organisation stops everyone in it.
    let operator = h.token("operator");
    h.post(
        &format!("/api/v1/organizations/{namur}/suspension"),
        &operator,
        json!({ "reason": "enquête" }),
    )
    .await
    .expect(200);
    let decision = h.decide(&luc, "dossier.read", "T-1", Some(LOW)).await;
    assert_eq!(decision["decision"], false);
    assert_eq!(
        decision["context"]["reason"]["code"],
        "organization_suspended"
    );
    h.call(
        axum::http::Method::DELETE,
        &format!("/api/v1/organizations/{namur}/suspension"),
        Some(&operator),
        None,
    )
    .await
    .expect(200);
    assert_eq!(
        h.decide(&luc, "dossier.read", "T-1", Some(LOW)).await["decision"],
        true
    );
    // Revoking the grant ends it at once.
    let gls = h.token("GLS (principal manager)");
    let grants = h
        .get(
            &format!("/api/v1/grants?user={luc}&application=guichet&status=active"),
            &gls,
        )
        .await
        .expect(200);
    for grant in grants.body["items"].as_array().unwrap() {
        let id = grant["id"].as_str().unwrap();
        h.delete(
            &format!("/api/v1/grants/{id}"),
            &gls,
            json!({ "reason": "changement de service" }),
        )
        .await
        .expect(200);
    }
    let decision = h.decide(&luc, "dossier.read", "T-1", Some(LOW)).await;
    assert_eq!(decision["context"]["reason"]["code"], "no_grant");
    // Ending a membership ends what it carried.
    let nadia = h.user(NAMUR_AM).await;
    let am_token = h.token("access manager");
    h.post("/api/v1/grants", &gls, json!({ "user": nadia, "organization": namur, "application": "guichet", "role": "reader", "scope": { "matters": ["finances"] } })).await.expect(201);
    assert_eq!(
        h.decide(&nadia, "dossier.read", "T-1", Some(LOW)).await["decision"],
        true
    );
    h.delete(
        &format!("/api/v1/organizations/{namur}/members/{nadia}"),
        &gls,
        json!({ "reason": "départ" }),
    )
    .await
    .expect(200);
    assert_eq!(
        h.decide(&nadia, "dossier.read", "T-1", Some(LOW)).await["decision"],
        false
    );
    // And their management powers went with it.
    h.post("/api/v1/grants", &am_token, json!({ "user": elise, "organization": namur, "application": "guichet", "role": "reader", "scope": { "matters": ["finances"] } })).await.refused("not_a_manager");
}

#[tokio::test]
async fn too_low_a_level_yields_step_up_naming_the_level() {
    let h = Harness::demo().await;
    let namur = h.organization("Ville de Namur").await;
    h.dossier("T-3", &namur, "finances", "comptes", None).await;
    let elise = h.user(NAMUR_VALIDATOR).await;
    let decision = h.decide(&elise, "dossier.validate", "T-3", Some(LOW)).await;
    assert_eq!(decision["decision"], false);
    assert_eq!(decision["context"]["reason"]["code"], "step_up");
    assert_eq!(decision["context"]["reason"]["level"], "high");
    assert_eq!(
        decision["context"]["reason"]["acr_values"][0],
        "urn:be:fedict:iam:fas:Level500"
    );
    // No known level at all is also a step-up.
    assert_eq!(
        h.decide(&elise, "dossier.validate", "T-3", None).await["context"]["reason"]["code"],
        "step_up"
    );
    assert_eq!(
        h.decide(&elise, "dossier.validate", "T-3", Some(HIGH))
            .await["decision"],
        true
    );
    // Granting a high role from a low session is refused too.
    let low_gls = h.token_at_level(NAMUR_GLS, "low").await;
    let luc = h.user(NAMUR_USER).await;
    let answer = h.post("/api/v1/grants", &low_gls, json!({ "user": luc, "organization": namur, "application": "guichet", "role": "submitter", "scope": { "matters": ["fiscalite"] } })).await;
    assert_eq!(
        answer.refused("step_up_required").body["required_level"],
        "high"
    );
}

#[tokio::test]
async fn a_mandate_never_reaches_beyond_its_application_and_scope() {
    let h = Harness::demo().await;
    let namur = h.organization("Ville de Namur").await;
    let liege = h.organization("Ville de Liège").await;
    let contractor = h.organization("Bureau d'études Meuse SRL").await;
    let alice = h.user(CONTRACTOR_STAFF).await;
    h.dossier("T-4", &namur, "marches_publics", "attribution", None)
        .await;
    h.dossier("T-5", &namur, "finances", "budget", None).await;
    h.dossier("T-6", &liege, "marches_publics", "attribution", None)
        .await;
    assert_eq!(
        h.decide(&alice, "dossier.read", "T-4", Some(LOW)).await["decision"],
        true
    );
    assert_eq!(
        h.decide(&alice, "dossier.read", "T-5", Some(LOW)).await["decision"],
        false
    );
    assert_eq!(
        h.decide(&alice, "dossier.read", "T-6", Some(LOW)).await["decision"],
        false
    );
    // The contractor's principal cannot grant beyond the mandate's scope.
    let boss = h.token("contractor (mandatary)");
    h.post("/api/v1/grants", &boss, json!({ "user": alice, "organization": contractor, "application": "guichet", "role": "reader", "scope": { "matters": ["finances"] } }))
        .await
        .refused("outside_mandate");
    h.audited_refusal("outside_mandate").await;
    // Ending the mandate ends the reach into Namur.
    let gls = h.token("GLS (principal manager)");
    let audit = h
        .get(
            &format!("/api/v1/audit?organization={namur}&limit=1000"),
            &gls,
        )
        .await
        .expect(200);
    let mandate = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "mandate.propose")
        .and_then(|e| e["target"].as_str())
        .unwrap()
        .to_owned();
    h.delete(
        &format!("/api/v1/mandates/{mandate}"),
        &gls,
        json!({ "reason": "mission terminée" }),
    )
    .await
    .expect(200);
    assert_eq!(
        h.decide(&alice, "dossier.read", "T-4", Some(LOW)).await["decision"],
        false
    );
}

#[tokio::test]
async fn credentials_are_checked() {
    let h = Harness::demo().await;
    h.call(axum::http::Method::GET, "/api/v1/users/me", None, None)
        .await
        .expect(401);
    h.get("/api/v1/users/me", "habilis_pat_nope_nope")
        .await
        .expect(401);
    let real = h.token("user");
    let forged = format!("{}x", real);
    h.get("/api/v1/users/me", &forged).await.expect(401);
    h.get("/api/v1/users/me", &real).await.expect(200);
    // Once the token's record is cached, a wrong secret or the wrong kind of token under
    // its id is still refused: the secret is compared on every request.
    h.get("/api/v1/users/me", &forged).await.expect(401);
    let truncated = real.get(..real.len() - 1).unwrap_or_default();
    h.get("/api/v1/users/me", truncated).await.expect(401);
    let as_application = real.replacen("habilis_pat_", "habilis_app_", 1);
    h.get("/api/v1/users/me", &as_application).await.expect(401);
    h.get("/api/v1/users/me", &real).await.expect(200);
    // An application credential cannot administer, and a person cannot ask decisions.
    h.get("/api/v1/organizations", &h.client.clone())
        .await
        .refused("not_a_user");
    let answer = h.post("/access/v1/evaluation", &real, json!({ "subject": {"type": "user", "id": "x"}, "action": {"name": "dossier.read"}, "resource": {"type": "dossier", "id": "x"} })).await;
    answer.refused("other_application");
    let _ = LIEGE_GLS;
}
