//! What an operator watches, counted in the database: read at each metrics scrape, so each query walks an index
//! and touches only the rows it counts, never a whole table.

use chrono::{DateTime, Utc};

use super::{map_error, on_pool, SqlStore};
use app::ports::StorageError;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationalCounts {
    /// The chain's head: entry ids run from 1 without gaps, so this is how many entries the log holds.
    pub audit_entries: i64,
    pub outbox_queued: i64,
    pub outbox_oldest_queued_at: Option<DateTime<Utc>>,
    pub outbox_dead: i64,
    pub webhooks_queued: i64,
    pub webhooks_dead: i64,
    pub overdue_destructions: i64,
    pub sessions_active: i64,
}

/// This instance's connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    pub size: i64,
    pub idle: i64,
    pub max: i64,
}

impl SqlStore {
    pub async fn operational_counts(
        &self,
        now: DateTime<Utc>,
    ) -> Result<OperationalCounts, StorageError> {
        let (outbox_queued, outbox_oldest_queued_at): (i64, Option<DateTime<Utc>>) = on_pool!(self, pool => {
            sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'queued'")
                .fetch_one(pool)
                .await
        })
        .map_err(map_error)?;
        let count = |sql: &'static str| async move {
            on_pool!(self, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await)
                .map_err(map_error)
        };
        let sessions_active = on_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM sessions WHERE expires_at > $1 AND account_id IS NOT NULL",
            )
            .bind(now)
            .fetch_one(pool)
            .await
        })
        .map_err(map_error)?;
        Ok(OperationalCounts {
            audit_entries: count("SELECT last_id FROM audit_chain WHERE singleton = 1").await?,
            outbox_queued,
            outbox_oldest_queued_at,
            outbox_dead: count("SELECT COUNT(*) FROM outbox WHERE status = 'dead'").await?,
            webhooks_queued: count(
                "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'queued'",
            )
            .await?,
            webhooks_dead: count("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'dead'")
                .await?,
            overdue_destructions: count(
                "SELECT COUNT(*) FROM backup_snapshots \
                 WHERE destroyed_at IS NULL AND overdue_flagged_at IS NOT NULL",
            )
            .await?,
            sessions_active,
        })
    }

    pub fn pool_use(&self) -> PoolUse {
        let (size, idle, max) = on_pool!(self, pool => (
            pool.size(),
            pool.num_idle(),
            pool.options().get_max_connections(),
        ));
        PoolUse {
            size: i64::from(size),
            idle: i64::try_from(idle).unwrap_or(i64::MAX),
            max: i64::from(max),
        }
    }
}
