//! The administration API (`/api/v1`). Handlers are thin: extract, call the core, convert.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use habilis_core::AuditFilter;
use habilis_core::commands::{
    DesignationInput, GrantFilter, GrantInput, MandateInput, NewOrganization, NewUser,
    ResourceInput, ReviewInput,
};
use habilis_domain::{
    DesignationKind, Email, EnterpriseNumber, GrantState, InvalidCode, InvalidInput, Key, Language,
    NationalNumber, OrganizationId, OrganizationKind, Scope, UserId,
};
use serde::Deserialize;
use serde_json::json;

use crate::dto::*;
use crate::extract::{ApiJson, ApiQuery, Auth, MaybeJson};
use crate::problem::Problem;
use crate::state::AppState;

type ApiResult = Result<Response, Problem>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organizations",
            post(create_organization).get(list_organizations),
        )
        .route("/organizations/{id}", get(get_organization))
        .route(
            "/organizations/{id}/suspension",
            post(suspend_organization).delete(lift_organization_suspension),
        )
        .route(
            "/organizations/{id}/legal-representatives",
            post(add_legal_representative),
        )
        .route(
            "/organizations/{id}/approval-policy",
            put(set_approval_policy),
        )
        .route(
            "/organizations/{id}/members",
            post(add_member).get(list_members),
        )
        .route("/organizations/{id}/members/{user}", delete(remove_member))
        .route("/organizations/{id}/subscriptions", post(subscribe))
        .route("/organizations/{id}/designations", post(designate))
        .route("/designations/{id}", delete(end_designation))
        .route("/users", post(create_user))
        .route("/users/{id}", get(get_user))
        .route(
            "/users/{id}/subject-ids",
            post(link_subject_id).delete(unlink_subject_id),
        )
        .route(
            "/users/{id}/suspension",
            post(suspend_user).delete(lift_user_suspension),
        )
        .route(
            "/applications",
            post(create_application).get(list_applications),
        )
        .route(
            "/applications/{key}",
            put(update_application).get(get_application),
        )
        .route("/grants", post(create_grant).get(list_grants))
        .route("/grants/{id}", delete(revoke_grant))
        .route("/mandates", post(propose_mandate))
        .route("/mandates/{id}/accept", post(accept_mandate))
        .route("/mandates/{id}", delete(end_mandate))
        .route("/approvals", get(list_approvals))
        .route("/approvals/{id}/approve", post(approve))
        .route("/approvals/{id}/reject", post(reject))
        .route("/reviews", post(start_review).get(list_reviews))
        .route("/reviews/{id}", get(get_review))
        .route("/reviews/{id}/items/{item}", post(decide_review_item))
        .route("/resources", post(register_resources))
        .route("/resources/{type}/{id}", delete(delete_resource))
        .route("/audit", get(audit))
        .route("/access", get(access))
}

/// A write's answer: its status, the body with `revision`, and the `Habilis-Revision` header.
fn written(status: StatusCode, revision: u64, mut body: serde_json::Value) -> Response {
    if let Some(object) = body.as_object_mut() {
        object.insert("revision".into(), json!(revision));
    }
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert("habilis-revision", HeaderValue::from(revision));
    response
}

fn invalid(input: InvalidInput) -> Problem {
    Problem::from(habilis_core::Error::invalid(input))
}

fn to_value<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

// ---- Organisations ------------------------------------------------------------------------

async fn create_organization(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<NewOrganizationDto>,
) -> ApiResult {
    let input = NewOrganization {
        enterprise_number: body
            .enterprise_number
            .as_deref()
            .map(EnterpriseNumber::parse)
            .transpose()
            .map_err(invalid)?,
        external_id: body.external_id,
        kind: OrganizationKind::parse(&body.kind).map_err(invalid)?,
        name: body.name.into(),
        require_approval: body.require_approval,
    };
    let committed = state.services.create_organization(&caller, input).await?;
    Ok(written(
        StatusCode::CREATED,
        committed.revision,
        to_value(&OrganizationDto::from(&committed.value)),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganizationQuery {
    q: Option<String>,
    kind: Option<String>,
    context: Option<String>,
}

async fn list_organizations(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(query): ApiQuery<OrganizationQuery>,
) -> ApiResult {
    let found = state
        .services
        .list_organizations(
            &caller,
            query.q.as_deref(),
            query.kind.as_deref(),
            query.context.as_deref(),
        )
        .await?;
    let items: Vec<OrganizationDto> = found.iter().map(OrganizationDto::from).collect();
    Ok(Json(json!({ "items": items })).into_response())
}

async fn get_organization(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult {
    let found = state.services.get_organization(&caller, &id).await?;
    Ok(Json(OrganizationDto::from(&found)).into_response())
}

async fn suspend_organization(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonDto>,
) -> ApiResult {
    let committed = state
        .services
        .suspend_organization(&caller, &id, Some(body.reason.unwrap_or_default()))
        .await?;
    Ok(written(
        StatusCode::OK,
        committed.revision,
        to_value(&OrganizationDto::from(&committed.value)),
    ))
}

async fn lift_organization_suspension(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult {
    let committed = state
        .services
        .suspend_organization(&caller, &id, None)
        .await?;
    Ok(written(
        StatusCode::OK,
        committed.revision,
        to_value(&OrganizationDto::from(&committed.value)),
    ))
}

async fn add_legal_representative(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UserRefDto>,
) -> ApiResult {
    let committed = state
        .services
        .add_legal_representative(&caller, &id, &body.user)
        .await?;
    Ok(written(StatusCode::CREATED, committed.revision, json!({})))
}

async fn set_approval_policy(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ApprovalPolicyDto>,
) -> ApiResult {
    let committed = state
        .services
        .set_organization_approval(&caller, &id, body.require_approval)
        .await?;
    Ok(written(
        StatusCode::OK,
        committed.revision,
        to_value(&OrganizationDto::from(&committed.value)),
    ))
}

async fn add_member(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UserRefDto>,
) -> ApiResult {
    let committed = state.services.add_member(&caller, &id, &body.user).await?;
    let membership = &committed.value;
    Ok(written(
        StatusCode::CREATED,
        committed.revision,
        json!({ "organization": membership.organization, "user": membership.user, "since": format_time(membership.since) }),
    ))
}

async fn list_members(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult {
    let members = state.services.list_members(&caller, &id).await?;
    let now = state.services.now();
    let items: Vec<MemberDto> = members
        .iter()
        .map(|(u, m)| MemberDto::new(u, m, now))
        .collect();
    Ok(Json(json!({ "items": items })).into_response())
}

async fn remove_member(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path((id, user)): Path<(String, String)>,
    MaybeJson(body): MaybeJson<ReasonDto>,
) -> ApiResult {
    let reason = body.and_then(|b| b.reason);
    let committed = state
        .services
        .remove_member(&caller, &id, &user, reason)
        .await?;
    Ok(written(StatusCode::OK, committed.revision, json!({})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscriptionDto {
    application: String,
}

async fn subscribe(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SubscriptionDto>,
) -> ApiResult {
    let committed = state
        .services
        .subscribe(&caller, &id, &body.application)
        .await?;
    let subscription = &committed.value;
    Ok(written(
        StatusCode::CREATED,
        committed.revision,
        json!({ "organization": subscription.organization, "application": subscription.application }),
    ))
}

async fn designate(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewDesignationDto>,
) -> ApiResult {
    let kind = match body.kind.as_str() {
        "principal" => DesignationKind::Principal,
        "deputy" => DesignationKind::Deputy,
        "access_manager" => DesignationKind::AccessManager,
        other => {
            return Err(invalid(InvalidInput::new(
                "kind",
                InvalidCode::InvalidKind,
                other,
            )));
        }
    };
    let input = DesignationInput {
        organization: id,
        user: body.user,
        kind,
        applications: body.applications.unwrap_or_default(),
        valid_until: parse_optional_time("valid_until", body.valid_until.as_deref())
            .map_err(invalid)?,
        reason: body.reason,
    };
    let committed = state.services.designate(&caller, input).await?;
    let status = if committed.value.status == habilis_domain::Status::Pending {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CREATED
    };
    Ok(written(
        status,
        committed.revision,
        to_value(&DesignationDto::from(&committed.value)),
    ))
}

async fn end_designation(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    MaybeJson(body): MaybeJson<ReasonDto>,
) -> ApiResult {
    let reason = body.and_then(|b| b.reason);
    let committed = state.services.end_designation(&caller, &id, reason).await?;
    Ok(written(
        StatusCode::OK,
        committed.revision,
        to_value(&DesignationDto::from(&committed.value)),
    ))
}

// ---- Users --------------------------------------------------------------------------------

async fn create_user(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<NewUserDto>,
) -> ApiResult {
    let input = NewUser {
        national_number: body
            .national_number
            .as_deref()
            .map(NationalNumber::parse)
            .transpose()
            .map_err(invalid)?,
        email: body
            .email
            .as_deref()
            .map(Email::parse)
            .transpose()
            .map_err(invalid)?,
        given_name: body.given_name,
        family_name: body.family_name,
        language: body
            .language
            .as_deref()
            .map(Language::parse)
            .transpose()
            .map_err(invalid)?
            .unwrap_or_default(),
        member_of: body.member_of,
    };
    let committed = state.services.create_user(&caller, input).await?;
    Ok(written(
        StatusCode::CREATED,
        committed.revision,
        to_value(&UserDto::from(&committed.value)),
    ))
}

async fn get_user(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult {
    let user = state.services.get_user(&caller, &id).await?;
    Ok(Json(UserDto::from(&user)).into_response())
}

async fn link_subject_id(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SubjectIdDto>,
) -> ApiResult {
    let committed = state
        .services
        .link_subject_id(&caller, &id, &body.application, &body.subject_id, true)
        .await?;
    Ok(written(
        StatusCode::CREATED,
        committed.revision,
        json!({ "application": body.application, "subject_id": body.subject_id }),
    ))
}

async fn unlink_subject_id(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SubjectIdDto>,
) -> ApiResult {
    let committed = state
        .services
        .link_subject_id(&caller, &id, &body.application, &body.subject_id, false)
        .await?;
    Ok(written(StatusCode::OK, committed.revision, json!({})))
}

async fn suspend_user(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SuspensionDto>,
) -> ApiResult {
    let committed = state
        .services
        .suspend_user(&caller, &id, body.application.as_deref(), Some(body.reason))
        .await?;
    Ok(written(StatusCode::CREATED, committed.revision, json!({})))
}

async fn lift_user_suspension(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    MaybeJson(body): MaybeJson<LiftDto>,
) -> ApiResult {
    let (application, _reason) = body.map_or((None, None), |b| (b.application, b.reason));
    let committed = state
        .services
        .suspend_user(&caller, &id, application.as_deref(), None)
        .await?;
    Ok(written(StatusCode::OK, committed.revision, json!({})))
}

// ---- Applications -------------------------------------------------------------------------

async fn create_application(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<ApplicationDto>,
) -> ApiResult {
    let application = body.into_application().map_err(invalid)?;
    let committed = state
        .services
        .save_application(&caller, application, true)
        .await?;
    Ok(written(
        StatusCode::CREATED,
        committed.revision,
        to_value(&ApplicationView::from(&committed.value)),
    ))
}

async fn update_application(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<ApplicationDto>,
) -> ApiResult {
    if body.key != key {
        return Err(invalid(InvalidInput::because(
            "key",
            InvalidCode::InvalidKey,
            "the key in the body must be the key in the path",
        )));
    }
    let application = body.into_application().map_err(invalid)?;
    let committed = state
        .services
        .save_application(&caller, application, false)
        .await?;
    Ok(written(
        StatusCode::OK,
        committed.revision,
        to_value(&ApplicationView::from(&committed.value)),
    ))
}

async fn list_applications(State(state): State<AppState>, Auth(caller): Auth) -> ApiResult {
    let applications = state.services.list_applications(&caller).await?;
    let items: Vec<ApplicationView> = applications.iter().map(ApplicationView::from).collect();
    Ok(Json(json!({ "items": items })).into_response())
}

async fn get_application(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(key): Path<String>,
) -> ApiResult {
    let applications = state.services.list_applications(&caller).await?;
    let found = applications
        .iter()
        .find(|a| a.key.as_str() == key)
        .ok_or_else(|| {
            Problem::from(habilis_core::Error::not_found(format!(
                "application `{key}`"
            )))
        })?;
    Ok(Json(ApplicationView::from(found)).into_response())
}

// ---- Grants -------------------------------------------------------------------------------

async fn create_grant(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<NewGrantDto>,
) -> ApiResult {
    let scope = match body.scope {
        Some(scope) => scope.into_scope().map_err(invalid)?,
        None => Scope::All,
    };
    let input = GrantInput {
        user: body.user,
        organization: body.organization,
        application: body.application,
        role: body.role,
        scope,
        reach: parse_reach(body.reach.as_deref()).map_err(invalid)?,
        valid_from: parse_optional_time("valid_from", body.valid_from.as_deref())
            .map_err(invalid)?,
        valid_until: parse_optional_time("valid_until", body.valid_until.as_deref())
            .map_err(invalid)?,
        reason: body.reason,
    };
    let committed = state.services.grant(&caller, input).await?;
    let now = state.services.now();
    let status = if committed.value.status == habilis_domain::Status::Pending {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CREATED
    };
    Ok(written(
        status,
        committed.revision,
        to_value(&GrantDto::new(&committed.value, now)),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantQuery {
    user: Option<String>,
    organization: Option<String>,
    application: Option<String>,
    status: Option<String>,
    at: Option<String>,
}

async fn list_grants(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(query): ApiQuery<GrantQuery>,
) -> ApiResult {
    let status = match query.status.as_deref() {
        None => None,
        Some("pending") => Some(GrantState::Pending),
        Some("active") => Some(GrantState::Active),
        Some("revoked") => Some(GrantState::Revoked),
        Some("expired") => Some(GrantState::Expired),
        Some("rejected") => Some(GrantState::Rejected),
        Some(other) => {
            return Err(invalid(InvalidInput::new(
                "status",
                InvalidCode::InvalidValue,
                other,
            )));
        }
    };
    let at = parse_optional_time("at", query.at.as_deref()).map_err(invalid)?;
    let filter = GrantFilter {
        user: query.user,
        organization: query.organization,
        application: query.application,
        status,
        at,
    };
    let grants = state.services.list_grants(&caller, filter).await?;
    let when = at.unwrap_or_else(|| state.services.now());
    let items: Vec<GrantDto> = grants.iter().map(|g| GrantDto::new(g, when)).collect();
    Ok(Json(json!({ "items": items })).into_response())
}

async fn revoke_grant(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    MaybeJson(body): MaybeJson<ReasonDto>,
) -> ApiResult {
    let reason = body.and_then(|b| b.reason);
    let committed = state.services.revoke_grant(&caller, &id, reason).await?;
    let now = state.services.now();
    Ok(written(
        StatusCode::OK,
        committed.revision,
        to_value(&GrantDto::new(&committed.value, now)),
    ))
}

// ---- Mandates and approvals ---------------------------------------------------------------

async fn propose_mandate(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<NewMandateDto>,
) -> ApiResult {
    let input = MandateInput {
        mandator: body.mandator,
        mandatary: body.mandatary,
        application: body.application,
        scope: match body.scope {
            Some(scope) => scope.into_scope().map_err(invalid)?,
            None => Scope::All,
        },
        valid_until: parse_optional_time("valid_until", body.valid_until.as_deref())
            .map_err(invalid)?,
    };
    let committed = state.services.propose_mandate(&caller, input).await?;
    Ok(written(
        StatusCode::CREATED,
        committed.revision,
        to_value(&MandateDto::from(&committed.value)),
    ))
}

async fn accept_mandate(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult {
    let committed = state
        .services
        .decide_mandate(&caller, &id, true, None)
        .await?;
    Ok(written(
        StatusCode::OK,
        committed.revision,
        to_value(&MandateDto::from(&committed.value)),
    ))
}

async fn end_mandate(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    MaybeJson(body): MaybeJson<ReasonDto>,
) -> ApiResult {
    let reason = body.and_then(|b| b.reason);
    let committed = state
        .services
        .decide_mandate(&caller, &id, false, reason)
        .await?;
    Ok(written(
        StatusCode::OK,
        committed.revision,
        to_value(&MandateDto::from(&committed.value)),
    ))
}

// ---- Access reviews ------------------------------------------------------------------------

async fn start_review(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<NewReviewDto>,
) -> ApiResult {
    let input = ReviewInput {
        organization: body.organization.clone(),
        application: body.application.clone(),
        deadline: parse_time("deadline", &body.deadline).map_err(invalid)?,
        unconfirmed: body.unconfirmed_policy().map_err(invalid)?,
    };
    let committed = state.services.start_review(&caller, input).await?;
    Ok(written(
        StatusCode::CREATED,
        committed.revision,
        to_value(&ReviewDto::from(&committed.value)),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewsQuery {
    organization: String,
}

async fn list_reviews(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(query): ApiQuery<ReviewsQuery>,
) -> ApiResult {
    let reviews = state
        .services
        .list_reviews(&caller, &query.organization)
        .await?;
    let items: Vec<ReviewDto> = reviews.iter().map(ReviewDto::from).collect();
    Ok(Json(json!({ "items": items })).into_response())
}

async fn get_review(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult {
    let review = state.services.get_review(&caller, &id).await?;
    Ok(Json(ReviewDto::from(&review)).into_response())
}

async fn decide_review_item(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path((id, item)): Path<(String, String)>,
    ApiJson(body): ApiJson<ReviewDecisionDto>,
) -> ApiResult {
    let decision = body.decision().map_err(invalid)?;
    let committed = state
        .services
        .decide_review_item(&caller, &id, &item, decision, body.reason)
        .await?;
    Ok(written(
        StatusCode::OK,
        committed.revision,
        to_value(&ReviewDto::from(&committed.value)),
    ))
}

async fn list_approvals(State(state): State<AppState>, Auth(caller): Auth) -> ApiResult {
    let approvals = state.services.list_approvals(&caller).await?;
    let items: Vec<ApprovalDto> = approvals.iter().map(ApprovalDto::from).collect();
    Ok(Json(json!({ "items": items })).into_response())
}

async fn approve(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    MaybeJson(body): MaybeJson<ReasonDto>,
) -> ApiResult {
    let reason = body.and_then(|b| b.reason);
    let committed = state
        .services
        .decide_approval(&caller, &id, true, reason)
        .await?;
    Ok(written(
        StatusCode::OK,
        committed.revision,
        to_value(&ApprovalDto::from(&committed.value)),
    ))
}

async fn reject(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    MaybeJson(body): MaybeJson<ReasonDto>,
) -> ApiResult {
    let reason = body.and_then(|b| b.reason);
    let committed = state
        .services
        .decide_approval(&caller, &id, false, reason)
        .await?;
    Ok(written(
        StatusCode::OK,
        committed.revision,
        to_value(&ApprovalDto::from(&committed.value)),
    ))
}

// ---- Resources, audit, access -------------------------------------------------------------

async fn register_resources(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<Vec<ResourceDto>>,
) -> ApiResult {
    let inputs = body
        .into_iter()
        .map(|r| ResourceInput {
            resource_type: r.resource_type,
            id: r.id,
            organization: r.organization,
            matter: r.matter,
            category: r.category,
            owner: r.owner,
        })
        .collect();
    let committed = state.services.register_resources(&caller, inputs).await?;
    Ok(written(
        StatusCode::OK,
        committed.revision,
        json!({ "count": committed.value }),
    ))
}

async fn delete_resource(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path((resource_type, id)): Path<(String, String)>,
) -> ApiResult {
    let committed = state
        .services
        .delete_resource(&caller, &resource_type, &id)
        .await?;
    Ok(written(StatusCode::OK, committed.revision, json!({})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    organization: Option<String>,
    user: Option<String>,
    application: Option<String>,
    since: Option<String>,
    until: Option<String>,
    cursor: Option<i64>,
    limit: Option<u32>,
}

async fn audit(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult {
    let organization = match &query.organization {
        Some(name) => Some(state.services.get_organization(&caller, name).await?.id),
        None => None,
    };
    let user = match &query.user {
        Some(name) if name.starts_with(UserId::PREFIX) => Some(UserId::new(name.clone())),
        Some(name) => Some(state.services.get_user(&caller, name).await?.id),
        None => None,
    };
    let application = query
        .application
        .as_deref()
        .map(|a| Key::parse("application", a))
        .transpose()
        .map_err(invalid)?;
    let limit = query.limit.unwrap_or(100);
    let filter = AuditFilter {
        organization: organization.map(|o: OrganizationId| o),
        user,
        application,
        since: parse_optional_time("since", query.since.as_deref()).map_err(invalid)?,
        until: parse_optional_time("until", query.until.as_deref()).map_err(invalid)?,
        after_seq: query.cursor,
        limit,
        newest_first: false,
    };
    let events = state.services.audit(&caller, filter).await?;
    let next = if events.len() >= limit.clamp(1, 1_000) as usize {
        events.last().map(|e| e.seq)
    } else {
        None
    };
    let items: Vec<serde_json::Value> = events
        .iter()
        .map(|e| {
            json!({
                "seq": e.seq, "revision": e.revision, "at": format_time(e.at), "actor_user": e.actor_user,
                "actor_application": e.actor_application, "actor_level": e.actor_level, "action": e.action,
                "outcome": e.outcome, "code": e.code, "organization": e.organization, "application": e.application,
                "subject_user": e.subject_user, "target": e.target, "reason": e.reason, "detail": e.detail,
                "hash": e.hash,
            })
        })
        .collect();
    Ok(Json(json!({ "items": items, "next_cursor": next })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccessQuery {
    application: String,
    resource_type: String,
    resource_id: String,
    action: String,
    at: Option<String>,
}

async fn access(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(query): ApiQuery<AccessQuery>,
) -> ApiResult {
    let at = parse_optional_time("at", query.at.as_deref()).map_err(invalid)?;
    let answer = state
        .services
        .access(
            &caller,
            &query.application,
            &query.resource_type,
            &query.resource_id,
            &query.action,
            at,
        )
        .await?;
    Ok(Json(json!({ "at": format_time(answer.at), "users": answer.users })).into_response())
}
