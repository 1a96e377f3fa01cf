//! What the "my data" screens receive: plain, serialisable snapshots of the personal fields with their purposes and
//! history, contracts and services, the pending email change and the requests about one's data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One personal field as the customer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldView {
    /// The field's stable name (`phone`, `postal_address`, …).
    pub field: String,
    pub value: Option<String>,
    /// What it is used for, in the charter's own words, each with its clause.
    pub purposes: Vec<PurposeView>,
    /// Whether the customer corrects it themselves (otherwise support does).
    pub self_service: bool,
    /// The last recorded change; `None` when it has not changed since the account was created.
    pub last_changed_at: Option<DateTime<Utc>>,
    /// `you`, `support` (a staff member, named) or `system`.
    pub last_changed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeView {
    pub purpose: String,
    pub clause: String,
    pub charter_words: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceView {
    /// `web-space`, `backup-space` or `mailbox`.
    pub kind: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferView {
    pub from: String,
    pub to: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractSummary {
    pub number: String,
    pub started_at: DateTime<Utc>,
    pub terminated_at: Option<DateTime<Utc>>,
    /// Whether the customer holds it now (false: transferred away from them).
    pub held: bool,
    pub services: Vec<ServiceView>,
    pub transfers: Vec<TransferView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataRequestView {
    pub id: i64,
    /// `access`, `correction`, `erasure` or `question`.
    pub kind: String,
    pub body: String,
    pub filed_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// Whole days left until `due_at` (negative when overdue), as of the page's time.
    pub days_left: i64,
    pub answered_at: Option<DateTime<Utc>>,
    pub answer: Option<String>,
}

/// The values the correction form starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditableValues {
    pub phone: String,
    pub mobile: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub language: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyData {
    pub customer_number: String,
    pub fields: Vec<FieldView>,
    pub editable: EditableValues,
    /// The address waiting for its confirmation link to be followed, and until when the link works.
    pub pending_email: Option<(String, DateTime<Utc>)>,
    pub contracts: Vec<ContractSummary>,
    pub requests: Vec<DataRequestView>,
    /// When the customer's record was created: a field never changed since holds the value given then.
    pub created_at: DateTime<Utc>,
}

/// An open request as the privacy officer's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenRequestView {
    pub request: DataRequestView,
    pub customer_number: String,
    pub customer_name: String,
}

#[cfg(feature = "ssr")]
/// Whole days from `now` until `due`, rounded towards the deadline (a request due in 3 h has 0 days left).
pub fn days_left(due: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (due - now).num_days()
}
