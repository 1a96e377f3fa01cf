//! What the privacy officer's view of webhook deliveries needs: every attempt to tell the infrastructure about a
//! consent event, with what the receiver answered.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StorageError;

/// One attempt to deliver one event to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    pub at: DateTime<Utc>,
    pub service: String,
    pub url: String,
    /// `evt_<id>`: the webhook's id.
    pub event: String,
    pub event_type: String,
    /// 1 for the first attempt of this delivery.
    pub attempt: i64,
    /// The receiver's HTTP status, when it answered.
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub millis: i64,
    /// The delivery's state now: `queued` (to be retried), `delivered`, `dead` or `cancelled`.
    pub delivery_state: String,
}

/// How many deliveries are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    pub queued: i64,
    pub delivered: i64,
    pub dead: i64,
}

#[async_trait]
pub trait EventDeliveryLog: Send + Sync {
    /// The newest attempts, newest first, at most `limit`.
    async fn delivery_attempts(&self, limit: u32) -> Result<Vec<DeliveryAttempt>, StorageError>;

    async fn delivery_counts(&self) -> Result<DeliveryCounts, StorageError>;
}
