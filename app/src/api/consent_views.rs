//! What the consent screens receive. The domain aggregates stay on the server; these are plain, serialisable
//! snapshots, taken at `now` on the server so that the page renders the same in the browser as it did there.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::consent::{
    Action, ConsentRequestId, EndReason, GrantId, ReasonCode, RequestStateKind, ResourceKind,
    SupportCaseId, Teams,
};
use crate::domain::Role;

/// A staff member as a customer or a colleague sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffLabel {
    pub name: String,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerLabel {
    pub number: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceLabel {
    /// `mailbox:…` or `backup-space:…`, as forms take it back.
    pub id: String,
    pub kind: ResourceKind,
    /// The address or the space's name alone.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRef {
    pub id: SupportCaseId,
    pub subject: String,
    pub resolved_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: ConsentRequestId,
    pub customer: CustomerLabel,
    pub requested_by: StaffLabel,
    /// Whether the person looking at it asked for it (staff only may withdraw their own).
    pub mine: bool,
    pub resource: ResourceLabel,
    pub case: Option<CaseRef>,
    pub actions: Vec<Action>,
    pub reason_code: ReasonCode,
    pub reason_text: String,
    pub requested_minutes: i64,
    pub created_at: DateTime<Utc>,
    /// The request can be answered strictly before this.
    pub answer_by: DateTime<Utc>,
    /// As it truly is now: a pending request past its window shows as expired.
    pub state: RequestStateKind,
    pub closed_at: Option<DateTime<Utc>>,
    pub approved_minutes: Option<i64>,
    pub deny_reason: Option<String>,
    pub grant: Option<GrantId>,
    /// For the staff member who asked, in their queue: answered or expired since they last opened it.
    pub news: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GrantSource {
    ApprovedRequest,
    CustomerInitiative,
    Oral,
}

/// Who may use a grant, as its pages name them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "who", rename_all = "kebab-case")]
pub enum GrantUsers {
    /// The one staff member who asked, or who recorded the oral consent.
    StaffMember(StaffLabel),
    /// The teams the customer opened it to.
    Teams(Teams),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantSummary {
    pub id: GrantId,
    pub resource: ResourceLabel,
    pub case: Option<CaseRef>,
    pub actions: Vec<Action>,
    pub source: GrantSource,
    /// The staff member who recorded an oral consent.
    pub recorded_by: Option<StaffLabel>,
    /// For an oral consent: the call it was given in.
    pub call_reference: Option<String>,
    pub usable_by: GrantUsers,
    pub starts_at: DateTime<Utc>,
    /// When it ends, or ended, whichever comes first of its limit, revocation and case resolution.
    pub ends_at: DateTime<Utc>,
    pub active: bool,
    pub end_reason: Option<EndReason>,
    pub seconds_left: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyConsents {
    pub now: DateTime<Utc>,
    pub pending: Vec<RequestView>,
    pub active: Vec<GrantSummary>,
    /// Answered, expired and withdrawn requests, newest first.
    pub past_requests: Vec<RequestView>,
    pub ended: Vec<GrantSummary>,
    /// The customer's backup spaces and mailboxes, for a grant on their own initiative.
    pub resources: Vec<ResourceLabel>,
    /// The customer's unresolved support cases, which a mailbox grant must name.
    pub open_cases: Vec<CaseRef>,
}

/// One customer's consents as a whole: what waits, what runs, what happened before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentState {
    pub pending: Vec<RequestView>,
    pub active: Vec<GrantSummary>,
    /// Answered, expired and withdrawn requests, newest first.
    pub past_requests: Vec<RequestView>,
    pub ended: Vec<GrantSummary>,
}

/// A customer's consents as support sees them, from one of the customer's cases or from the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerConsents {
    pub now: DateTime<Utc>,
    pub customer: CustomerLabel,
    /// The case the page was opened from, if it was.
    pub case: Option<CaseView>,
    pub case_resolved_at: Option<DateTime<Utc>>,
    pub state: ConsentState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentQueue {
    pub now: DateTime<Utc>,
    /// Newest first, the viewer's and their colleagues' alike; `mine` tells them apart.
    pub requests: Vec<RequestView>,
    /// Whether the viewer is mailed when a request of theirs is answered or expires.
    pub answer_mail: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub id: SupportCaseId,
    pub customer: CustomerLabel,
    pub subject: String,
    pub opened_by: StaffLabel,
    pub opened_at: DateTime<Utc>,
    /// The ticketing system's reference, when the case comes from there.
    pub reference: Option<String>,
    /// Whole days since the case was last touched, when that makes it idle (support is shown it).
    pub idle_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneGrant {
    pub now: DateTime<Utc>,
    pub grant: GrantSummary,
}
