use chrono::{DateTime, Utc};

use crate::storage::consent::rows::corrupt;
use app::domain::consent::{SnapshotContent, SnapshotId};
use app::domain::CustomerNumber;
use app::ports::{
    Contract, ContractId, ContractTransfer, CustomerId, SnapshotRecord, StaffId, StorageError,
};

pub(super) const CONTRACT_COLUMNS: &str =
    "id, customer_id, contract_number, started_at, terminated_at, terminated_by";

#[derive(sqlx::FromRow)]
pub(super) struct ContractRow {
    id: i64,
    customer_id: i64,
    contract_number: String,
    started_at: DateTime<Utc>,
    terminated_at: Option<DateTime<Utc>>,
    terminated_by: Option<i64>,
}

impl From<ContractRow> for Contract {
    fn from(row: ContractRow) -> Self {
        Self {
            id: ContractId(row.id),
            customer: CustomerId(row.customer_id),
            number: row.contract_number,
            started_at: row.started_at,
            terminated_at: row.terminated_at,
            terminated_by: row.terminated_by.map(StaffId),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct TransferRow {
    contract_id: i64,
    from_customer_id: i64,
    to_customer_id: i64,
    transferred_at: DateTime<Utc>,
    recorded_by: Option<i64>,
}

impl From<TransferRow> for ContractTransfer {
    fn from(row: TransferRow) -> Self {
        Self {
            contract: ContractId(row.contract_id),
            from: CustomerId(row.from_customer_id),
            to: CustomerId(row.to_customer_id),
            at: row.transferred_at,
            recorded_by: row.recorded_by.map(StaffId),
        }
    }
}

/// The snapshot columns with their contract's number and state, followed by the rest of the statement.
macro_rules! select_snapshots {
    ($rest:literal) => {
        concat!(
            "SELECT b.snapshot_id, b.customer_id, k.customer_number, b.contract_id, c.contract_number, ",
            "c.terminated_at AS contract_terminated_at, b.holds, b.taken_at, b.due_at, b.registered_at, ",
            "b.registered_by, b.destroyed_at, b.confirmed_by, b.overdue_flagged_at ",
            "FROM backup_snapshots b JOIN contracts c ON c.id = b.contract_id JOIN customers k ON k.id = b.customer_id ",
            $rest
        )
    };
}
pub(super) use select_snapshots;

#[derive(sqlx::FromRow)]
pub(super) struct SnapshotRow {
    snapshot_id: String,
    customer_id: i64,
    customer_number: String,
    contract_id: i64,
    contract_number: String,
    contract_terminated_at: Option<DateTime<Utc>>,
    holds: String,
    taken_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
    registered_at: DateTime<Utc>,
    registered_by: String,
    destroyed_at: Option<DateTime<Utc>>,
    confirmed_by: Option<String>,
    overdue_flagged_at: Option<DateTime<Utc>>,
}

impl TryFrom<SnapshotRow> for SnapshotRecord {
    type Error = StorageError;

    fn try_from(row: SnapshotRow) -> Result<Self, Self::Error> {
        if row.due_at != app::domain::backup::due_at(row.taken_at) {
            return Err(corrupt(
                "backup snapshot",
                "is not due 7 days after it was taken",
            ));
        }
        Ok(Self {
            id: SnapshotId::parse(&row.snapshot_id)?,
            customer: CustomerId(row.customer_id),
            customer_number: CustomerNumber::parse(&row.customer_number)?,
            contract: ContractId(row.contract_id),
            contract_number: row.contract_number,
            contract_terminated_at: row.contract_terminated_at,
            holds: SnapshotContent::parse(&row.holds)?,
            taken_at: row.taken_at,
            due_at: row.due_at,
            registered_at: row.registered_at,
            registered_by: row.registered_by,
            destroyed_at: row.destroyed_at,
            confirmed_by: row.confirmed_by,
            overdue_flagged_at: row.overdue_flagged_at,
        })
    }
}
