//! What "my data" (charter §1) needs from storage: when each personal field last changed and by whom, corrections
//! with their audit entries, email changes confirmed by a link, requests about one's data, and the raw material of
//! the export. Every method that changes something writes its audit entry in the same transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{AuditEntry, Customer, CustomerId, OutgoingMail, SecurityEvent, StaffId, StorageError};
use crate::domain::my_data::{DataRequestKind, PersonalField, PostalAddress};
use crate::domain::{CustomerNumber, EmailAddress, Language, PhoneNumber};

/// The stored value of a personal field, as the customer reads it (the postal address on one line).
pub fn personal_value(customer: &Customer, field: PersonalField) -> Option<String> {
    let details = &customer.details;
    match field {
        PersonalField::LastName => Some(details.last_name.clone()),
        PersonalField::FirstName => Some(details.first_name.clone()),
        PersonalField::Phone => details.phone.clone().map(String::from),
        PersonalField::Mobile => details.mobile.clone().map(String::from),
        PersonalField::Email => Some(details.email.to_string()),
        PersonalField::PostalAddress => Some(format!(
            "{}, {} {}, {}",
            details.street, details.postcode, details.city, details.country
        )),
        PersonalField::Language => Some(details.language.code().to_owned()),
        PersonalField::Company => details.company.clone(),
        PersonalField::CustomerNumber => Some(details.number.to_string()),
    }
}

/// Who changed a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangedBy {
    Customer,
    Staff(StaffId),
    /// The portal or the operator's tooling (e.g. the admin CLI).
    System,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: PersonalField,
    pub at: DateTime<Utc>,
    pub by: ChangedBy,
}

/// The fields a customer corrects themselves, all at once, as the form sends them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub phone: Option<PhoneNumber>,
    pub mobile: Option<PhoneNumber>,
    pub address: PostalAddress,
    pub language: Language,
}

/// A link to confirm a new address, found by its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailChange {
    pub id: i64,
    pub customer: CustomerId,
    pub new_email: EmailAddress,
    pub requested_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmEmailOutcome {
    Confirmed,
    /// Used, superseded by a newer request, or expired.
    NoLongerValid,
    /// Another customer or account has that address now.
    AddressTaken,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataRequestRecord {
    pub id: i64,
    pub customer: CustomerId,
    pub kind: DataRequestKind,
    pub body: String,
    pub filed_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<StaffId>,
    pub answer: Option<String>,
}

/// An open request as the privacy officer's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenDataRequest {
    pub request: DataRequestRecord,
    pub customer_number: CustomerNumber,
    pub customer_name: String,
}

#[async_trait]
pub trait MyDataStore: Send + Sync {
    /// Every recorded change of the customer's personal fields, newest first.
    async fn field_changes(&self, customer: CustomerId) -> Result<Vec<FieldChange>, StorageError>;

    /// Writes the fields that differ from what is stored, one change row per field, and `audit` (its detail set
    /// to the fields' names) in one transaction. Returns the fields that changed; nothing is written when none did.
    async fn correct_personal_data(
        &self,
        customer: CustomerId,
        correction: &Correction,
        audit: &AuditEntry,
    ) -> Result<Vec<PersonalField>, StorageError>;

    /// Stores a confirmation link's token hash for `new_email` (superseding the customer's earlier ones), queues
    /// `mail` (the link, to the new address) and writes `audit`, at once. `Conflict` when another customer or
    /// account has that address.
    async fn request_email_change(
        &self,
        customer: CustomerId,
        new_email: &EmailAddress,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &OutgoingMail,
        audit: &AuditEntry,
    ) -> Result<(), StorageError>;

    /// The customer's address change waiting for its link to be followed, if any is still valid at `now`.
    async fn pending_email_change(
        &self,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<Option<EmailChange>, StorageError>;

    /// The change a token confirms, if it is still valid at `now`.
    async fn email_change_by_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<EmailChange>, StorageError>;

    /// If the change is still valid at `now`: sets the customer's and their account's address, marks it confirmed,
    /// records the field change, queues `notice` (to the old address), and records `event` (EmailChanged) in the
    /// security events and the audit log, all in one transaction.
    async fn confirm_email_change(
        &self,
        change: i64,
        notice: &OutgoingMail,
        event: &SecurityEvent,
        now: DateTime<Utc>,
    ) -> Result<ConfirmEmailOutcome, StorageError>;

    async fn file_data_request(
        &self,
        customer: CustomerId,
        kind: DataRequestKind,
        body: &str,
        due_at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<DataRequestRecord, StorageError>;

    /// The customer's requests, newest first.
    async fn data_requests_of(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<DataRequestRecord>, StorageError>;

    /// Every unanswered request, the one due first at the top.
    async fn open_data_requests(&self) -> Result<Vec<OpenDataRequest>, StorageError>;

    /// One unanswered request; `None` when there is no such request or it was answered.
    async fn open_data_request(&self, id: i64) -> Result<Option<OpenDataRequest>, StorageError>;

    /// Records the answer of an open request, queues `notice` (which must be addressed to the request's customer)
    /// and writes `audit` (its customer set to the request's), at once; `None` when there is no such open request.
    async fn answer_data_request(
        &self,
        id: i64,
        answer: &str,
        by: StaffId,
        notice: &OutgoingMail,
        audit: &AuditEntry,
    ) -> Result<Option<DataRequestRecord>, StorageError>;

    /// Every table of the live schema with a column that refers to a customer or to an account (`customer_id`,
    /// `…_customer_id`, `account_id`), with those columns, sorted by table name.
    async fn customer_tables(&self) -> Result<Vec<(String, Vec<String>)>, StorageError>;

    /// The rows of `table` that refer to the customer through any of `keys` (a column holding a customer id, or
    /// `account_id` for one of the customer's accounts), each as a JSON object of every column but `hidden`, in
    /// table order. `table`, `keys` and `hidden` are names from the export's coverage list, never from a request.
    async fn customer_rows(
        &self,
        table: &str,
        keys: &[&str],
        hidden: &[&str],
        customer: CustomerId,
    ) -> Result<Vec<serde_json::Value>, StorageError>;
}
