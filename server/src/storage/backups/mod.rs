//! Contracts, the backup snapshot registry and mailbox aggregates (issue 8). Every change that staff, the system or
//! a calling service makes is written with its audit entry in one transaction.

mod contracts;
mod mailbox_stats;
mod rows;
mod snapshots;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::SqlStore;
use app::domain::consent::SnapshotId;
use app::domain::mailbox::MailboxStats;
use app::domain::EmailAddress;
use app::ports::{
    AuditEntry, BackupStore, ConfirmOutcome, Contract, ContractStore, ContractView, CustomerId,
    MailboxStatsRecord, MailboxStatsStore, NewSnapshot, RegisterOutcome, SnapshotRecord, StaffId,
    StatsWrite, StorageError, Termination, TransferOutcome,
};

#[async_trait]
impl ContractStore for SqlStore {
    async fn contracts_of(&self, customer: CustomerId) -> Result<Vec<ContractView>, StorageError> {
        self.contracts_of_impl(customer).await
    }

    async fn contract_by_number(&self, number: &str) -> Result<Option<Contract>, StorageError> {
        self.contract_by_number_impl(number).await
    }

    async fn terminate_contract(
        &self,
        number: &str,
        by: Option<StaffId>,
        audit: &AuditEntry,
    ) -> Result<Termination, StorageError> {
        self.terminate_contract_impl(number, by, audit).await
    }

    async fn transfer_contract(
        &self,
        number: &str,
        to: CustomerId,
        by: Option<StaffId>,
        audit: &AuditEntry,
    ) -> Result<TransferOutcome, StorageError> {
        self.transfer_contract_impl(number, to, by, audit).await
    }
}

#[async_trait]
impl BackupStore for SqlStore {
    async fn register_snapshot(
        &self,
        snapshot: &NewSnapshot,
        audit: &AuditEntry,
    ) -> Result<RegisterOutcome, StorageError> {
        self.register_snapshot_impl(snapshot, audit).await
    }

    async fn snapshot(&self, id: &SnapshotId) -> Result<Option<SnapshotRecord>, StorageError> {
        self.snapshot_impl(id).await
    }

    async fn snapshots_of(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<SnapshotRecord>, StorageError> {
        self.snapshots_of_impl(customer).await
    }

    async fn snapshots_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<SnapshotRecord>, StorageError> {
        self.snapshots_due_impl(now, limit).await
    }

    async fn confirm_destroyed(
        &self,
        id: &SnapshotId,
        service: &str,
        audit: &AuditEntry,
    ) -> Result<ConfirmOutcome, StorageError> {
        self.confirm_destroyed_impl(id, service, audit).await
    }

    async fn flag_overdue_destructions(
        &self,
        due_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SnapshotRecord>, StorageError> {
        self.flag_overdue_impl(due_before, now).await
    }

    async fn overdue_destructions(&self) -> Result<Vec<SnapshotRecord>, StorageError> {
        self.overdue_destructions_impl().await
    }
}

#[async_trait]
impl MailboxStatsStore for SqlStore {
    async fn put_mailbox_stats(
        &self,
        mailbox: &EmailAddress,
        stats: &MailboxStats,
        as_of: DateTime<Utc>,
    ) -> Result<StatsWrite, StorageError> {
        self.put_mailbox_stats_impl(mailbox, stats, as_of).await
    }

    async fn view_mailbox_stats(
        &self,
        customer: CustomerId,
        mailbox: &EmailAddress,
        audit: &AuditEntry,
    ) -> Result<Option<Option<MailboxStatsRecord>>, StorageError> {
        self.view_mailbox_stats_impl(customer, mailbox, audit).await
    }
}
