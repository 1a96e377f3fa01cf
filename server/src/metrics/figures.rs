//! The figures read at each scrape.

use chrono::{DateTime, Utc};

use crate::audit::transparency::LogTransparency;
use crate::storage::SqlStore;
use app::ports::{AuditLog, StorageError};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub audit_entries: i64,
    pub audit_unsigned: i64,
    pub checkpoint_age_secs: Option<f64>,
    pub verification_ok: bool,
    pub verification_age_secs: Option<f64>,
    pub outbox_queued: i64,
    pub outbox_dead: i64,
    pub outbox_oldest_queued_age_secs: f64,
    pub webhooks_queued: i64,
    pub webhooks_dead: i64,
    pub overdue_destructions: i64,
    pub sessions_active: i64,
    pub pool_idle: i64,
    pub pool_in_use: i64,
    pub pool_max: i64,
}

/// Never negative: what finished while the scrape read (after its `now`) is zero seconds old, not from the future.
fn seconds_since(then: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    // Microseconds, so that the division is exact enough and nothing overflows.
    ((now - then).num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6).max(0.0)
}

impl Figures {
    pub async fn gather(
        store: &SqlStore,
        log: &LogTransparency,
        now: DateTime<Utc>,
    ) -> Result<Self, StorageError> {
        let counts = store.operational_counts(now).await?;
        let verification = store.verification_status().await?;
        let entries = counts.audit_entries;
        // An unreadable checkpoint file is reported as no checkpoint: the age alert then fires, which is right.
        let latest = log.latest().ok().flatten();
        let signed = latest.as_ref().map_or(0, |published| {
            i64::try_from(published.checkpoint.size).unwrap_or(i64::MAX)
        });
        let pool = store.pool_use();
        Ok(Self {
            audit_entries: entries,
            audit_unsigned: (entries - signed).max(0),
            checkpoint_age_secs: latest
                .map(|published| seconds_since(published.checkpoint.signed_at, now)),
            verification_ok: verification
                .as_ref()
                .is_some_and(|status| status.problem.is_none()),
            verification_age_secs: verification
                .map(|status| seconds_since(status.finished_at, now)),
            outbox_queued: counts.outbox_queued,
            outbox_dead: counts.outbox_dead,
            outbox_oldest_queued_age_secs: counts
                .outbox_oldest_queued_at
                .map_or(0.0, |oldest| seconds_since(oldest, now)),
            webhooks_queued: counts.webhooks_queued,
            webhooks_dead: counts.webhooks_dead,
            overdue_destructions: counts.overdue_destructions,
            sessions_active: counts.sessions_active,
            pool_idle: pool.idle,
            pool_in_use: pool.size - pool.idle,
            pool_max: pool.max,
        })
    }
}
