//! What several instances on one database share out: job leases (one holder at a time), and the log of signed
//! audit checkpoints that every instance copies into its own file.

use chrono::{DateTime, Utc};

use super::{map_error, on_pool, SqlStore};
use app::ports::StorageError;

impl SqlStore {
    /// Takes or renews the lease on `job` until `until` if nobody else holds it at `now`; whether `holder` has it.
    pub async fn take_job_lease(
        &self,
        job: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let taken: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO job_leases (job, holder, until) VALUES ($1, $2, $4) \
                 ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, until = excluded.until \
                 WHERE job_leases.holder = excluded.holder OR job_leases.until <= $3 \
                 RETURNING holder",
            )
            .bind(job)
            .bind(holder)
            .bind(now)
            .bind(until)
            .fetch_optional(pool)
            .await
        })
        .map_err(map_error)?;
        Ok(taken.is_some())
    }

    /// Gives the lease up, so that another instance need not wait for it to run out.
    pub async fn release_job_lease(&self, job: &str, holder: &str) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM job_leases WHERE job = $1 AND holder = $2")
                .bind(job)
                .bind(holder)
                .execute(pool)
                .await
                .map(drop)
        })
        .map_err(map_error)
    }

    /// Keeps a signed checkpoint's line for the other instances; a second one of the same size is dropped.
    pub async fn record_checkpoint(
        &self,
        size: i64,
        line: &str,
        signed_by: &str,
        signed_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO audit_checkpoints (size, line, signed_by, signed_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (size) DO NOTHING",
            )
            .bind(size)
            .bind(line)
            .bind(signed_by)
            .bind(signed_at)
            .execute(pool)
            .await
            .map(drop)
        })
        .map_err(map_error)
    }

    /// The checkpoints' lines of more than `size` leaves, smallest first.
    pub async fn checkpoints_after(&self, size: i64) -> Result<Vec<(i64, String)>, StorageError> {
        on_pool!(self, pool => {
            sqlx::query_as("SELECT size, line FROM audit_checkpoints WHERE size > $1 ORDER BY size")
                .bind(size)
                .fetch_all(pool)
                .await
        })
        .map_err(map_error)
    }
}
