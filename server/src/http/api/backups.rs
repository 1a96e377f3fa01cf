//! The backup system's side of charter §6: it registers each snapshot, asks what must be destroyed now, and
//! confirms each destruction. A snapshot's destruction is due 7 days after it was taken, whatever the state of its
//! contract.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    Json,
};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

use app::domain::consent::{SnapshotContent, SnapshotId};
use app::domain::{AuditEvent, CustomerNumber};
use app::ports::{
    Actor, AuditBasis, AuditEntry, ConfirmOutcome, EventSource, NewSnapshot, RegisterOutcome,
    SnapshotRecord,
};

use super::auth::{Authorized, BackupsScope};
use super::error::{ApiError, ApiJson, ErrorBody};
use super::ApiState;

/// How far ahead of the portal's clock a snapshot's time may be (clock skew between machines).
const MAX_CLOCK_SKEW_MINUTES: i64 = 5;
/// The most snapshots one `GET /backups/due` returns; the backup system asks again after destroying them.
const DUE_PAGE: u32 = 1000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterSnapshotRequest {
    /// The backup system's identifier for the snapshot (letters, digits, `-`, `_`, `.`, `:`; at most 128).
    #[schema(example = "bk-2026-03-01-0200-favre-web")]
    pub id: String,
    #[schema(example = "C-100001")]
    pub customer: String,
    /// What the snapshot is a copy of: `web-space:<domain>`, `backup-space:<name>` or `mailbox:<address>`.
    #[schema(example = "web-space:boulangerie-favre.ch")]
    pub holds: String,
    /// When the snapshot was taken (RFC 3339); at most 5 minutes ahead of the portal's clock.
    #[schema(value_type = String, format = DateTime, example = "2026-03-01T02:00:00Z")]
    pub taken_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotResponse {
    pub id: String,
    pub customer: String,
    pub holds: String,
    pub contract: String,
    /// Whether the contract was terminated; the due time does not depend on it.
    pub contract_terminated: bool,
    #[schema(value_type = String, format = DateTime)]
    pub taken_at: DateTime<Utc>,
    /// `taken_at` + 7 days.
    #[schema(value_type = String, format = DateTime)]
    pub destruction_due_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub destroyed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub overdue_flagged_at: Option<DateTime<Utc>>,
}

impl From<SnapshotRecord> for SnapshotResponse {
    fn from(record: SnapshotRecord) -> Self {
        Self {
            id: record.id.to_string(),
            customer: record.customer_number.to_string(),
            holds: record.holds.to_string(),
            contract: record.contract_number,
            contract_terminated: record.contract_terminated_at.is_some(),
            taken_at: record.taken_at,
            destruction_due_at: record.due_at,
            destroyed_at: record.destroyed_at,
            overdue_flagged_at: record.overdue_flagged_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DueResponse {
    #[schema(value_type = String, format = DateTime)]
    pub now: DateTime<Utc>,
    /// Due and not confirmed destroyed, oldest due first (at most 1000; ask again after destroying them).
    pub due: Vec<SnapshotResponse>,
}

fn system_entry(
    event: AuditEvent,
    service: &str,
    now: DateTime<Utc>,
    detail: String,
) -> AuditEntry {
    AuditEntry {
        at: now,
        event,
        actor: Actor::System,
        // The store fills in the customer and the snapshot.
        customer: None,
        resource: None,
        action: None,
        basis: AuditBasis::StaffRole,
        source: EventSource::Service(service.to_owned()),
        detail: Some(detail),
    }
}

/// Register a snapshot
///
/// Its destruction is due 7 days after `taken_at`. Registering the same snapshot again (same id, customer,
/// content and time) changes nothing and answers 200.
#[utoipa::path(
    post,
    path = "/backups",
    tag = "backups",
    request_body = RegisterSnapshotRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered", body = SnapshotResponse),
        (status = 200, description = "Registered before; nothing changed", body = SnapshotResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the backups scope", body = ErrorBody),
        (status = 409, description = "Another snapshot has this id", body = ErrorBody),
        (status = 422, description = "A field is invalid, or names a customer or resource the portal does not know", body = ErrorBody),
        (status = 503, description = "Not registered; retry", body = ErrorBody),
    )
)]
pub async fn register(
    State(state): State<ApiState>,
    service: Authorized<BackupsScope>,
    ApiJson(request): ApiJson<RegisterSnapshotRequest>,
) -> Result<(StatusCode, Json<SnapshotResponse>), ApiError> {
    let now = state.clock.now();
    let id = SnapshotId::parse(&request.id).map_err(|e| ApiError::invalid("id", &e))?;
    let number =
        CustomerNumber::parse(&request.customer).map_err(|e| ApiError::invalid("customer", &e))?;
    let holds =
        SnapshotContent::parse(&request.holds).map_err(|e| ApiError::invalid("holds", &e))?;
    let taken_at = DateTime::parse_from_rfc3339(request.taken_at.trim())
        .map(|at| at.with_timezone(&Utc).trunc_subsecs(6))
        .map_err(|_| invalid_time("must be an RFC 3339 time such as 2026-03-01T02:00:00Z"))?;
    if taken_at > now + Duration::minutes(MAX_CLOCK_SKEW_MINUTES) {
        return Err(invalid_time("is in the future"));
    }
    let customer = state.known_customer(&number).await?;
    let snapshot = NewSnapshot {
        id,
        customer: customer.id,
        holds: holds.clone(),
        taken_at,
        registered_by: service.caller.name.clone(),
    };
    let audit = system_entry(
        AuditEvent::BackupRegistered,
        &service.caller.name,
        now,
        app::log_detail!(
            "copy of {holds} taken {moment}",
            moment = taken_at.format("%Y-%m-%d %H:%M UTC")
        ),
    );
    let outcome = state
        .store
        .register_snapshot(&snapshot, &audit)
        .await
        .map_err(|error| ApiError::unavailable(&error))?;
    match outcome {
        RegisterOutcome::Registered(record) => Ok((StatusCode::CREATED, Json(record.into()))),
        RegisterOutcome::AlreadyRegistered(record) => Ok((StatusCode::OK, Json(record.into()))),
        RegisterOutcome::IdTaken => Err(ApiError::new(
            StatusCode::CONFLICT,
            "snapshot-id-taken",
            "another snapshot is registered under this id",
        )
        .on_field("id")),
        RegisterOutcome::UnknownContent => Err(ApiError::unknown(
            "unknown-resource",
            "holds",
            "this customer has no such web space, backup space or mailbox",
        )),
    }
}

fn invalid_time(message: &'static str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", message).on_field("taken_at")
}

/// What must be destroyed now
///
/// Every snapshot whose destruction is due (7 days after it was taken) and not yet confirmed, terminated
/// contracts included.
#[utoipa::path(
    get,
    path = "/backups/due",
    tag = "backups",
    params(("limit" = Option<u32>, Query, description = "At most this many (1 to 1000, the default)")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Due now", body = DueResponse),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the backups scope", body = ErrorBody),
        (status = 422, description = "An unknown query parameter, or a limit out of range", body = ErrorBody),
        (status = 503, description = "Retry", body = ErrorBody),
    )
)]
pub async fn due(
    State(state): State<ApiState>,
    _service: Authorized<BackupsScope>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<DueResponse>, ApiError> {
    let mut limit = DUE_PAGE;
    for (name, value) in &query {
        if name != "limit" {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-request",
                "the only query parameter is limit",
            ));
        }
        limit = value
            .parse::<u32>()
            .ok()
            .filter(|limit| (1..=DUE_PAGE).contains(limit))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-field",
                    "limit must be a whole number from 1 to 1000",
                )
                .on_field("limit")
            })?;
    }
    let now = state.clock.now();
    let due = state
        .store
        .snapshots_due(now, limit)
        .await
        .map_err(|error| ApiError::unavailable(&error))?;
    Ok(Json(DueResponse {
        now,
        due: due.into_iter().map(Into::into).collect(),
    }))
}

/// Confirm a snapshot destroyed
///
/// Confirming again changes nothing and answers 200. A snapshot whose destruction is not due yet cannot be
/// confirmed (409): the portal would otherwise show the customer a destruction that should not have happened yet.
#[utoipa::path(
    post,
    path = "/backups/{id}/destroyed",
    tag = "backups",
    params(("id" = String, Path, description = "The snapshot's id", example = "bk-2026-03-01-0200-favre-web")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Destruction recorded (or recorded before)", body = SnapshotResponse),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the backups scope", body = ErrorBody),
        (status = 404, description = "No snapshot has this id", body = ErrorBody),
        (status = 409, description = "Its destruction is not due yet", body = ErrorBody),
        (status = 422, description = "The id is not a snapshot identifier", body = ErrorBody),
        (status = 503, description = "Not recorded; retry", body = ErrorBody),
    )
)]
pub async fn destroyed(
    State(state): State<ApiState>,
    service: Authorized<BackupsScope>,
    Path(id): Path<String>,
) -> Result<Json<SnapshotResponse>, ApiError> {
    let id = SnapshotId::parse(&id).map_err(|e| ApiError::invalid("id", &e))?;
    let now = state.clock.now();
    let audit = system_entry(
        AuditEvent::BackupDestroyed,
        &service.caller.name,
        now,
        app::log_detail!(
            "destruction confirmed by {service}",
            service = service.caller.name
        ),
    );
    let outcome = state
        .store
        .confirm_destroyed(&id, &service.caller.name, &audit)
        .await
        .map_err(|error| ApiError::unavailable(&error))?;
    match outcome {
        ConfirmOutcome::Confirmed(record) | ConfirmOutcome::AlreadyConfirmed(record) => {
            Ok(Json(record.into()))
        }
        ConfirmOutcome::NotDueYet(record) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "not-due-yet",
            format!(
                "this snapshot must be kept until {}",
                record.due_at.to_rfc3339()
            ),
        )),
        ConfirmOutcome::NoSuchSnapshot => Err(unknown_snapshot()),
    }
}

fn unknown_snapshot() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown-snapshot",
        "no snapshot is registered under this id",
    )
}
