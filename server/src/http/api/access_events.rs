//! `POST /api/v1/access-events`: the infrastructure reports an access that happened. A report sent again (same
//! service, same event id) is acknowledged and recorded once.

use axum::{extract::State, http::StatusCode, Json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::domain::consent::ResourceId;
use app::domain::{CustomerNumber, EmailAddress};
use app::usecases::{report_access, EventId, ReportError, ReportOutcome, ReportedAccess};

use super::access_checks::{AccessCheckResponse, ActionName, BasisName};
use super::auth::{AccessEvents, Authorized};
use super::error::{ApiError, ApiJson, ErrorBody};
use super::ApiState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessEventRequest {
    /// The reporting service's own identifier for the event (1 to 128 printable ASCII characters).
    #[schema(example = "ftp-gw-2026-03-01-000123")]
    pub event_id: String,
    #[schema(example = "noah.meier@staff.portal.example")]
    pub staff: String,
    #[schema(example = "C-100001")]
    pub customer: String,
    #[schema(example = "backup-space:backup-boulangerie-favre")]
    pub resource: String,
    pub action: ActionName,
    /// When the access happened (RFC 3339); at most 5 minutes ahead of the portal's clock, at most 30 days old.
    #[schema(value_type = String, format = DateTime, example = "2026-03-01T09:30:00Z")]
    pub occurred_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccessEventResponse {
    pub event_id: String,
    /// False when this event had been reported before: nothing new was recorded.
    pub recorded: bool,
    /// The basis the policy finds for the access at the time it happened, when it was recorded now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<BasisName>,
}

/// Report an access that happened
///
/// Recorded in the customer's audit log with the basis the access had when it happened: an access without one
/// (`no-active-grant`, …) is recorded all the same, and shows as such.
#[utoipa::path(
    post,
    path = "/access-events",
    tag = "access",
    request_body = AccessEventRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded", body = AccessEventResponse),
        (status = 200, description = "Already recorded under this event id; nothing changed", body = AccessEventResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the access-events scope", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body not sent as JSON", body = ErrorBody),
        (status = 422, description = "A field is invalid, or names a staff member, customer or resource the portal does not know", body = ErrorBody),
        (status = 503, description = "Not recorded; retry", body = ErrorBody),
    )
)]
pub async fn report(
    State(state): State<ApiState>,
    service: Authorized<AccessEvents>,
    ApiJson(request): ApiJson<AccessEventRequest>,
) -> Result<(StatusCode, Json<AccessEventResponse>), ApiError> {
    let occurred_at = DateTime::parse_from_rfc3339(request.occurred_at.trim())
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-field",
                "must be an RFC 3339 time such as 2026-03-01T09:30:00Z",
            )
            .on_field("occurred_at")
        })?;
    let event_id =
        EventId::parse(&request.event_id).map_err(|e| ApiError::invalid("event_id", &e))?;
    let report = ReportedAccess {
        service: service.caller.name.clone(),
        event_id: event_id.clone(),
        staff: EmailAddress::parse(&request.staff).map_err(|e| ApiError::invalid("staff", &e))?,
        customer: CustomerNumber::parse(&request.customer)
            .map_err(|e| ApiError::invalid("customer", &e))?,
        resource: ResourceId::parse(&request.resource)
            .map_err(|e| ApiError::invalid("resource", &e))?,
        action: request.action.into(),
        occurred_at,
        now: state.clock.now(),
    };
    let outcome =
        report_access(state.store.as_ref(), report)
            .await
            .map_err(|error| match error {
                ReportError::UnknownStaff => {
                    ApiError::unknown("unknown-staff", "staff", "no staff member has this email")
                }
                ReportError::UnknownCustomer => ApiError::unknown(
                    "unknown-customer",
                    "customer",
                    "no customer has this number",
                ),
                ReportError::UnknownResource => ApiError::unknown(
                    "unknown-resource",
                    "resource",
                    "this customer has no such resource",
                ),
                ReportError::Invalid(invalid) => ApiError::invalid(invalid.field, &invalid),
                ReportError::Storage(error) => ApiError::unavailable(&error),
            })?;
    let event_id = event_id.to_string();
    Ok(match outcome {
        ReportOutcome::Recorded { decision } => {
            let basis = AccessCheckResponse::from(decision).basis;
            (
                StatusCode::CREATED,
                Json(AccessEventResponse {
                    event_id,
                    recorded: true,
                    basis: Some(basis),
                }),
            )
        }
        ReportOutcome::AlreadyRecorded => (
            StatusCode::OK,
            Json(AccessEventResponse {
                event_id,
                recorded: false,
                basis: None,
            }),
        ),
    })
}
