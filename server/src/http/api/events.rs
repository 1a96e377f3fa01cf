//! `GET /api/v1/events`: the consent event feed, for platforms that cannot receive webhooks. A cursor names the last
//! event read; events come in the order they happened, the same ones the webhooks carry, with the same ids. With
//! `wait`, an empty answer waits (long polling) until an event arrives or the wait ends.

use axum::{
    extract::{Query, State},
    http::StatusCode,
    Json,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;
use utoipa::ToSchema;

use super::auth::{Authorized, EventsScope};
use super::error::{ApiError, ErrorBody};
use super::ApiState;
use crate::storage::events::{on_events_written, StoredEvent};

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1_000;
/// Below the server's request time-out (30 s by default), so that a long poll answers rather than times out.
const MAX_WAIT_SECS: u64 = 25;
/// How often a long poll looks for events other instances wrote (this instance's own wake it at once).
const POLL_EVERY: Duration = Duration::from_millis(250);

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedEvent {
    /// The event's id, also its `webhook-id`: a receiver that takes both ways drops a second copy by it.
    #[schema(example = "evt_42")]
    pub id: String,
    /// The cursor to pass as `after` to read on from this event.
    pub cursor: i64,
    /// `grant.created`, `grant.revoked`, `grant.expired`, `grant.ended`, `request.opened`, `request.answered`,
    /// `request.withdrawn` or `request.expired`.
    #[serde(rename = "type")]
    #[schema(example = "grant.revoked")]
    pub event_type: String,
    pub timestamp: DateTime<Utc>,
    /// The event's identifiers: exactly the `data` of the webhook's body.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Feed {
    /// Oldest first.
    pub events: Vec<FeedEvent>,
    /// The `after` for the next call: the last event's cursor, or the one given when there was none.
    pub next_after: i64,
}

const AFTER: &str = "must be a cursor: a whole number of at least 0";
const LIMIT: &str = "must be a whole number from 1 to 1000";
const WAIT: &str = "must be a whole number of seconds from 0 to 25";

fn invalid(field: &'static str, message: &'static str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", message).on_field(field)
}

/// The parameter `name` as a number that `fits`, its default when absent.
fn number<T: std::str::FromStr>(
    query: &HashMap<String, String>,
    name: &'static str,
    message: &'static str,
    default: T,
    fits: impl Fn(&T) -> bool,
) -> Result<T, ApiError> {
    match query.get(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .ok()
            .filter(|value| fits(value))
            .ok_or_else(|| invalid(name, message)),
    }
}

fn feed_event(stored: StoredEvent) -> Result<FeedEvent, ApiError> {
    let mut body: serde_json::Value = serde_json::from_str(&stored.payload).map_err(|error| {
        tracing::error!(event = stored.id, %error, "a stored consent event is not JSON");
        ApiError::for_status(StatusCode::INTERNAL_SERVER_ERROR, None)
    })?;
    Ok(FeedEvent {
        id: format!("evt_{}", stored.id),
        cursor: stored.id,
        event_type: stored.event_type,
        timestamp: stored.occurred_at,
        data: body["data"].take(),
    })
}

/// Read consent events after a cursor
///
/// Needs the `events` scope. Start with `after=0` (every event kept) and pass `next_after` each time. Events carry
/// identifiers only. A platform keeping a staff session open on a resource drops it on `grant.revoked`,
/// `grant.expired` or `grant.ended`.
#[utoipa::path(
    get,
    path = "/events",
    tag = "events",
    params(
        ("after" = Option<i64>, Query, description = "Only events after this cursor (default 0: from the first)"),
        ("limit" = Option<u32>, Query, description = "At most this many events (1 to 1000, default 100)"),
        ("wait" = Option<u64>, Query, description = "Seconds to wait for an event when there is none yet (0 to 25, default 0)"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The events after the cursor, possibly none", body = Feed),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the events scope", body = ErrorBody),
        (status = 422, description = "A parameter is not a number in its range", body = ErrorBody),
        (status = 503, description = "Storage unavailable; retry", body = ErrorBody),
    )
)]
pub async fn feed(
    State(state): State<ApiState>,
    _service: Authorized<EventsScope>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Feed>, ApiError> {
    let after: i64 = number(&query, "after", AFTER, 0, |after| *after >= 0)?;
    let limit: u32 = number(&query, "limit", LIMIT, DEFAULT_LIMIT, |limit| {
        (1..=MAX_LIMIT).contains(limit)
    })?;
    let wait: u64 = number(&query, "wait", WAIT, 0, |wait| *wait <= MAX_WAIT_SECS)?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
    let mut written = on_events_written();
    loop {
        written.borrow_and_update();
        let stored = state
            .events
            .events_after(after, limit)
            .await
            .map_err(|error| ApiError::unavailable(&error))?;
        if !stored.is_empty() || tokio::time::Instant::now() >= deadline {
            let events = stored
                .into_iter()
                .map(feed_event)
                .collect::<Result<Vec<_>, _>>()?;
            let next_after = events.last().map_or(after, |event| event.cursor);
            return Ok(Json(Feed { events, next_after }));
        }
        let _ = tokio::time::timeout_at(
            deadline.min(tokio::time::Instant::now() + POLL_EVERY),
            written.changed(),
        )
        .await;
    }
}
