//! The privacy charter as storage keeps it (charter §7): published versions never change, one working draft, the
//! notice each publication queued, and each customer's acknowledgements.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{AuditEntry, CustomerId, StaffId, StorageError};
use crate::domain::charter::{CharterText, VersionNumber};
use crate::domain::consent::GrantId;

/// A published version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharterVersion {
    pub number: VersionNumber,
    pub text: CharterText,
    pub summary: String,
    /// The start (UTC) of the day it comes into force.
    pub effective_at: DateTime<Utc>,
    pub published_at: DateTime<Utc>,
    /// `None` for the version loaded at first start.
    pub published_by: Option<StaffId>,
    /// How many customers its terms-change notice was queued to, and when; `None` while it was not.
    pub notice: Option<(u64, DateTime<Utc>)>,
}

impl CharterVersion {
    /// Published through the portal, so customers are asked to acknowledge it; the version loaded at first start is
    /// the one their contracts were made under.
    pub const fn asks_acknowledgement(&self) -> bool {
        self.published_by.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharterDraft {
    pub text: CharterText,
    /// Grows at each save: a publication names the revision its author saw.
    pub revision: i64,
    pub updated_by: StaffId,
    pub updated_at: DateTime<Utc>,
}

/// What a privacy officer publishes: the draft of `draft_revision`, with its summary and date of effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCharterVersion {
    pub draft_revision: i64,
    pub summary: String,
    pub effective_at: DateTime<Utc>,
    pub published_by: StaffId,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("there is no draft to publish")]
    NoDraft,
    #[error("the draft changed since it was shown")]
    DraftChanged,
    #[error("the draft is the same as the latest version")]
    Unchanged,
    #[error("a version cannot come into force before the version before it")]
    BeforeLatest { latest: DateTime<Utc> },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[async_trait]
pub trait CharterStore: Send + Sync {
    /// Every published version, oldest first.
    async fn charter_versions(&self) -> Result<Vec<CharterVersion>, StorageError>;

    async fn charter_version(
        &self,
        number: VersionNumber,
    ) -> Result<Option<CharterVersion>, StorageError>;

    /// The version in force at `at`: the latest one whose date of effect has come.
    async fn charter_in_force(
        &self,
        at: DateTime<Utc>,
    ) -> Result<Option<CharterVersion>, StorageError>;

    async fn charter_draft(&self) -> Result<Option<CharterDraft>, StorageError>;

    /// Replaces the working draft; returns its new revision.
    async fn save_charter_draft(
        &self,
        text: &CharterText,
        by: StaffId,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError>;

    /// Publishes the draft as the next version, removes the draft and appends `audit` (which names the version in
    /// its detail) in one transaction; returns the new version's number.
    async fn publish_charter(
        &self,
        version: &NewCharterVersion,
        audit: &(dyn Fn(VersionNumber) -> AuditEntry + Sync),
    ) -> Result<VersionNumber, PublishError>;

    /// Records that the version's terms-change notice was queued; `false` if it already was.
    async fn record_charter_notice(
        &self,
        version: VersionNumber,
        customers: u64,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError>;

    /// The latest published version, if the customer has yet to acknowledge it and it asks to be.
    async fn charter_to_acknowledge(
        &self,
        customer: CustomerId,
    ) -> Result<Option<CharterVersion>, StorageError>;

    /// Records the acknowledgement and its audit entry at once; `false` (and nothing written) when the customer had
    /// already acknowledged that version.
    async fn acknowledge_charter(
        &self,
        customer: CustomerId,
        version: VersionNumber,
        audit: &AuditEntry,
    ) -> Result<bool, StorageError>;

    /// The versions the customer acknowledged, with when, oldest first.
    async fn charter_acknowledgements_of(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<(VersionNumber, DateTime<Utc>)>, StorageError>;

    /// The version in force when the grant was given.
    async fn grant_charter_version(
        &self,
        grant: GrantId,
    ) -> Result<Option<VersionNumber>, StorageError>;
}
