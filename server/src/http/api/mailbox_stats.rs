//! `PUT /api/v1/mailboxes/{address}/stats`: the mail platform pushes a mailbox's aggregates (charter §5). The body
//! has exactly three fields, and each folder exactly two: anything else — a subject, a sender, a date, the size of
//! one message — is refused with 422 before anything is stored.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::domain::mailbox::{FolderStats, MailboxStats};
use app::domain::EmailAddress;
use app::ports::StatsWrite;

use super::auth::{Authorized, MailboxStatsScope};
use super::error::{ApiError, ApiJson, ErrorBody};
use super::ApiState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailboxStatsRequest {
    /// Messages in the whole mailbox.
    #[schema(example = 1234)]
    pub messages: i64,
    /// Bytes the whole mailbox takes.
    #[schema(example = 73_400_320)]
    pub bytes: i64,
    /// Every folder with its message count, in the order the mail platform lists them.
    pub folders: Vec<FolderRequest>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FolderRequest {
    #[schema(example = "INBOX")]
    pub name: String,
    #[schema(example = 1000)]
    pub messages: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MailboxStatsResponse {
    pub mailbox: String,
    /// When the portal received these aggregates: what support sees them "as of".
    #[schema(value_type = String, format = DateTime)]
    pub as_of: DateTime<Utc>,
}

/// Replace a mailbox's aggregates
///
/// Aggregates only: `{messages, bytes, folders: [{name, messages}]}`. Any other field, at any level, is refused
/// with 422 and nothing is stored.
#[utoipa::path(
    put,
    path = "/mailboxes/{address}/stats",
    tag = "mailboxes",
    params(("address" = String, Path, description = "The mailbox's address", example = "jeanne.favre@boulangerie-favre.ch")),
    request_body = MailboxStatsRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Stored", body = MailboxStatsResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the mailbox-stats scope", body = ErrorBody),
        (status = 404, description = "No customer has this mailbox", body = ErrorBody),
        (status = 415, description = "Body not sent as JSON", body = ErrorBody),
        (status = 422, description = "A field other than the aggregates, an invalid value, or an address that is not one", body = ErrorBody),
        (status = 503, description = "Not stored; retry", body = ErrorBody),
    )
)]
pub async fn put(
    State(state): State<ApiState>,
    _service: Authorized<MailboxStatsScope>,
    Path(address): Path<String>,
    ApiJson(request): ApiJson<MailboxStatsRequest>,
) -> Result<Json<MailboxStatsResponse>, ApiError> {
    let mailbox = EmailAddress::parse(&address).map_err(|e| ApiError::invalid("address", &e))?;
    let folders = request
        .folders
        .into_iter()
        .map(|folder| FolderStats {
            name: folder.name,
            messages: folder.messages,
        })
        .collect();
    let stats = MailboxStats::new(request.messages, request.bytes, folders)
        .map_err(|e| ApiError::invalid(e.field, &e))?;
    let as_of = state.clock.now().trunc_subsecs(6);
    match state
        .store
        .put_mailbox_stats(&mailbox, &stats, as_of)
        .await
        .map_err(|error| ApiError::unavailable(&error))?
    {
        StatsWrite::Stored => Ok(Json(MailboxStatsResponse {
            mailbox: mailbox.to_string(),
            as_of,
        })),
        StatsWrite::UnknownMailbox => Err(unknown_mailbox()),
    }
}

fn unknown_mailbox() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown-mailbox",
        "no customer has a mailbox with this address",
    )
}
