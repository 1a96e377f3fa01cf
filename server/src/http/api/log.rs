//! The audit log's public face: its signed checkpoints, consistency proofs between two of them, and the key that
//! signs them. No token: nothing here says anything about a customer, only sizes, hashes and signatures, and a
//! customer or an auditor must be able to fetch them without the operator's leave.

use axum::{
    extract::{Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::ApiState;
use crate::audit::checkpoint::CheckpointError;
use crate::audit::transparency::Published;

/// Checkpoints per page of the history.
const HISTORY_PAGE: usize = 1_000;

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointView {
    /// How many entries the tree held.
    pub size: u64,
    /// Base64 of the tree's root hash (SHA-256, RFC 9162).
    pub root: String,
    /// When it was signed (whole seconds, from the timestamped signature).
    pub signed_at: DateTime<Utc>,
    /// The whole signed note (c2sp.org/tlog-checkpoint), to verify with the public key.
    pub note: String,
}

impl CheckpointView {
    pub fn of(published: Published) -> Self {
        Self {
            size: published.checkpoint.size,
            root: STANDARD.encode(published.checkpoint.root),
            signed_at: published.checkpoint.signed_at,
            note: published.note,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointHistory {
    /// Oldest first.
    pub checkpoints: Vec<CheckpointView>,
    /// The `from_size` that continues the list, when there may be more.
    pub next_from_size: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyProof {
    pub from: u64,
    pub to: u64,
    /// Base64 hashes, in the order of RFC 9162 §2.1.4; empty when `from` is 0 or equals `to`.
    pub proof: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicKeyView {
    /// The log's name: the first line of its checkpoints and the key name of its signatures.
    pub origin: String,
    /// Hex of the 32-byte Ed25519 public key; compare it with the one the operator publishes elsewhere.
    pub public_key: String,
    /// The same key as a signed-note verifier key (`name+keyid+base64(0x01 ‖ key)`), for transparency-log tools.
    pub verifier_key: String,
}

fn unavailable_checkpoints(error: &CheckpointError) -> ApiError {
    ApiError::unavailable(error)
}

#[utoipa::path(
    get,
    path = "/log/checkpoint",
    tag = "log",
    responses(
        (status = 200, description = "The newest signed checkpoint, as a signed note", content_type = "text/plain", body = String),
        (status = 404, description = "No checkpoint was signed yet", body = ErrorBody),
        (status = 503, description = "Retry", body = ErrorBody),
    )
)]
pub async fn latest(State(state): State<ApiState>) -> Result<Response, ApiError> {
    match state
        .log
        .latest()
        .map_err(|error| unavailable_checkpoints(&error))?
    {
        Some(published) => Ok((
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            published.note,
        )
            .into_response()),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "no checkpoint has been signed yet",
        )),
    }
}

fn number(query: &HashMap<String, String>, name: &'static str) -> Result<Option<u64>, ApiError> {
    query
        .get(name)
        .map(|value| {
            value.trim().parse::<u64>().map_err(|_| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-field",
                    "must be a whole number of entries (0 or more)",
                )
                .on_field(name)
            })
        })
        .transpose()
}

fn only(
    query: &HashMap<String, String>,
    allowed: &[&str],
    message: &'static str,
) -> Result<(), ApiError> {
    if query.keys().any(|name| !allowed.contains(&name.as_str())) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-request",
            message,
        ));
    }
    Ok(())
}

#[utoipa::path(
    get,
    path = "/log/checkpoints",
    tag = "log",
    params(("from_size" = Option<u64>, Query, description = "Only checkpoints of at least this many entries (default 0)")),
    responses(
        (status = 200, description = "Signed checkpoints, oldest first, up to 1000", body = CheckpointHistory),
        (status = 422, description = "An unknown query parameter, or from_size is not a number", body = ErrorBody),
        (status = 503, description = "Retry", body = ErrorBody),
    )
)]
pub async fn history(
    State(state): State<ApiState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<CheckpointHistory>, ApiError> {
    only(
        &query,
        &["from_size"],
        "the only query parameter is from_size",
    )?;
    let from_size = number(&query, "from_size")?.unwrap_or(0);
    let page = state
        .log
        .history(from_size, HISTORY_PAGE + 1)
        .map_err(|error| unavailable_checkpoints(&error))?;
    let more = page.len() > HISTORY_PAGE;
    let checkpoints: Vec<CheckpointView> = page
        .into_iter()
        .take(HISTORY_PAGE)
        .map(CheckpointView::of)
        .collect();
    let next_from_size = more
        .then(|| checkpoints.last().map(|last| last.size + 1))
        .flatten();
    Ok(Json(CheckpointHistory {
        checkpoints,
        next_from_size,
    }))
}

#[utoipa::path(
    get,
    path = "/log/consistency",
    tag = "log",
    params(
        ("from" = u64, Query, description = "The older tree's size"),
        ("to" = u64, Query, description = "The newer tree's size, at most the log's"),
    ),
    responses(
        (status = 200, description = "The proof that the first `from` entries of the tree of `to` are the tree of `from`", body = ConsistencyProof),
        (status = 422, description = "A size is missing, not a number, or out of order or range", body = ErrorBody),
        (status = 503, description = "Retry", body = ErrorBody),
    )
)]
pub async fn consistency(
    State(state): State<ApiState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<ConsistencyProof>, ApiError> {
    only(
        &query,
        &["from", "to"],
        "the query parameters are from and to",
    )?;
    let missing = |field: &'static str| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            "is required",
        )
        .on_field(field)
    };
    let from = number(&query, "from")?.ok_or_else(|| missing("from"))?;
    let to = number(&query, "to")?.ok_or_else(|| missing("to"))?;
    if from > to {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            "must not be larger than to",
        )
        .on_field("from"));
    }
    let size = state
        .log
        .tree_size()
        .await
        .map_err(|error| ApiError::unavailable(&error))?;
    if to > size {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            format!("the log's tree holds {size} entries"),
        )
        .on_field("to"));
    }
    let proof = state
        .log
        .consistency(from, to)
        .await
        .map_err(|error| ApiError::unavailable(&error))?;
    Ok(Json(ConsistencyProof {
        from,
        to,
        proof: proof.iter().map(|hash| STANDARD.encode(hash)).collect(),
    }))
}

#[utoipa::path(
    get,
    path = "/log/public-key",
    tag = "log",
    responses((status = 200, description = "The key that signs the checkpoints", body = PublicKeyView))
)]
pub async fn public_key(State(state): State<ApiState>) -> Json<PublicKeyView> {
    let origin = state.log_origin.to_string();
    Json(PublicKeyView {
        public_key: hex::encode(state.log.public_key().as_bytes()),
        verifier_key: crate::audit::note::verifier_key(&origin, state.log.public_key()),
        origin,
    })
}
