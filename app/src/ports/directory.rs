//! The customer directory the operator's billing or CRM system keeps the portal in step with: customers, their
//! contracts and the services held under them, keyed by the operator's own numbers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{AuditEntry, CustomerId, NewCustomer, NewService, StorageError};
use crate::domain::my_data::PersonalField;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractRecord {
    /// The operator's number for it, e.g. `K-100001-1`.
    pub number: String,
    pub started_at: DateTime<Utc>,
    pub services: Vec<NewService>,
}

/// One customer as the operator's directory has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryRecord {
    pub customer: NewCustomer,
    pub contracts: Vec<ContractRecord>,
}

/// Why the storage refused one record; the others of its batch are not affected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncRefusal {
    /// Another customer has this email.
    EmailTaken,
    /// The service is another customer's.
    ServiceTaken(String),
    /// The contract is another customer's (moving one is a transfer, not a sync).
    ContractTaken(String),
}

/// What the sync did with one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    Created(CustomerId),
    /// Personal fields that changed (never their values), and how many contracts and services were added.
    Updated {
        customer: CustomerId,
        fields: Vec<PersonalField>,
        contracts_added: usize,
        services_added: usize,
    },
    Unchanged(CustomerId),
    Refused(SyncRefusal),
}

/// Builds the audit entry of a record that was created or changed, once its customer has an id.
pub type SyncAudit<'a> = &'a (dyn Fn(&SyncOutcome) -> Option<AuditEntry> + Send + Sync);

#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Creates or updates each record's customer (by customer number), the contracts it lacks (by contract number)
    /// and the services it lacks, in one transaction for the batch: a refused record writes nothing and leaves the
    /// others as they are. Which fields changed is [`crate::usecases::directory::changed_fields`]'s to say;
    /// `audit` makes each change's entry, written in the same transaction. An unchanged record writes nothing.
    async fn sync_customers(
        &self,
        records: &[DirectoryRecord],
        audit: SyncAudit<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SyncOutcome>, StorageError>;
}
