//! Contracts (charter §1, §6): what a customer's services are held under, who held them when, and when a contract
//! was terminated. Termination changes nothing about backups: each snapshot is still destroyed 7 days after it
//! was taken.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AuditEntry, CustomerId, Service, StaffId, StorageError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ContractId(pub i64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub id: ContractId,
    /// The customer holding it now (after any transfer).
    pub customer: CustomerId,
    /// The operator's number for it, e.g. `K-100001-1`.
    pub number: String,
    pub started_at: DateTime<Utc>,
    pub terminated_at: Option<DateTime<Utc>>,
    /// The staff member who terminated it; `None` when done from the admin CLI or not terminated.
    pub terminated_by: Option<StaffId>,
}

impl Contract {
    pub const fn is_terminated(&self) -> bool {
        self.terminated_at.is_some()
    }
}

/// A contract moving from one customer (entity) to another. Transfers are only ever added, never changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractTransfer {
    pub contract: ContractId,
    pub from: CustomerId,
    pub to: CustomerId,
    pub at: DateTime<Utc>,
    pub recorded_by: Option<StaffId>,
}

/// One contract as a customer's pages show it: its services and its transfers, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractView {
    pub contract: Contract,
    pub services: Vec<Service>,
    pub transfers: Vec<ContractTransfer>,
}

/// What terminating a contract did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Termination {
    Terminated(Contract),
    /// Terminated before; nothing was written.
    AlreadyTerminated(Contract),
    NoSuchContract,
}

/// What transferring a contract did. Only `Transferred` wrote anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferOutcome {
    Transferred(ContractTransfer),
    NoSuchContract,
    /// The receiving customer already holds it.
    AlreadyHeld,
    /// A terminated contract stays with the entity that held it when it ended.
    Terminated,
    /// The holder still has live grants or pending requests on the contract's services. They were given by the
    /// holder for the holder's data, so they must end (or be answered) before the data changes hands.
    ConsentsOpen {
        grants: usize,
        requests: usize,
    },
}

#[async_trait]
pub trait ContractStore: Send + Sync {
    /// The contracts the customer holds or once held (a contract transferred away from them is listed too, so that
    /// the transfer shows on both sides), in contract id order.
    async fn contracts_of(&self, customer: CustomerId) -> Result<Vec<ContractView>, StorageError>;

    async fn contract_by_number(&self, number: &str) -> Result<Option<Contract>, StorageError>;

    /// Marks the contract terminated at `audit.at` and writes the audit entry (code 5100), in one transaction; the
    /// entry's customer is set to the contract's holder, which the caller may not know yet.
    async fn terminate_contract(
        &self,
        number: &str,
        by: Option<StaffId>,
        audit: &AuditEntry,
    ) -> Result<Termination, StorageError>;

    /// Moves the contract and its services to `to` at `audit.at`, records the transfer and writes `audit` (code
    /// 5101) once for each side, in one transaction; the entries' customers are set here.
    async fn transfer_contract(
        &self,
        number: &str,
        to: CustomerId,
        by: Option<StaffId>,
        audit: &AuditEntry,
    ) -> Result<TransferOutcome, StorageError>;
}
