use chrono::{DateTime, Utc};

use super::rows::{select_snapshots, SnapshotRow};
use crate::storage::audit::{append_audit, AuditValues};
use crate::storage::consent::rows::corrupt;
use crate::storage::{in_write_tx, map_error, on_pool, SqlStore};
use app::domain::consent::{ResourceId, SnapshotContent, SnapshotId};
use app::domain::AuditEvent;
use app::ports::{
    Actor, AuditBasis, AuditEntry, ConfirmOutcome, EventSource, NewSnapshot, RegisterOutcome,
    ServiceKind, SnapshotRecord, StorageError,
};

fn service_key(holds: &SnapshotContent) -> (ServiceKind, &str) {
    match holds {
        SnapshotContent::WebSpace(domain) => (ServiceKind::WebSpace, domain.as_str()),
        SnapshotContent::BackupSpace(name) => (ServiceKind::BackupSpace, name.as_str()),
        SnapshotContent::Mailbox(address) => (ServiceKind::Mailbox, address.as_str()),
    }
}

fn records(rows: Vec<SnapshotRow>) -> Result<Vec<SnapshotRecord>, StorageError> {
    rows.into_iter().map(SnapshotRecord::try_from).collect()
}

impl SqlStore {
    pub(super) async fn register_snapshot_impl(
        &self,
        snapshot: &NewSnapshot,
        audit: &AuditEntry,
    ) -> Result<RegisterOutcome, StorageError> {
        let (kind, name) = service_key(&snapshot.holds);
        let due_at = app::domain::backup::due_at(snapshot.taken_at);
        let row: SnapshotRow = in_write_tx!(self, tx => {
            let existing: Option<SnapshotRow> = sqlx::query_as(select_snapshots!("WHERE b.snapshot_id = $1"))
                .bind(snapshot.id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_error)?;
            if let Some(existing) = existing {
                let existing = SnapshotRecord::try_from(existing)?;
                let same = existing.customer == snapshot.customer
                    && existing.holds == snapshot.holds
                    && existing.taken_at == snapshot.taken_at;
                return Ok(if same {
                    RegisterOutcome::AlreadyRegistered(existing)
                } else {
                    RegisterOutcome::IdTaken
                });
            }
            let contract: Option<Option<i64>> = sqlx::query_scalar(
                "SELECT contract_id FROM services WHERE customer_id = $1 AND kind = $2 AND name = $3",
            )
            .bind(snapshot.customer.0)
            .bind(kind.as_str())
            .bind(name)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            let Some(contract) = contract else {
                return Ok(RegisterOutcome::UnknownContent);
            };
            let contract = contract.ok_or_else(|| corrupt("service", "has no contract"))?;
            sqlx::query(
                "INSERT INTO backup_snapshots (snapshot_id, customer_id, contract_id, holds, taken_at, due_at, \
                 registered_at, registered_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(snapshot.id.as_str())
            .bind(snapshot.customer.0)
            .bind(contract)
            .bind(snapshot.holds.to_string())
            .bind(snapshot.taken_at)
            .bind(due_at)
            .bind(audit.at)
            .bind(&snapshot.registered_by)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            let row: SnapshotRow = sqlx::query_as(select_snapshots!("WHERE b.snapshot_id = $1"))
                .bind(snapshot.id.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(map_error)?;
            let entry = AuditEntry {
                customer: Some(snapshot.customer),
                resource: Some(ResourceId::Snapshot(snapshot.id.clone())),
                ..audit.clone()
            };
            append_audit!(tx, [AuditValues::of(&entry)]);
            row
        });
        Ok(RegisterOutcome::Registered(row.try_into()?))
    }

    pub(super) async fn snapshot_impl(
        &self,
        id: &SnapshotId,
    ) -> Result<Option<SnapshotRecord>, StorageError> {
        let row: Option<SnapshotRow> = on_pool!(self, pool => {
            sqlx::query_as(select_snapshots!("WHERE b.snapshot_id = $1")).bind(id.as_str()).fetch_optional(pool).await
        })
        .map_err(map_error)?;
        row.map(SnapshotRecord::try_from).transpose()
    }

    pub(super) async fn snapshots_of_impl(
        &self,
        customer: app::ports::CustomerId,
    ) -> Result<Vec<SnapshotRecord>, StorageError> {
        let rows: Vec<SnapshotRow> = on_pool!(self, pool => {
            sqlx::query_as(select_snapshots!("WHERE b.customer_id = $1 ORDER BY b.taken_at DESC, b.id DESC"))
                .bind(customer.0)
                .fetch_all(pool)
                .await
        })
        .map_err(map_error)?;
        records(rows)
    }

    pub(super) async fn snapshots_due_impl(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<SnapshotRecord>, StorageError> {
        let rows: Vec<SnapshotRow> = on_pool!(self, pool => {
            sqlx::query_as(select_snapshots!(
                "WHERE b.destroyed_at IS NULL AND b.due_at <= $1 ORDER BY b.due_at, b.id LIMIT $2"
            ))
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        records(rows)
    }

    pub(super) async fn confirm_destroyed_impl(
        &self,
        id: &SnapshotId,
        service: &str,
        audit: &AuditEntry,
    ) -> Result<ConfirmOutcome, StorageError> {
        let row: SnapshotRow = in_write_tx!(self, tx => {
            let existing: Option<SnapshotRow> = sqlx::query_as(select_snapshots!("WHERE b.snapshot_id = $1"))
                .bind(id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_error)?;
            let Some(existing) = existing.map(SnapshotRecord::try_from).transpose()? else {
                return Ok(ConfirmOutcome::NoSuchSnapshot);
            };
            if existing.destroyed_at.is_some() {
                return Ok(ConfirmOutcome::AlreadyConfirmed(existing));
            }
            if existing.due_at > audit.at {
                return Ok(ConfirmOutcome::NotDueYet(existing));
            }
            sqlx::query(
                "UPDATE backup_snapshots SET destroyed_at = $1, confirmed_by = $2 \
                 WHERE snapshot_id = $3 AND destroyed_at IS NULL",
            )
            .bind(audit.at)
            .bind(service)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            let row: SnapshotRow = sqlx::query_as(select_snapshots!("WHERE b.snapshot_id = $1"))
                .bind(id.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(map_error)?;
            let entry = AuditEntry {
                customer: Some(existing.customer),
                resource: Some(ResourceId::Snapshot(existing.id.clone())),
                ..audit.clone()
            };
            append_audit!(tx, [AuditValues::of(&entry)]);
            row
        });
        Ok(ConfirmOutcome::Confirmed(row.try_into()?))
    }

    pub(super) async fn flag_overdue_impl(
        &self,
        due_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SnapshotRecord>, StorageError> {
        let flagged: Vec<SnapshotRecord> = in_write_tx!(self, tx => {
            // Read and flagged in the same transaction, so two instances running the job flag each snapshot once.
            let ids: Vec<String> = sqlx::query_scalar(
                "UPDATE backup_snapshots SET overdue_flagged_at = $1 \
                 WHERE destroyed_at IS NULL AND overdue_flagged_at IS NULL AND due_at <= $2 RETURNING snapshot_id",
            )
            .bind(now)
            .bind(due_before)
            .fetch_all(&mut *tx)
            .await
            .map_err(map_error)?;
            let mut rows = Vec::with_capacity(ids.len());
            for id in &ids {
                let row: SnapshotRow = sqlx::query_as(select_snapshots!("WHERE b.snapshot_id = $1"))
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_error)?;
                rows.push(row);
            }
            let flagged = records(rows)?;
            let entries: Vec<AuditEntry> = flagged
                .iter()
                .map(|snapshot| AuditEntry {
                    at: now,
                    event: AuditEvent::BackupDestructionOverdue,
                    actor: Actor::System,
                    customer: Some(snapshot.customer),
                    resource: Some(ResourceId::Snapshot(snapshot.id.clone())),
                    action: None,
                    basis: AuditBasis::StaffRole,
                    source: EventSource::Portal,
                    detail: Some(app::log_detail!(
                        "destruction due {moment} not confirmed (copy of {holds}, contract {number})",
                        moment = snapshot.due_at.format("%Y-%m-%d %H:%M UTC"),
                        holds = snapshot.holds,
                        number = snapshot.contract_number
                    )),
                })
                .collect();
            if !entries.is_empty() {
                append_audit!(tx, entries.iter().map(AuditValues::of));
            }
            flagged
        });
        Ok(flagged)
    }

    pub(super) async fn overdue_destructions_impl(
        &self,
    ) -> Result<Vec<SnapshotRecord>, StorageError> {
        let rows: Vec<SnapshotRow> = on_pool!(self, pool => {
            sqlx::query_as(select_snapshots!(
                "WHERE b.destroyed_at IS NULL AND b.overdue_flagged_at IS NOT NULL ORDER BY b.due_at, b.id"
            ))
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        records(rows)
    }
}
