//! `/api/v1/support-cases`: the operator's ticketing system keeps its tickets and the portal's support cases in
//! step. It opens a case for a ticket (once: its reference finds the case again), records work on it, and resolves
//! it, which ends the case's mailbox grants exactly as support's button in the portal does (charter §5).

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::domain::consent::{CaseReference, CaseSubject, SupportCaseId};
use app::domain::{CustomerNumber, EmailAddress};
use app::ports::{EventSource, StaffMember, SupportCase};
use app::usecases::cases::{self, CaseError, CaseHandler, CaseOpening, Outcome};

use super::auth::{Authorized, SupportCasesScope};
use super::error::{ApiError, ApiJson, ErrorBody};
use super::ApiState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCaseRequest {
    /// The support agent handling the ticket, by their email.
    #[schema(example = "camille.rey@staff.portal.example")]
    pub staff: String,
    #[schema(example = "C-100001")]
    pub customer: String,
    /// What the problem is, as support summarises it (at most 200 characters); the customer reads it.
    #[schema(example = "Messages from the bank no longer arrive")]
    pub subject: String,
    /// The ticket's own reference (at most 100 characters). Opening a case again with it finds the first case.
    #[schema(example = "TCK-20417")]
    pub reference: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCaseRequest {
    #[schema(example = "camille.rey@staff.portal.example")]
    pub staff: String,
    /// A new subject; without one the call only records that the ticket was worked on.
    pub subject: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveCaseRequest {
    /// The support agent who resolved the ticket.
    #[schema(example = "camille.rey@staff.portal.example")]
    pub staff: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseResponse {
    #[schema(example = 42)]
    pub case_id: i64,
    #[schema(example = "C-100001")]
    pub customer: String,
    pub subject: String,
    pub reference: Option<String>,
    /// `open` or `resolved`.
    #[schema(example = "open")]
    pub state: String,
    pub opened_at: DateTime<Utc>,
    /// Opened, updated, or consent asked for it: whichever came last.
    pub touched_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Open and untouched for the portal's idle-case days: support is shown it. Never resolved by itself.
    pub idle: bool,
}

fn case_id(raw: &str) -> Result<SupportCaseId, ApiError> {
    SupportCaseId::parse(raw).map_err(|e| ApiError::invalid("id", &e))
}

async fn handler(state: &ApiState, email: &str) -> Result<StaffMember, ApiError> {
    let email = EmailAddress::parse(email).map_err(|e| ApiError::invalid("staff", &e))?;
    state
        .store
        .staff_by_email(&email)
        .await
        .map_err(|error| ApiError::unavailable(&error))?
        .ok_or(ApiError::unknown(
            "unknown-staff",
            "staff",
            "no staff member has this email",
        ))
}

const fn as_handler(staff: &StaffMember) -> CaseHandler<'_> {
    CaseHandler {
        id: staff.id,
        roles: staff.roles.as_slice(),
    }
}

fn refusal(error: CaseError) -> ApiError {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    match error {
        CaseError::NotSupport => ApiError::new(
            status,
            "requester-not-entitled",
            "only support staff handle support cases",
        )
        .on_field("staff"),
        CaseError::NotFound => unknown_case(),
        CaseError::Resolved => ApiError::new(
            StatusCode::CONFLICT,
            "case-resolved",
            "this support case is resolved and can no longer change",
        ),
        CaseError::ReferenceTaken => ApiError::new(
            StatusCode::CONFLICT,
            "reference-taken",
            "another customer's case has this reference",
        )
        .on_field("reference"),
        CaseError::Storage(error) => ApiError::unavailable(&error),
    }
}

fn unknown_case() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown-case",
        "no support case has this id",
    )
}

async fn answer(state: &ApiState, case: SupportCase) -> Result<CaseResponse, ApiError> {
    let customer = state
        .store
        .customer(case.customer)
        .await
        .map_err(|error| ApiError::unavailable(&error))?
        .ok_or_else(unknown_case)?;
    Ok(CaseResponse {
        case_id: case.id.0,
        customer: customer.details.number.to_string(),
        subject: case.subject.to_string(),
        reference: case.reference.as_ref().map(ToString::to_string),
        state: if case.resolved_at.is_some() {
            "resolved"
        } else {
            "open"
        }
        .to_owned(),
        opened_at: case.opened_at,
        touched_at: case.touched_at,
        resolved_at: case.resolved_at,
        idle: case
            .activity()
            .is_idle(state.idle_case_after, state.clock.now()),
    })
}

/// Open a support case for a ticket
///
/// On behalf of a support agent. With a `reference` already used for this customer, nothing is opened: the answer
/// is the existing case, with status 200 instead of 201.
#[utoipa::path(
    post,
    path = "/support-cases",
    tag = "support cases",
    request_body = OpenCaseRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The case is open", body = CaseResponse),
        (status = 200, description = "A case for this reference existed: it is returned unchanged", body = CaseResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the support-cases scope", body = ErrorBody),
        (status = 409, description = "Another customer's case has this reference", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body not sent as JSON", body = ErrorBody),
        (status = 422, description = "A field is invalid; an unknown staff member or customer; a staff member who is not support", body = ErrorBody),
        (status = 503, description = "Nothing was opened; retry", body = ErrorBody),
    )
)]
pub async fn open(
    State(state): State<ApiState>,
    service: Authorized<SupportCasesScope>,
    ApiJson(request): ApiJson<OpenCaseRequest>,
) -> Result<(StatusCode, Json<CaseResponse>), ApiError> {
    let number =
        CustomerNumber::parse(&request.customer).map_err(|e| ApiError::invalid("customer", &e))?;
    let subject =
        CaseSubject::parse(&request.subject).map_err(|e| ApiError::invalid("subject", &e))?;
    let reference = request
        .reference
        .as_deref()
        .map(CaseReference::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("reference", &e))?;
    let staff = handler(&state, &request.staff).await?;
    let customer = state.known_customer(&number).await?;
    let opening = CaseOpening {
        customer: customer.id,
        subject,
        reference,
    };
    let source = EventSource::Service(service.caller.name.clone());
    let outcome = cases::open_case(
        state.store.as_ref(),
        as_handler(&staff),
        opening,
        source,
        state.clock.now(),
    )
    .await
    .map_err(refusal)?;
    let status = match outcome {
        Outcome::Changed(_) => StatusCode::CREATED,
        Outcome::AsItWas(_) => StatusCode::OK,
    };
    let case = match outcome {
        Outcome::Changed(case) | Outcome::AsItWas(case) => case,
    };
    Ok((status, Json(answer(&state, case).await?)))
}

/// Read a support case
#[utoipa::path(
    get,
    path = "/support-cases/{id}",
    tag = "support cases",
    params(("id" = i64, Path, description = "The case's id in the portal", example = 42)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The case as it is now", body = CaseResponse),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the support-cases scope", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 422, description = "The id is not a case id", body = ErrorBody),
        (status = 503, description = "Retry", body = ErrorBody),
    )
)]
pub async fn read(
    State(state): State<ApiState>,
    _service: Authorized<SupportCasesScope>,
    Path(id): Path<String>,
) -> Result<Json<CaseResponse>, ApiError> {
    let case = state
        .store
        .support_case(case_id(&id)?)
        .await
        .map_err(|error| ApiError::unavailable(&error))?
        .ok_or_else(unknown_case)?;
    Ok(Json(answer(&state, case).await?))
}

/// Record work on a support case, or change its subject
///
/// Every call counts as activity, so the case is not shown to support as left alone.
#[utoipa::path(
    patch,
    path = "/support-cases/{id}",
    tag = "support cases",
    params(("id" = i64, Path, description = "The case's id in the portal", example = 42)),
    request_body = UpdateCaseRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The case as it is now", body = CaseResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the support-cases scope", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 409, description = "The case is resolved", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body not sent as JSON", body = ErrorBody),
        (status = 422, description = "A field is invalid; an unknown staff member; a staff member who is not support", body = ErrorBody),
        (status = 503, description = "Nothing was changed; retry", body = ErrorBody),
    )
)]
pub async fn update(
    State(state): State<ApiState>,
    service: Authorized<SupportCasesScope>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateCaseRequest>,
) -> Result<Json<CaseResponse>, ApiError> {
    let id = case_id(&id)?;
    let subject = request
        .subject
        .as_deref()
        .map(CaseSubject::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("subject", &e))?;
    let staff = handler(&state, &request.staff).await?;
    let source = EventSource::Service(service.caller.name.clone());
    let case = cases::update_case(
        state.store.as_ref(),
        as_handler(&staff),
        id,
        subject,
        source,
        state.clock.now(),
    )
    .await
    .map_err(refusal)?;
    Ok(Json(answer(&state, case).await?))
}

/// Resolve a support case
///
/// Ends every mailbox grant given for the case, in the same transaction, exactly as support's button in the portal
/// does: the next access check under them is denied, and each grant's end is a `grant.ended` event. Resolving a
/// resolved case changes nothing and answers 200 with the case as it is.
#[utoipa::path(
    post,
    path = "/support-cases/{id}/resolve",
    tag = "support cases",
    params(("id" = i64, Path, description = "The case's id in the portal", example = 42)),
    request_body = ResolveCaseRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The case is resolved", body = CaseResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the support-cases scope", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body not sent as JSON", body = ErrorBody),
        (status = 422, description = "A field is invalid; an unknown staff member; a staff member who is not support", body = ErrorBody),
        (status = 503, description = "Nothing was resolved; retry", body = ErrorBody),
    )
)]
pub async fn resolve(
    State(state): State<ApiState>,
    service: Authorized<SupportCasesScope>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ResolveCaseRequest>,
) -> Result<Json<CaseResponse>, ApiError> {
    let id = case_id(&id)?;
    let staff = handler(&state, &request.staff).await?;
    let source = EventSource::Service(service.caller.name.clone());
    let outcome = cases::resolve_case(
        state.store.as_ref(),
        as_handler(&staff),
        id,
        source,
        state.clock.now(),
    )
    .await
    .map_err(refusal)?;
    Ok(Json(answer(&state, outcome.case().clone()).await?))
}
