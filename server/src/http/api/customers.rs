//! `POST /api/v1/directory/customers`: the operator's billing or CRM system keeps the portal's customers, their
//! contracts and services in step, in batches. Each record is answered on its own: a bad one is refused with what
//! is wrong and writes nothing, the others are stored.

use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::ports::EventSource;
use app::usecases::directory::RawRecord;

use super::auth::{Authorized, DirectoryScope};
use super::error::{ApiError, ApiJson, ErrorBody};
use super::ApiState;
use crate::directory_sync::{sync_batch, RecordResult, Summary, MAX_BATCH};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    /// 1 to 1000 records, within the portal's body limit (64 KiB unless configured: about 150 records). Each is
    /// `{number, first_name, last_name, company?, email, phone?, mobile?, language ("fr" or "en"), street, postcode,
    /// city, country, contracts: [{number, started_at, services: [{kind, name}]}]}`; `kind` is `web-space`,
    /// `backup-space` or `mailbox`.
    #[schema(value_type = Vec<Object>)]
    pub customers: Vec<serde_json::Value>,
    /// Send each customer created a link (valid 7 days) to choose a password; the answer says whom.
    #[serde(default)]
    pub invite: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordAnswer {
    /// The record's position in the request, from 0.
    pub index: usize,
    /// Its customer number, as sent.
    pub number: Option<String>,
    /// `created`, `updated` (with `fields`, `contracts_added`, `services_added`), `unchanged`, or `refused` (with
    /// `field`, when one is at fault, and `reason`).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub result: RecordResult,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SyncResponse {
    pub results: Vec<RecordAnswer>,
    #[schema(value_type = Object)]
    pub summary: Summary,
}

/// Create or update customers from the operator's directory
///
/// Idempotent by the operator's numbers: a customer is found by its customer number, a contract by its contract
/// number, a service by its kind and name. Only what differs is written, and each change is in the customer's
/// audit log (which fields, never their values) and on their "my data" page; a record sent again unchanged writes
/// nothing. Services and contracts missing from a record are left as they are.
#[utoipa::path(
    post,
    path = "/directory/customers",
    tag = "directory",
    request_body = SyncRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every record answered, in order; refused ones wrote nothing", body = SyncResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the directory scope", body = ErrorBody),
        (status = 413, description = "Body too large: send smaller batches", body = ErrorBody),
        (status = 415, description = "Body not sent as JSON", body = ErrorBody),
        (status = 422, description = "No records, or more than 1000", body = ErrorBody),
        (status = 503, description = "Nothing of the batch was written; retry", body = ErrorBody),
    )
)]
pub async fn sync(
    State(state): State<ApiState>,
    service: Authorized<DirectoryScope>,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<Json<SyncResponse>, ApiError> {
    if request.customers.is_empty() || request.customers.len() > MAX_BATCH {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            "send 1 to 1000 customers per call",
        )
        .on_field("customers"));
    }
    let numbers: Vec<Option<String>> = request
        .customers
        .iter()
        .map(|value| {
            value
                .get("number")
                .and_then(|number| number.as_str())
                .map(str::to_owned)
        })
        .collect();
    let batch = request
        .customers
        .into_iter()
        .map(|value| serde_json::from_value::<RawRecord>(value).map_err(|error| error.to_string()))
        .collect();
    let source = EventSource::Service(service.caller.name.clone());
    let invite_from = request.invite.then_some(state.portal_origin.as_ref());
    let results = sync_batch(
        state.store.as_ref(),
        batch,
        source,
        invite_from,
        state.clock.now(),
    )
    .await
    .map_err(|error| ApiError::unavailable(&error))?;
    let mut summary = Summary::default();
    let results = results
        .into_iter()
        .zip(numbers)
        .enumerate()
        .map(|(index, (result, number))| {
            summary.add(&result);
            RecordAnswer {
                index,
                number,
                result,
            }
        })
        .collect();
    Ok(Json(SyncResponse { results, summary }))
}
