//! Deliveries as the webhook worker sees them. As for the mail outbox, a worker leases due deliveries by pushing
//! their next attempt to the end of its lease; another worker (another instance) takes them up again if the first
//! dies before settling them, so a delivery may be sent twice, always under the same webhook id.

use chrono::{DateTime, Utc};

use async_trait::async_trait;

use crate::storage::{in_write_tx, map_error, on_pool, SqlStore};
use app::ports::{DeliveryAttempt, DeliveryCounts, EventDeliveryLog, StorageError};

/// A due delivery with what sending it needs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LeasedDelivery {
    pub id: i64,
    pub event_id: i64,
    pub payload: String,
    pub occurred_at: DateTime<Utc>,
    pub url: String,
    pub secret: String,
    /// Attempts before this one.
    pub attempts: i32,
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    Delivered,
    RetryAt(DateTime<Utc>),
    Dead,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub delivery: i64,
    pub at: DateTime<Utc>,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub millis: i64,
    pub settlement: Settlement,
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    pub attempted_at: DateTime<Utc>,
    pub service: String,
    pub url: String,
    pub event_id: i64,
    pub event_type: String,
    pub attempt: i64,
    pub http_status: Option<i32>,
    pub error: Option<String>,
    pub millis: i32,
    pub status: String,
}

impl From<AttemptRow> for DeliveryAttempt {
    fn from(row: AttemptRow) -> Self {
        Self {
            at: row.attempted_at,
            service: row.service,
            url: row.url,
            event: format!("evt_{}", row.event_id),
            event_type: row.event_type,
            attempt: row.attempt,
            http_status: row
                .http_status
                .and_then(|status| u16::try_from(status).ok()),
            error: row.error,
            millis: i64::from(row.millis),
            delivery_state: row.status,
        }
    }
}

macro_rules! lease_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE webhook_deliveries SET lease_owner = $1, lease_until = $2, next_attempt_at = $2 WHERE id IN (",
            "SELECT id FROM webhook_deliveries WHERE status = 'queued' AND next_attempt_at <= $3 ",
            "ORDER BY next_attempt_at, id LIMIT $4",
            $lock,
            ") RETURNING id"
        )
    };
}

const LEASED: &str = "SELECT d.id, d.event_id, e.payload, e.occurred_at, w.url, w.secret, d.attempts \
     FROM webhook_deliveries d JOIN consent_events e ON e.id = d.event_id \
     JOIN webhook_endpoints w ON w.id = d.endpoint_id \
     WHERE d.lease_owner = $1 AND d.lease_until = $2 AND d.status = 'queued' ORDER BY d.event_id, d.id";

impl SqlStore {
    /// Takes up to `limit` due deliveries for `owner` until `lease_until`, oldest event first.
    pub async fn lease_deliveries(
        &self,
        owner: &str,
        limit: u32,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<LeasedDelivery>, StorageError> {
        let limit = i64::from(limit);
        // Most polls find nothing due: a read first keeps them from taking SQLite's write lock.
        let due: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT id FROM webhook_deliveries WHERE status = 'queued' AND next_attempt_at <= $1 LIMIT 1",
            )
            .bind(now)
            .fetch_optional(pool)
            .await
        })
        .map_err(map_error)?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let leased: Vec<i64> = match self {
            Self::Sqlite(_) => in_write_tx!(self, tx => {
                sqlx::query_scalar(lease_sql!(""))
                    .bind(owner)
                    .bind(lease_until)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(map_error)?
            }),
            // Concurrent workers on PostgreSQL skip the rows another one is leasing instead of waiting for them.
            Self::Postgres(pool) => sqlx::query_scalar(lease_sql!(" FOR UPDATE SKIP LOCKED"))
                .bind(owner)
                .bind(lease_until)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await
                .map_err(map_error)?,
        };
        if leased.is_empty() {
            return Ok(Vec::new());
        }
        on_pool!(self, pool => {
            sqlx::query_as(LEASED).bind(owner).bind(lease_until).fetch_all(pool).await
        })
        .map_err(map_error)
    }

    /// Records the attempts of one batch and settles each delivery, in one transaction. A delivery whose lease
    /// `owner` lost (it ran out and another worker took it) keeps the other worker's state; its attempt is recorded.
    pub async fn settle_deliveries(
        &self,
        owner: &str,
        attempts: &[Attempt],
    ) -> Result<(), StorageError> {
        if attempts.is_empty() {
            return Ok(());
        }
        in_write_tx!(self, tx => {
            for attempt in attempts {
                let error = attempt.error.as_deref().map(truncated);
                let (status, next, delivered_at) = match &attempt.settlement {
                    Settlement::Delivered => ("delivered", attempt.at, Some(attempt.at)),
                    Settlement::RetryAt(next) => ("queued", *next, None),
                    Settlement::Dead => ("dead", attempt.at, None),
                };
                sqlx::query(
                    "UPDATE webhook_deliveries SET status = $3, next_attempt_at = $4, delivered_at = $5, \
                     attempts = attempts + 1, last_error = $6, lease_owner = NULL, lease_until = NULL \
                     WHERE id = $1 AND lease_owner = $2 AND status = 'queued'",
                )
                .bind(attempt.delivery)
                .bind(owner)
                .bind(status)
                .bind(next)
                .bind(delivered_at)
                .bind(error.as_deref())
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
                sqlx::query(
                    "INSERT INTO webhook_attempts (delivery_id, attempted_at, http_status, error, millis) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(attempt.delivery)
                .bind(attempt.at)
                .bind(attempt.http_status.map(i32::from))
                .bind(error.as_deref())
                .bind(i32::try_from(attempt.millis).unwrap_or(i32::MAX))
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            }
        });
        Ok(())
    }

    /// Gives leased deliveries back untried (a worker stopping), due at once for any worker.
    pub async fn release_deliveries(
        &self,
        owner: &str,
        ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        in_write_tx!(self, tx => {
            for id in ids {
                sqlx::query(
                    "UPDATE webhook_deliveries SET next_attempt_at = $3, lease_owner = NULL, lease_until = NULL \
                     WHERE id = $1 AND lease_owner = $2 AND status = 'queued'",
                )
                .bind(id)
                .bind(owner)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            }
        });
        Ok(())
    }
}

#[async_trait]
impl EventDeliveryLog for SqlStore {
    async fn delivery_attempts(&self, limit: u32) -> Result<Vec<DeliveryAttempt>, StorageError> {
        let rows: Vec<AttemptRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT a.attempted_at, w.service, w.url, d.event_id, e.event_type, \
                 (SELECT COUNT(*) FROM webhook_attempts b WHERE b.delivery_id = a.delivery_id AND b.id <= a.id) \
                 AS attempt, a.http_status, a.error, a.millis, d.status \
                 FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id \
                 JOIN webhook_endpoints w ON w.id = d.endpoint_id JOIN consent_events e ON e.id = d.event_id \
                 ORDER BY a.id DESC LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        Ok(rows.into_iter().map(DeliveryAttempt::from).collect())
    }

    async fn delivery_counts(&self) -> Result<DeliveryCounts, StorageError> {
        let rows: Vec<(String, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT status, COUNT(*) FROM webhook_deliveries GROUP BY status")
                .fetch_all(pool)
                .await
        })
        .map_err(map_error)?;
        let mut counts = DeliveryCounts::default();
        for (status, count) in rows {
            match status.as_str() {
                "queued" => counts.queued = count,
                "delivered" => counts.delivered = count,
                "dead" => counts.dead = count,
                _ => {}
            }
        }
        Ok(counts)
    }
}

/// A receiver's answer is kept for people to read; it is not allowed to fill the database.
fn truncated(reason: &str) -> String {
    reason.chars().take(300).collect()
}
