//! Reading the audit log, its verification, and the court-order ledger. Entries are written by the stores of the
//! changes they record, in the same transaction; nothing here changes an entry.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AuditEntry, CustomerId, Outcome, StaffId, StorageError};
use crate::domain::consent::ResourceId;
use crate::domain::disclosure::CourtOrder;
use crate::domain::{DisclosureId, Role};

/// Which entries a reader wants. Every field narrows; an empty filter is the whole log (privacy officer only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub customer: Option<CustomerId>,
    pub resource: Option<ResourceId>,
    /// Entries by a staff member who held this role when they acted.
    pub staff_role: Option<Role>,
    /// Inclusive lower bound on the entry's time.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound on the entry's time.
    pub until: Option<DateTime<Utc>>,
    pub outcome: Option<Outcome>,
}

/// One stored entry with its position in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub entry: AuditEntry,
    /// Hex SHA-256 of the entry chained to the one before it.
    pub hash: String,
}

/// The outcome of the last verification of the chain against the signed checkpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationStatus {
    pub finished_at: DateTime<Utc>,
    /// Every entry up to this id was found intact.
    pub verified_through: i64,
    pub entries_checked: i64,
    /// `None` when the chain was intact; otherwise the first bad entry and what is wrong with it.
    pub problem: Option<VerificationProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationProblem {
    pub entry: i64,
    pub reason: String,
}

#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Entries matching `filter`, newest first, strictly before the entry id `before` (keyset, never OFFSET).
    /// For a customer's own view (`filter.customer` set and `as_customer`), entries the customer may not see yet
    /// — a disclosure whose notification is deferred past `now` — are left out.
    async fn audit_page(
        &self,
        filter: &AuditFilter,
        as_customer: bool,
        before: Option<i64>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<AuditRecord>, StorageError>;

    /// The latest verification, if one ever ran.
    async fn verification_status(&self) -> Result<Option<VerificationStatus>, StorageError>;

    async fn record_verification(&self, status: &VerificationStatus) -> Result<(), StorageError>;
}

/// Recomputes the chain and checks it against the signed checkpoints; provided by the server as context. A run
/// records its outcome, which [`AuditLog::verification_status`] then returns.
#[async_trait]
pub trait AuditVerifier: Send + Sync + std::fmt::Debug {
    async fn verify_now(&self) -> Result<VerificationStatus, StorageError>;
}

/// Proofs that entries are in the log as signed: each entry's inclusion proof checked against the newest signed
/// checkpoint of the log's Merkle tree, with the operator's public key; provided by the server as context.
#[async_trait]
pub trait LogProver: Send + Sync + std::fmt::Debug {
    /// Which of `ids` are proved to be in the newest signed checkpoint; `None` when none was signed yet.
    async fn prove_included(&self, ids: &[i64]) -> Result<Option<InclusionCheck>, StorageError>;

    /// The key that signs the checkpoints, for people to compare with what the operator publishes elsewhere.
    fn published_key(&self) -> PublishedKey;
}

/// What [`LogProver::prove_included`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionCheck {
    pub signed_at: DateTime<Utc>,
    /// Entries in the signed tree: ids up to this one are covered.
    pub size: u64,
    /// Covered entries whose proof checked.
    pub proved: Vec<i64>,
    /// Covered entries whose proof did not check: the log or its tree was changed.
    pub failed: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedKey {
    /// The log's name in its checkpoints.
    pub origin: String,
    /// Hex of the Ed25519 public key.
    pub public_key: String,
}

/// The staff member behind an entry, as people reading the log are shown them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffDisplay {
    pub name: String,
    /// The job function; empty when none was given, in which case the roles of the entry are shown.
    pub job_title: String,
}

/// An entry with what a reader needs to understand it without looking anything else up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    pub record: AuditRecord,
    /// For an entry by a staff member, who they are now (their name may have changed since; the id has not).
    pub staff: Option<StaffDisplay>,
}

/// Reading the log for people: the same page as [`AuditLog::audit_page`], with each staff actor's name and job.
#[async_trait]
pub trait AuditReader: Send + Sync {
    async fn audit_lines(
        &self,
        filter: &AuditFilter,
        as_customer: bool,
        before: Option<i64>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<AuditLine>, StorageError>;
}

/// A court-ordered disclosure as the ledger holds it. Nothing in it changes once recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    pub id: DisclosureId,
    pub customer: CustomerId,
    pub order: CourtOrder,
    pub recorded_by: StaffId,
    pub recorded_at: DateTime<Utc>,
}

/// The court-order ledger (charter §3). Recording appends the disclosure's audit entry in the same transaction.
#[async_trait]
pub trait DisclosureStore: Send + Sync {
    /// Stores the disclosure and appends `audit` with the basis `CourtOrder(new id)`; returns the new id.
    async fn record_disclosure(
        &self,
        customer: CustomerId,
        order: &CourtOrder,
        recorded_by: StaffId,
        audit: &AuditEntry,
    ) -> Result<DisclosureId, StorageError>;

    /// Newest first, strictly before `before` (keyset).
    async fn disclosures(
        &self,
        before: Option<DisclosureId>,
        limit: u32,
    ) -> Result<Vec<Disclosure>, StorageError>;
}
