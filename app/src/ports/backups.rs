//! The backup snapshot registry (charter §6) and the mailbox aggregates of the supervision view (charter §5).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{AuditEntry, ContractId, CustomerId, StorageError};
use crate::domain::consent::{SnapshotContent, SnapshotId};
use crate::domain::mailbox::MailboxStats;
use crate::domain::{CustomerNumber, EmailAddress};

/// A snapshot as the backup system registers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSnapshot {
    pub id: SnapshotId,
    pub customer: CustomerId,
    pub holds: SnapshotContent,
    pub taken_at: DateTime<Utc>,
    /// The calling service.
    pub registered_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRecord {
    pub id: SnapshotId,
    pub customer: CustomerId,
    pub customer_number: CustomerNumber,
    /// The contract of the service the snapshot holds.
    pub contract: ContractId,
    pub contract_number: String,
    pub contract_terminated_at: Option<DateTime<Utc>>,
    pub holds: SnapshotContent,
    pub taken_at: DateTime<Utc>,
    /// `taken_at` + 7 days, stored so that the due list is one indexed range.
    pub due_at: DateTime<Utc>,
    pub registered_at: DateTime<Utc>,
    pub registered_by: String,
    pub destroyed_at: Option<DateTime<Utc>>,
    /// The service that confirmed the destruction.
    pub confirmed_by: Option<String>,
    /// When the overdue job flagged it (once).
    pub overdue_flagged_at: Option<DateTime<Utc>>,
}

#[derive(Debug)]
pub enum RegisterOutcome {
    Registered(SnapshotRecord),
    /// The same snapshot (same id, customer, content and time) was registered before; nothing was written.
    AlreadyRegistered(SnapshotRecord),
    /// The id is taken by a different snapshot.
    IdTaken,
    /// The customer holds no such web space, backup space or mailbox.
    UnknownContent,
}

#[derive(Debug)]
pub enum ConfirmOutcome {
    Confirmed(SnapshotRecord),
    /// Confirmed before; nothing was written.
    AlreadyConfirmed(SnapshotRecord),
    /// Its destruction is not due yet: the backup system must not confirm what it should still keep.
    NotDueYet(SnapshotRecord),
    NoSuchSnapshot,
}

#[async_trait]
pub trait BackupStore: Send + Sync {
    /// Registers the snapshot with its due time and writes `audit` (code 5000; the store fills in the customer,
    /// resource and contract) in one transaction.
    async fn register_snapshot(
        &self,
        snapshot: &NewSnapshot,
        audit: &AuditEntry,
    ) -> Result<RegisterOutcome, StorageError>;

    async fn snapshot(&self, id: &SnapshotId) -> Result<Option<SnapshotRecord>, StorageError>;

    /// Every snapshot of the customer not yet destroyed, and those destroyed, newest first.
    async fn snapshots_of(&self, customer: CustomerId)
        -> Result<Vec<SnapshotRecord>, StorageError>;

    /// Snapshots due at `now` and not confirmed destroyed, oldest due first, at most `limit`.
    async fn snapshots_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<SnapshotRecord>, StorageError>;

    /// Records the destruction at `audit.at` with the audit entry (code 5001), in one transaction.
    async fn confirm_destroyed(
        &self,
        id: &SnapshotId,
        service: &str,
        audit: &AuditEntry,
    ) -> Result<ConfirmOutcome, StorageError>;

    /// Flags every snapshot due before `due_before` (now minus the grace), not destroyed and not flagged yet,
    /// writing one audit entry each (code 5002, by the system) in the same transaction. Returns those flagged.
    async fn flag_overdue_destructions(
        &self,
        due_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SnapshotRecord>, StorageError>;

    /// Flagged and still not destroyed, oldest due first: what the staff dashboard shows.
    async fn overdue_destructions(&self) -> Result<Vec<SnapshotRecord>, StorageError>;
}

/// The aggregates of one mailbox as last pushed by the mail platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxStatsRecord {
    pub mailbox: EmailAddress,
    pub customer: CustomerId,
    pub stats: MailboxStats,
    pub as_of: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatsWrite {
    Stored,
    /// No customer has this mailbox.
    UnknownMailbox,
}

#[async_trait]
pub trait MailboxStatsStore: Send + Sync {
    /// Replaces the mailbox's aggregates with `stats` as of `as_of`.
    async fn put_mailbox_stats(
        &self,
        mailbox: &EmailAddress,
        stats: &MailboxStats,
        as_of: DateTime<Utc>,
    ) -> Result<StatsWrite, StorageError>;

    /// Reads the aggregates and writes `audit` (code 3101) in one transaction, so that no look goes unrecorded.
    /// `Ok(None)`, with nothing written, when the customer has no such mailbox; a mailbox with no aggregates yet
    /// is shown (and recorded) as such.
    async fn view_mailbox_stats(
        &self,
        customer: CustomerId,
        mailbox: &EmailAddress,
        audit: &AuditEntry,
    ) -> Result<Option<Option<MailboxStatsRecord>>, StorageError>;
}
