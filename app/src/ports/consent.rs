//! What the consent screens and the integration API need from storage. Every method that changes something writes
//! its audit entry in the same transaction, so a change without its record cannot exist.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerId, OutgoingMail, StaffId, StorageError};
use crate::domain::consent::{
    Action, CaseActivity, CaseReference, CaseSubject, ConsentEvent, ConsentRequest,
    ConsentRequestId, DenyRule, Grant, GrantId, GrantTerms, GrantView, ResourceId, SupportCaseId,
};
use crate::domain::{AuditEvent, DisclosureId, Role};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSupportCase {
    pub customer: CustomerId,
    pub subject: CaseSubject,
    pub opened_by: StaffId,
    /// The ticketing system's reference, when the case comes from there.
    pub reference: Option<CaseReference>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportCase {
    pub id: SupportCaseId,
    pub customer: CustomerId,
    pub subject: CaseSubject,
    pub opened_by: StaffId,
    pub opened_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<StaffId>,
    pub reference: Option<CaseReference>,
    /// Opened, updated, or consent asked for it: whichever came last.
    pub touched_at: DateTime<Utc>,
}

impl SupportCase {
    pub const fn activity(&self) -> CaseActivity {
        CaseActivity {
            touched_at: self.touched_at,
            resolved_at: self.resolved_at,
        }
    }
}

/// A stored request with who it concerns and who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub id: ConsentRequestId,
    pub customer: CustomerId,
    pub requested_by: StaffId,
    pub request: ConsentRequest,
    /// The grant an approval created.
    pub grant: Option<GrantId>,
}

/// A stored grant with its customer, where it came from, and the state of the case it is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRecord {
    pub grant: Grant,
    pub customer: CustomerId,
    pub request: Option<ConsentRequestId>,
    /// The staff member who recorded an oral consent.
    pub recorded_by: Option<StaffId>,
    pub case_resolved_at: Option<DateTime<Utc>>,
}

impl GrantRecord {
    pub const fn view(&self) -> GrantView<'_> {
        GrantView {
            grant: &self.grant,
            case_resolved_at: self.case_resolved_at,
        }
    }
}

/// Who did what the audit entry records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Actor {
    Customer {
        id: CustomerId,
    },
    Staff {
        id: StaffId,
        roles: Vec<Role>,
    },
    /// The portal itself, e.g. expiring a request nobody answered.
    System,
    /// Someone not signed in, e.g. a failed sign-in with an unknown address.
    Unidentified,
}

/// Why the access or change recorded was allowed, or the rule that refused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum AuditBasis {
    Grant(GrantId),
    TechnicalOperation,
    /// The customer acting on their own data or consent.
    TheCustomer,
    /// Staff acting within their role (opening a case, asking for consent).
    StaffRole,
    Refused(DenyRule),
    /// A disclosure ordered by a Swiss court, as recorded in the court-order ledger.
    CourtOrder(DisclosureId),
    /// An account security event (sign-in, second factor, password): it succeeded or failed.
    AccountSecurity(Outcome),
}

impl AuditBasis {
    pub const fn outcome(self) -> Outcome {
        match self {
            Self::Refused(_) => Outcome::Denied,
            Self::AccountSecurity(outcome) => outcome,
            _ => Outcome::Allowed,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Allowed,
    Denied,
}

impl Outcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Denied => "denied",
        }
    }
}

/// Where the event came from: the portal's own screens, or a calling service of the operator's infrastructure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "kebab-case")]
pub enum EventSource {
    Portal,
    Service(String),
}

/// One audit log entry about consent or access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub event: AuditEvent,
    pub actor: Actor,
    pub customer: Option<CustomerId>,
    pub resource: Option<ResourceId>,
    pub action: Option<Action>,
    /// For entries about a change that creates a grant, the storage fills in the new grant's id.
    pub basis: AuditBasis,
    pub source: EventSource,
    pub detail: Option<String>,
}

impl AuditEntry {
    /// An entry made in the portal that names no resource and no action; `customer` is whom it concerns, if one.
    pub fn in_portal(
        at: DateTime<Utc>,
        event: AuditEvent,
        actor: Actor,
        customer: Option<CustomerId>,
        basis: AuditBasis,
        detail: String,
    ) -> Self {
        Self {
            at,
            event,
            actor,
            customer,
            resource: None,
            action: None,
            basis,
            source: EventSource::Portal,
            detail: Some(detail),
        }
    }
}

/// A calling service's bearer token, as the API checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceToken {
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Builds a grant's receipt once the grant has its id.
pub type Receipt<'a> = &'a (dyn Fn(GrantId) -> OutgoingMail + Send + Sync);

/// Why a request could not be settled.
#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    #[error("the request is no longer pending")]
    NoLongerPending,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[async_trait]
pub trait ConsentStore: Send + Sync {
    /// The customer a web space, backup space or mailbox belongs to; snapshots are not services and find nobody.
    async fn owner_of(&self, resource: &ResourceId) -> Result<Option<CustomerId>, StorageError>;

    /// Fails with `Conflict`, writing nothing, when another case has the same reference.
    async fn open_case(
        &self,
        case: &NewSupportCase,
        audit: &AuditEntry,
    ) -> Result<SupportCase, StorageError>;

    async fn case_by_reference(
        &self,
        reference: &CaseReference,
    ) -> Result<Option<SupportCase>, StorageError>;

    /// Marks an open case as touched at `at`, with its new subject if one is given (and then `audit`, which says
    /// so). `None` when there is no such case; a resolved case is returned unchanged and nothing is written.
    async fn update_case(
        &self,
        id: SupportCaseId,
        subject: Option<(&CaseSubject, &AuditEntry)>,
        at: DateTime<Utc>,
    ) -> Result<Option<SupportCase>, StorageError>;

    /// Resolves an open case, which ends every grant bound to it. `None` when there is no such case; a case
    /// already resolved is returned unchanged and nothing is written.
    async fn resolve_case(
        &self,
        id: SupportCaseId,
        by: StaffId,
        audit: &AuditEntry,
    ) -> Result<Option<SupportCase>, StorageError>;

    async fn support_case(&self, id: SupportCaseId) -> Result<Option<SupportCase>, StorageError>;

    /// Newest first.
    async fn cases_of(&self, customer: CustomerId) -> Result<Vec<SupportCase>, StorageError>;

    /// Every unresolved case, oldest first: the support team's list.
    async fn open_cases(&self) -> Result<Vec<SupportCase>, StorageError>;

    async fn create_request(
        &self,
        customer: CustomerId,
        requested_by: StaffId,
        request: &ConsentRequest,
        audit: &AuditEntry,
        notice: &OutgoingMail,
    ) -> Result<ConsentRequestId, StorageError>;

    async fn consent_request(
        &self,
        id: ConsentRequestId,
    ) -> Result<Option<RequestRecord>, StorageError>;

    /// Newest first.
    async fn requests_of_customer(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<RequestRecord>, StorageError>;

    /// Newest first; `requested_by` narrows to one staff member's requests, `None` is the whole team's.
    async fn requests_by_staff(
        &self,
        requested_by: Option<StaffId>,
        limit: u32,
    ) -> Result<Vec<RequestRecord>, StorageError>;

    /// Requests still recorded as pending whose answer window closed by `now`, the earliest closed first, at most
    /// `limit`: the expiry job's work. Whether each has expired is the domain's to say.
    async fn requests_past_their_window(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RequestRecord>, StorageError>;

    /// Records that `staff` opens their consent queue at `now`; returns when they last did before, if ever.
    async fn look_at_queue(
        &self,
        staff: StaffId,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StorageError>;

    /// Grants that ended by `now` (limit, revocation, or for a mailbox its case resolved) and whose customer was not
    /// yet told, at most `limit`, oldest first: the grant-ending job's work. Why each ended is the domain's to say.
    async fn grants_ended_untold(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GrantRecord>, StorageError>;

    /// Queues `notice` and marks the grant's end as told, once: false (queuing nothing) when it already was.
    async fn tell_grant_end(
        &self,
        grant: GrantId,
        notice: &OutgoingMail,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;

    /// Grants whose time limit passed by `now` and whose limit was not yet published as an event, at most `limit`,
    /// the earliest limit first: the job that tells the infrastructure about grants ending by the clock.
    async fn grants_at_limit_unpublished(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GrantRecord>, StorageError>;

    /// Marks the grant's limit as published, once, with `event` (none when something else ended the grant
    /// first, which had its own event); false (writing nothing) when it already was.
    async fn publish_grant_limit(
        &self,
        grant: GrantId,
        event: Option<&ConsentEvent>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;

    /// Requests recorded as pending, still open at `now`, that the customer has not seen in the portal and was not
    /// reminded of, at most `limit`, oldest first. Whether a reminder is due is the domain's to say.
    async fn requests_unseen_unreminded(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RequestRecord>, StorageError>;

    /// Queues `notice` and marks the request as reminded, once: false (queuing nothing) when it already was, or
    /// when the customer saw it meanwhile.
    async fn remind_of_request(
        &self,
        id: ConsentRequestId,
        notice: &OutgoingMail,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;

    /// Records that the customer saw their pending requests in the portal at `now` (the first time counts).
    async fn see_pending_requests(
        &self,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    /// Stores `next` (the request after a domain transition) only if the stored request is still pending, with the
    /// grant an approval creates and the notice to the requester, queued in the same transaction; returns that
    /// grant's id. Two answers racing: exactly one wins, and only its notice is queued.
    async fn settle_request(
        &self,
        id: ConsentRequestId,
        next: &ConsentRequest,
        grant: Option<&GrantTerms>,
        audit: &AuditEntry,
        notice: Option<&OutgoingMail>,
    ) -> Result<Option<GrantId>, SettleError>;

    /// A grant given by the customer or recorded by staff as oral consent. `receipt` builds the mail queued in the
    /// same transaction (the oral-consent receipt, whose revoke link needs the new grant's id).
    async fn create_grant(
        &self,
        customer: CustomerId,
        terms: &GrantTerms,
        recorded_by: Option<StaffId>,
        receipt: Option<Receipt<'_>>,
        audit: &AuditEntry,
    ) -> Result<GrantId, StorageError>;

    async fn grant(&self, id: GrantId) -> Result<Option<GrantRecord>, StorageError>;

    /// Records the revocation at `audit.at` if the grant is the customer's and not yet revoked. Returns whether it
    /// was revoked now; once this returns, no access check allows through it.
    async fn revoke_grant(
        &self,
        id: GrantId,
        customer: CustomerId,
        audit: &AuditEntry,
    ) -> Result<bool, StorageError>;

    /// Newest first, ended ones included.
    async fn grants_of_customer(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<GrantRecord>, StorageError>;

    /// The grants on one resource that are not revoked and whose limit is after `now`; the policy decides which
    /// still count (a resolved case ends a mailbox grant).
    async fn live_grants_on(
        &self,
        resource: &ResourceId,
        now: DateTime<Utc>,
    ) -> Result<Vec<GrantRecord>, StorageError>;

    /// Appends entries in one transaction: either all are stored or none.
    async fn record_audit(&self, entries: &[AuditEntry]) -> Result<(), StorageError>;

    /// Records an access the infrastructure reports, once per `event_id` of that service. Returns false (writing
    /// nothing) when that event was already recorded.
    async fn record_reported_access(
        &self,
        service: &str,
        event_id: &str,
        audit: &AuditEntry,
    ) -> Result<bool, StorageError>;

    /// A customer's consent and access entries, newest first, strictly before `before` (keyset).
    async fn audit_of_customer(
        &self,
        customer: CustomerId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, AuditEntry)>, StorageError>;

    /// Fails with `Conflict` when a token of that name exists (revoked or not: names are never reused). `audit` is
    /// stored with the token.
    async fn create_service_token(
        &self,
        name: &str,
        token_hash: &[u8],
        scopes: &[String],
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    /// Returns whether a live token of that name was revoked now; `audit` is stored only then.
    async fn revoke_service_token(
        &self,
        name: &str,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;

    async fn service_token(&self, token_hash: &[u8]) -> Result<Option<ServiceToken>, StorageError>;
}
