//! The audit log: a hash chain of entries appended in the transactions of the changes they record, read by
//! customers and privacy officers, and verified against signed checkpoints.

mod disclosures;
mod query;
mod rows;
pub mod tree;
mod values;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::storage::{in_write_tx, map_error, on_pool, SqlStore};
use app::domain::audit_chain::{self, Hash};
use app::ports::{
    AuditEntry, AuditFilter, AuditLog, AuditRecord, CustomerId, StorageError, VerificationProblem,
    VerificationStatus,
};

pub(crate) use query::audit_lines;
pub use rows::AuditRow;
pub(crate) use values::{append_audit, audit_columns, batches, link, AuditValues};

/// Rows read per query while verifying or sealing: large enough to amortise the round trip, small enough to
/// keep memory flat on a log of millions.
const CHAIN_CHUNK: u32 = 10_000;

#[async_trait]
impl AuditLog for SqlStore {
    async fn audit_page(
        &self,
        filter: &AuditFilter,
        as_customer: bool,
        before: Option<i64>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<AuditRecord>, StorageError> {
        self.audit_page_impl(filter, as_customer, before, limit, now)
            .await
    }

    async fn verification_status(&self) -> Result<Option<VerificationStatus>, StorageError> {
        let row: Option<(DateTime<Utc>, i64, i64, Option<i64>, Option<String>)> =
            on_pool!(self, pool => {
                sqlx::query_as(
                    "SELECT finished_at, verified_through, entries_checked, problem_entry, problem \
                     FROM audit_verifications ORDER BY id DESC LIMIT 1",
                )
                .fetch_optional(pool)
                .await
            })
            .map_err(map_error)?;
        Ok(row.map(
            |(finished_at, verified_through, entries_checked, problem_entry, problem)| {
                VerificationStatus {
                    finished_at,
                    verified_through,
                    entries_checked,
                    problem: problem_entry.map(|entry| VerificationProblem {
                        entry,
                        reason: problem.unwrap_or_default(),
                    }),
                }
            },
        ))
    }

    async fn record_verification(&self, status: &VerificationStatus) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO audit_verifications \
                 (finished_at, verified_through, entries_checked, problem_entry, problem) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(status.finished_at)
            .bind(status.verified_through)
            .bind(status.entries_checked)
            .bind(status.problem.as_ref().map(|problem| problem.entry))
            .bind(status.problem.as_ref().map(|problem| problem.reason.as_str()))
            .execute(pool)
            .await
            .map(drop)
        })
        .map_err(map_error)?;
        Ok(())
    }
}

impl SqlStore {
    pub(crate) async fn record_audit_impl(
        &self,
        entries: &[AuditEntry],
    ) -> Result<(), StorageError> {
        if entries.is_empty() {
            return Ok(());
        }
        in_write_tx!(self, tx => {
            append_audit!(tx, entries.iter().map(AuditValues::of));
        });
        Ok(())
    }

    pub(crate) async fn record_reported_access_impl(
        &self,
        service: &str,
        event_id: &str,
        audit: &AuditEntry,
    ) -> Result<bool, StorageError> {
        Ok(in_write_tx!(self, tx => {
            let ids = append_audit!(tx, [AuditValues::of(audit)]);
            let recorded = sqlx::query(
                "INSERT INTO reported_accesses (service, event_id, audit_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (service, event_id) DO NOTHING",
            )
            .bind(service)
            .bind(event_id)
            .bind(ids.first().copied())
            .execute(&mut *tx)
            .await
            .map_err(map_error)?
            .rows_affected();
            if recorded == 0 {
                // Dropping the transaction rolls back the audit entry appended above.
                return Ok(false);
            }
            true
        }))
    }

    pub(crate) async fn audit_of_customer_impl(
        &self,
        customer: CustomerId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, AuditEntry)>, StorageError> {
        let rows: Vec<AuditRow> = on_pool!(self, pool => {
            sqlx::query_as(concat!(
                "SELECT id, entry_hash, ", audit_columns!(), " FROM audit_log ",
                "WHERE customer_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
            ))
            .bind(customer.0)
            .bind(before.unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.iter().map(|row| Ok((row.id, row.entry()?))).collect()
    }

    /// Entries after `after`, oldest first, for walking the chain in chunks.
    pub async fn audit_chain_after(&self, after: i64) -> Result<Vec<AuditRow>, StorageError> {
        match self {
            Self::Sqlite(pool) => sqlite_chain_after(pool, after).await,
            Self::Postgres(pool) => sqlx::query_as(concat!(
                "SELECT id, entry_hash, ",
                audit_columns!(),
                " FROM audit_log ",
                "WHERE id > $1 ORDER BY id LIMIT $2"
            ))
            .bind(after)
            .bind(i64::from(CHAIN_CHUNK))
            .fetch_all(pool)
            .await
            .map_err(map_error),
        }
    }

    /// The last entry's id and hash, as the writer's head row says.
    pub async fn audit_head(&self) -> Result<(i64, Option<Hash>), StorageError> {
        let (last_id, last_hash): (i64, Option<Vec<u8>>) = on_pool!(self, pool => {
            sqlx::query_as("SELECT last_id, last_hash FROM audit_chain WHERE singleton = 1")
                .fetch_one(pool)
                .await
        })
        .map_err(map_error)?;
        Ok((last_id, last_hash.and_then(|bytes| bytes.try_into().ok())))
    }

    /// Hashes the entries written before the log became a chain, in id order, once. Entries appended since then
    /// are hashed by their writer and never reach this.
    pub async fn seal_unhashed_audit_entries(&self) -> Result<u64, StorageError> {
        // Unhashed entries exist only while the head has no hash (the writer refuses to append then): checking the
        // head spares every start-up a scan of the whole log.
        if let (_, Some(_)) | (0, None) = self.audit_head().await? {
            return Ok(0);
        }
        let mut sealed = 0_u64;
        loop {
            let done = in_write_tx!(self, tx => {
                // Locks the head, so that two instances starting together seal once.
                sqlx::query("UPDATE audit_chain SET last_id = last_id WHERE singleton = 1")
                    .execute(&mut *tx)
                    .await
                    .map_err(map_error)?;
                let previous: Option<(i64, Option<Vec<u8>>)> = sqlx::query_as(
                    "SELECT id, entry_hash FROM audit_log WHERE entry_hash IS NOT NULL ORDER BY id DESC LIMIT 1",
                )
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_error)?;
                let rows: Vec<AuditRow> = sqlx::query_as(concat!(
                    "SELECT id, entry_hash, ", audit_columns!(), " FROM audit_log ",
                    "WHERE entry_hash IS NULL ORDER BY id LIMIT $1"
                ))
                .bind(i64::from(CHAIN_CHUNK))
                .fetch_all(&mut *tx)
                .await
                .map_err(map_error)?;
                if rows.is_empty() {
                    true
                } else {
                    let mut hash: Hash = match previous.and_then(|(_, hash)| hash) {
                        Some(bytes) => bytes.try_into().map_err(|_| {
                            crate::storage::consent::rows::corrupt("audit entry", "has a hash of the wrong length")
                        })?,
                        None => audit_chain::GENESIS,
                    };
                    for row in &rows {
                        hash = audit_chain::entry_hash(&hash, &row.chain_fields());
                        sqlx::query("UPDATE audit_log SET entry_hash = $1 WHERE id = $2")
                            .bind(hash.to_vec())
                            .bind(row.id)
                            .execute(&mut *tx)
                            .await
                            .map_err(map_error)?;
                    }
                    // No entry can be appended while unsealed ones exist (the writer refuses a head without a
                    // hash), so the last sealed entry is the chain's head.
                    let newest = rows.last().map_or(0, |row| row.id);
                    sqlx::query("UPDATE audit_chain SET last_id = $1, last_hash = $2 WHERE singleton = 1")
                        .bind(newest)
                        .bind(hash.to_vec())
                        .execute(&mut *tx)
                        .await
                        .map_err(map_error)?;
                    sealed += rows.len() as u64;
                    false
                }
            });
            if done {
                return Ok(sealed);
            }
        }
    }
}

/// One entry as `json_array` spells it: the columns in [`audit_columns!`] order after the id and the hex hash.
#[derive(serde::Deserialize)]
struct JsonRow(
    i64,
    Option<String>,
    String,
    i32,
    String,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// sqlx hands SQLite rows over one by one from its worker thread, which capped verification at about 78,000
/// entries a second (measured on 10 million); one JSON document per chunk crosses over once and parses several
/// times faster. Times are read as sqlx writes them (RFC 3339), or as SQLite's own `datetime` form.
async fn sqlite_chain_after(
    pool: &sqlx::SqlitePool,
    after: i64,
) -> Result<Vec<AuditRow>, StorageError> {
    let json: Option<String> = sqlx::query_scalar(concat!(
        "SELECT json_group_array(json_array(id, hex(entry_hash), ",
        audit_columns!(),
        ")) FROM (SELECT * FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2)"
    ))
    .bind(after)
    .bind(i64::from(CHAIN_CHUNK))
    .fetch_one(pool)
    .await
    .map_err(map_error)?;
    let corrupt = |reason| crate::storage::consent::rows::corrupt("audit entry", reason);
    let rows: Vec<JsonRow> = serde_json::from_str(json.as_deref().unwrap_or("[]"))
        .map_err(|_| corrupt("cannot be read back"))?;
    let mut rows = rows
        .into_iter()
        .map(|row| {
            let occurred_at = chrono::DateTime::parse_from_rfc3339(&row.2)
                .or_else(|_| chrono::DateTime::parse_from_str(&row.2, "%Y-%m-%d %H:%M:%S%.f%:z"))
                .map_err(|_| corrupt("has an unreadable time"))?
                .with_timezone(&Utc);
            let entry_hash = row
                .1
                .map(|text| hex::decode(text).map_err(|_| corrupt("has an unreadable hash")))
                .transpose()?;
            Ok(AuditRow {
                id: row.0,
                entry_hash,
                occurred_at,
                event_code: row.3,
                actor_kind: row.4,
                actor_customer_id: row.5,
                actor_staff_id: row.6,
                actor_roles: row.7,
                customer_id: row.8,
                resource: row.9,
                action: row.10,
                basis_kind: row.11,
                basis_ref: row.12,
                basis_rule: row.13,
                outcome: row.14,
                source_kind: row.15,
                source_name: row.16,
                detail: row.17,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    // An aggregate's order is not promised by SQL; the chain's is the ids'.
    rows.sort_unstable_by_key(|row| row.id);
    Ok(rows)
}
