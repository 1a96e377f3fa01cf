//! `POST /api/v1/consent-requests`: the ticketing system opens a consent request on behalf of a staff member, as
//! that staff member would in the portal. The customer then answers it in the portal.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::domain::consent::{
    ActionSet, ConsentDraft, ConsentRequest, ConsentRequestId, GrantDuration, Reason, ReasonCode,
    ReasonText, RequestError, RequestState, ResourceId, ScopeError, SupportCaseId,
};
use app::domain::{AuditEvent, CustomerNumber, EmailAddress};
use app::ports::{Actor, AuditBasis, AuditEntry, EventSource};
use app::usecases::consent_notices::request_notice;

use super::access_checks::ActionName;
use super::auth::{Authorized, ConsentRequests, ReadConsentRequests};
use super::error::{ApiError, ApiJson, ErrorBody};
use super::ApiState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequestRequest {
    /// The staff member asking (support or sysadmin), by their email.
    #[schema(example = "camille.rey@staff.portal.example")]
    pub staff: String,
    #[schema(example = "C-100001")]
    pub customer: String,
    /// A backup space or a mailbox of that customer: `backup-space:<name>` or `mailbox:<address>`.
    #[schema(example = "mailbox:jeanne.favre@boulangerie-favre.ch")]
    pub resource: String,
    /// At least one.
    pub actions: Vec<ActionName>,
    #[schema(value_type = String, example = "customer-support")]
    /// `customer-support`, `incident-response`, `operator-maintenance` or `legal-obligation`.
    pub reason_code: String,
    /// Why, in the requester's words, as the customer will read it (at most 1000 characters).
    #[schema(example = "Messages from the bank no longer arrive since Monday.")]
    pub reason: String,
    /// The open support case of that customer the request is for; required for a mailbox.
    #[schema(example = 42)]
    pub case_id: Option<i64>,
    /// How long the access would last once approved: 1 to 43200 minutes (30 days).
    #[schema(example = 120)]
    pub duration_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConsentRequestResponse {
    pub request_id: i64,
    /// Always `pending`: the customer answers in the portal.
    #[schema(example = "pending")]
    pub state: String,
    /// The customer may answer until then; after it, the request has expired.
    pub answer_by: DateTime<Utc>,
}

/// Open a consent request
///
/// On behalf of a support agent or system administrator. The customer approves or denies it in the portal before
/// `answer_by`; until then, and unless approved, access checks for it are denied.
#[utoipa::path(
    post,
    path = "/consent-requests",
    tag = "consent",
    request_body = ConsentRequestRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The request is open, waiting for the customer", body = ConsentRequestResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the consent-requests scope", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body not sent as JSON", body = ErrorBody),
        (status = 422, description = "A field is invalid; an unknown staff member, customer, resource or case; a resolved case; a resource that takes no consent; or a requester who may not ask", body = ErrorBody),
        (status = 503, description = "Nothing was opened; retry", body = ErrorBody),
    )
)]
pub async fn open(
    State(state): State<ApiState>,
    service: Authorized<ConsentRequests>,
    ApiJson(request): ApiJson<ConsentRequestRequest>,
) -> Result<(StatusCode, Json<ConsentRequestResponse>), ApiError> {
    let staff = EmailAddress::parse(&request.staff).map_err(|e| ApiError::invalid("staff", &e))?;
    let customer =
        CustomerNumber::parse(&request.customer).map_err(|e| ApiError::invalid("customer", &e))?;
    let resource =
        ResourceId::parse(&request.resource).map_err(|e| ApiError::invalid("resource", &e))?;
    let actions = ActionSet::new(request.actions.iter().map(|action| (*action).into()))
        .map_err(|e| ApiError::invalid("actions", &e))?;
    let reason = Reason {
        code: ReasonCode::parse(&request.reason_code)
            .map_err(|e| ApiError::invalid("reason_code", &e))?,
        text: ReasonText::parse(&request.reason).map_err(|e| ApiError::invalid("reason", &e))?,
    };
    let case = request
        .case_id
        .map(|id| SupportCaseId::parse(&id.to_string()))
        .transpose()
        .map_err(|e| ApiError::invalid("case_id", &e))?;
    let duration = GrantDuration::from_minutes(request.duration_minutes)
        .map_err(|e| ApiError::invalid("duration_minutes", &e))?;

    let store = state.store.as_ref();
    let (staff, customer, owner) = tokio::try_join!(
        store.staff_by_email(&staff),
        store.customer_by_number(&customer),
        store.owner_of(&resource),
    )
    .map_err(|error| ApiError::unavailable(&error))?;
    let staff = staff.ok_or(ApiError::unknown(
        "unknown-staff",
        "staff",
        "no staff member has this email",
    ))?;
    let customer = customer.ok_or(ApiError::unknown(
        "unknown-customer",
        "customer",
        "no customer has this number",
    ))?;
    if owner != Some(customer.id) {
        return Err(ApiError::unknown(
            "unknown-resource",
            "resource",
            "this customer has no such resource",
        ));
    }
    if let Some(case) = case {
        let found = store
            .support_case(case)
            .await
            .map_err(|error| ApiError::unavailable(&error))?
            .filter(|found| found.customer == customer.id)
            .ok_or(ApiError::unknown(
                "unknown-case",
                "case_id",
                "this customer has no such support case",
            ))?;
        if found.resolved_at.is_some() {
            return Err(ApiError::unknown(
                "case-resolved",
                "case_id",
                "this support case is resolved: consent can only be asked for an open one",
            ));
        }
    }

    let now = state.clock.now();
    let draft = ConsentDraft {
        resource: resource.clone(),
        case,
        actions,
        duration,
    };
    let opened = ConsentRequest::open(&staff.roles, draft, reason, state.answer_window, now)
        .map_err(refusal)?;
    let audit = AuditEntry {
        at: now,
        event: AuditEvent::RequestOpened,
        actor: Actor::Staff {
            id: staff.id,
            roles: staff.roles.clone(),
        },
        customer: Some(customer.id),
        resource: Some(resource),
        action: None,
        basis: AuditBasis::StaffRole,
        source: EventSource::Service(service.caller.name.clone()),
        detail: None,
    };
    let notice = request_notice(&customer, &opened, &state.portal_origin);
    let id = store
        .create_request(customer.id, staff.id, &opened, &audit, &notice)
        .await
        .map_err(|error| ApiError::unavailable(&error))?;
    Ok((
        StatusCode::CREATED,
        Json(ConsentRequestResponse {
            request_id: id.0,
            state: "pending".to_owned(),
            answer_by: opened.answer_by(),
        }),
    ))
}

fn refusal(error: RequestError) -> ApiError {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    match error {
        RequestError::RequesterNotEntitled => ApiError::new(
            status,
            "requester-not-entitled",
            "only support and system administrators ask for consent",
        )
        .on_field("staff"),
        RequestError::Scope(ScopeError::MailboxNeedsSupportCase) => ApiError::new(
            status,
            "invalid-field",
            "consent to a mailbox is only valid for a support case: name the case",
        )
        .on_field("case_id"),
        RequestError::Scope(scope) => {
            ApiError::new(status, "no-consent-needed", scope.to_string()).on_field("resource")
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConsentRequestState {
    pub request_id: i64,
    #[schema(example = "C-100001")]
    pub customer: String,
    #[schema(example = "mailbox:jeanne.favre@boulangerie-favre.ch")]
    pub resource: String,
    pub case_id: Option<i64>,
    /// As it is now: `pending`, `approved`, `denied`, `expired` (the answer window closed) or `withdrawn`.
    #[schema(example = "approved")]
    pub state: String,
    pub answer_by: DateTime<Utc>,
    /// When it was answered, withdrawn or expired.
    pub closed_at: Option<DateTime<Utc>>,
    /// For an approved request: the minutes the customer agreed to (the requested ones or fewer).
    pub approved_minutes: Option<i64>,
    /// For an approved request: the grant it created.
    pub grant_id: Option<i64>,
}

/// Read a consent request's state
///
/// For the service that opened it, or the ticketing system following its case (scope `consent-requests` or
/// `support-cases`). The state is the one true now: a request whose answer window closed is `expired` even before
/// the portal's job recorded it. A customer's reason for a denial is not given.
#[utoipa::path(
    get,
    path = "/consent-requests/{id}",
    tag = "consent",
    params(("id" = i64, Path, description = "The request's id", example = 7)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The request as it is now", body = ConsentRequestState),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token has neither the consent-requests nor the support-cases scope", body = ErrorBody),
        (status = 404, description = "No such request", body = ErrorBody),
        (status = 422, description = "The id is not a request id", body = ErrorBody),
        (status = 503, description = "Retry", body = ErrorBody),
    )
)]
pub async fn read(
    State(state): State<ApiState>,
    _service: Authorized<ReadConsentRequests>,
    Path(id): Path<String>,
) -> Result<Json<ConsentRequestState>, ApiError> {
    let id = ConsentRequestId::parse(&id).map_err(|e| ApiError::invalid("id", &e))?;
    let unknown = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown-request",
            "no consent request has this id",
        )
    };
    let store = state.store.as_ref();
    let record = store
        .consent_request(id)
        .await
        .map_err(|error| ApiError::unavailable(&error))?
        .ok_or_else(unknown)?;
    let customer = store
        .customer(record.customer)
        .await
        .map_err(|error| ApiError::unavailable(&error))?
        .ok_or_else(unknown)?;
    let now = state.clock.now();
    let current = record.request.state_at(now);
    let scope = record.request.scope();
    Ok(Json(ConsentRequestState {
        request_id: record.id.0,
        customer: customer.details.number.to_string(),
        resource: scope.resource().to_string(),
        case_id: scope.case().map(|case| case.0),
        state: current.kind().as_str().to_owned(),
        answer_by: record.request.answer_by(),
        closed_at: current.closed_at(),
        approved_minutes: match current {
            RequestState::Approved { duration, .. } => Some(i64::from(duration) / 60),
            _ => None,
        },
        grant_id: record.grant.map(|grant| grant.0),
    }))
}
