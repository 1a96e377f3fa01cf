//! What the access-log and court-order screens receive: plain, serialisable snapshots of audit entries and ledger
//! rows, taken on the server (the storage types stay there).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerLabel, ResourceLabel, StaffLabel};
use crate::domain::consent::{Action, DenyRule, GrantId};
use crate::domain::{AuditEvent, DisclosureId, Role};

/// Who acted, as the reader is shown them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Who {
    /// The customer reading their own log.
    You,
    Customer(CustomerLabel),
    Staff {
        name: String,
        /// The job function; empty when none is on record.
        job_title: String,
        /// The roles they held when they acted.
        roles: Vec<Role>,
    },
    /// The portal itself (e.g. a request that expired).
    System,
    /// Someone not signed in (e.g. a failed sign-in).
    Unidentified,
}

/// Why the access was allowed, or the rule that refused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogBasis {
    Grant(GrantId),
    TechnicalOperation,
    TheCustomer,
    StaffRole,
    Refused(DenyRule),
    CourtOrder(DisclosureId),
    AccountSecurity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntryView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub event: AuditEvent,
    pub who: Who,
    /// Whose data it concerns; only in the privacy officer's whole log.
    pub customer: Option<CustomerLabel>,
    pub resource: Option<ResourceLabel>,
    pub action: Option<Action>,
    pub basis: LogBasis,
    pub allowed: bool,
    /// The calling service of the infrastructure, when not the portal.
    pub service: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationView {
    pub finished_at: DateTime<Utc>,
    pub verified_through: i64,
    pub entries_checked: i64,
    /// The first bad entry and what is wrong with it, when the chain was found broken.
    pub problem: Option<(i64, String)>,
    /// What that problem is, when the stored words are the verifier's (to word it in the reader's language).
    pub problem_kind: Option<crate::domain::chain_break::ChainBreak>,
}

/// What the inclusion proofs of a customer's page showed, checked against the newest signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionView {
    pub signed_at: DateTime<Utc>,
    /// Entries of the page proved to be in the signed log.
    pub proved: usize,
    /// Entries of the page newer than the checkpoint.
    pub pending: usize,
    /// Entries of the page whose proof failed.
    pub failed: Vec<i64>,
}

/// One page of a log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLog {
    pub now: DateTime<Utc>,
    pub entries: Vec<LogEntryView>,
    /// The `before` of the next, older page; `None` on the last page.
    pub older: Option<i64>,
    pub verification: Option<VerificationView>,
    /// What the resource filter offers (the customer's own services).
    pub resources: Vec<ResourceLabel>,
    /// Whether the server runs verifications on request (privacy officer's log only).
    pub can_verify: bool,
    /// The customer's page only: what the entries' own proofs show, `None` before any checkpoint.
    pub inclusion: Option<InclusionView>,
}

/// A disclosure as the ledger lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureView {
    pub id: DisclosureId,
    pub customer: CustomerLabel,
    pub authority: String,
    pub reference: String,
    pub ordered_on: NaiveDate,
    pub scope: String,
    pub notify_after: Option<NaiveDate>,
    /// Whether the customer can see it now (no deferral, or the deferral date has come).
    pub visible_to_customer: bool,
    pub recorded_by: StaffLabel,
    pub recorded_at: DateTime<Utc>,
}
