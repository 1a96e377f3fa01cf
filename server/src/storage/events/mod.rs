//! The consent event outbox: events written in the transaction of the change they describe, each queued for every
//! registered webhook endpoint in that same transaction, read back by the pull feed and leased by the delivery
//! worker (`crate::events`).

pub mod deliveries;
pub mod endpoints;

use chrono::{DateTime, Utc};
use std::sync::LazyLock;
use tokio::sync::watch;

use crate::storage::{map_error, on_pool, SqlStore};
use app::ports::StorageError;

/// Inserts `$event` (a `&ConsentEvent`) through the write transaction `$tx` and queues it for every live endpoint.
///
/// The feed's cursor is the event's id, so ids must become visible in their order: a reader that saw id 12 must
/// never later find an id 11 committed after it. The event's transaction therefore takes the audit chain's row lock
/// first (on SQLite the immediate transaction already serialises writers): transactions writing events commit one
/// after the other, in the order their ids were drawn.
macro_rules! insert_event {
    ($tx:ident, $event:expr, $now:expr) => {{
        let event: &app::domain::consent::ConsentEvent = $event;
        let payload = serde_json::to_string(event)
            .map_err(|error| app::ports::StorageError::Internal(Box::new(error)))?;
        sqlx::query("UPDATE audit_chain SET last_id = last_id WHERE singleton = 1")
            .execute(&mut *$tx)
            .await
            .map_err($crate::storage::map_error)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO consent_events (event_type, payload, occurred_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(event.event_type.as_str())
        .bind(payload)
        .bind(event.timestamp)
        .fetch_one(&mut *$tx)
        .await
        .map_err($crate::storage::map_error)?;
        sqlx::query(
            "INSERT INTO webhook_deliveries (event_id, endpoint_id, status, attempts, next_attempt_at) \
             SELECT $1, id, 'queued', 0, $2 FROM webhook_endpoints WHERE removed_at IS NULL",
        )
        .bind(id)
        .bind($now)
        .execute(&mut *$tx)
        .await
        .map_err($crate::storage::map_error)?;
        id
    }};
}
pub(crate) use insert_event;

/// The customer's number, which events name the customer by (the platforms know numbers, not the portal's ids).
macro_rules! customer_number {
    ($tx:ident, $customer:expr) => {{
        let number: String =
            sqlx::query_scalar("SELECT customer_number FROM customers WHERE id = $1")
                .bind($customer)
                .fetch_one(&mut *$tx)
                .await
                .map_err($crate::storage::map_error)?;
        app::domain::CustomerNumber::parse(&number).map_err(app::ports::StorageError::from)?
    }};
}
pub(crate) use customer_number;

/// Counts commits that wrote events in this process, so that the delivery worker and the feed's long polls wake at
/// once instead of at their next poll. Other instances' events are found by polling.
static WRITTEN: LazyLock<watch::Sender<u64>> = LazyLock::new(|| watch::channel(0).0);

/// Called after a transaction that wrote events committed.
pub fn events_written() {
    WRITTEN.send_modify(|count| *count = count.wrapping_add(1));
}

/// A receiver that sees every later [`events_written`].
pub fn on_events_written() -> watch::Receiver<u64> {
    WRITTEN.subscribe()
}

/// One event as stored: its id is the feed's cursor and, as `evt_<id>`, the webhook's id.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredEvent {
    pub id: i64,
    pub event_type: String,
    pub payload: String,
    pub occurred_at: DateTime<Utc>,
}

impl SqlStore {
    /// Events with an id above `after`, in id order, at most `limit`.
    pub async fn events_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StorageError> {
        on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, event_type, payload, occurred_at FROM consent_events WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)
    }
}
