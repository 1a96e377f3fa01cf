//! Mail as the application sees it (charter §3): the only kinds of message the portal can send, the outbox they go
//! through, the customer's communications ledger, incidents and notices to many customers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AuditEntry, Customer, CustomerId, ServiceKind, StaffId, StorageError};
use crate::domain::{EmailAddress, InvalidInput, Language};

/// The kinds of mail the portal may send: its own communications (incidents, new services, terms changes) and
/// transactional mail (consent, account security, answers to a customer's requests about their data). There is no
/// other kind, so nothing else can be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MailKind {
    Incident,
    NewService,
    TermsChange,
    /// A consent request, an oral-consent receipt, a grant that ended.
    Consent,
    AccountSecurity,
    /// A privacy officer answered the customer's request about their data (the mail says so and links to it).
    DataRequest,
}

impl MailKind {
    pub const ALL: [Self; 6] = [
        Self::Incident,
        Self::NewService,
        Self::TermsChange,
        Self::Consent,
        Self::AccountSecurity,
        Self::DataRequest,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Incident => "incident",
            Self::NewService => "new-service",
            Self::TermsChange => "terms-change",
            Self::Consent => "consent",
            Self::AccountSecurity => "account-security",
            Self::DataRequest => "data-request",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw)
            .ok_or(InvalidInput::new(
                "mail kind",
                "is not a kind of mail the portal sends",
            ))
    }
}

/// One message to one person, stored in the outbox in the transaction of the change that causes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub kind: MailKind,
    pub to: EmailAddress,
    /// The customer it concerns, so that it shows in their communications ledger; `None` for staff.
    pub customer: Option<CustomerId>,
    pub language: Language,
    pub subject: String,
    pub body_text: String,
}

impl OutgoingMail {
    /// Transactional mail of `kind` to the customer's address of record, in their language.
    pub fn to_customer(
        kind: MailKind,
        customer: &Customer,
        (subject, body_text): (String, String),
    ) -> Self {
        Self {
            kind,
            to: customer.details.email.clone(),
            customer: Some(customer.id),
            language: customer.details.language,
            subject,
            body_text,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MailStatus {
    Queued,
    Sent,
    /// Given up on, with the reason kept.
    Dead,
}

impl MailStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Dead => "dead",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        match raw {
            "queued" => Ok(Self::Queued),
            "sent" => Ok(Self::Sent),
            "dead" => Ok(Self::Dead),
            _ => Err(InvalidInput::new(
                "mail status",
                "must be queued, sent or dead",
            )),
        }
    }
}

/// A line of the customer's communications ledger: a message the portal sent or will send them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub id: i64,
    pub kind: MailKind,
    pub subject: String,
    /// The text of the portal's own communications (incident, new service, terms change); transactional mail is
    /// listed without its body, which may hold a link that still works.
    pub body_text: Option<String>,
    pub status: MailStatus,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The communications a customer may turn off. Incident and terms-change notices cannot be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPreferences {
    pub new_service_announcements: bool,
}

/// A notice rendered once per language; every recipient gets the text of their own language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedNotice {
    pub kind: MailKind,
    pub french: LocalizedMail,
    pub english: LocalizedMail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedMail {
    pub subject: String,
    pub text: String,
    /// Complete HTML body; every piece of user data in it is already escaped.
    pub html: String,
}

/// Who an incident concerns: everyone with a service of these kinds, or these customers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Affected {
    ByService(Vec<ServiceKind>),
    Customers(Vec<CustomerId>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    pub title: String,
    pub what_happened: String,
    pub what_it_means: String,
    pub services: Vec<ServiceKind>,
    pub affected: Affected,
    pub declared_by: StaffId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRecord {
    pub id: i64,
    pub title: String,
    pub what_happened: String,
    pub what_it_means: String,
    pub services: Vec<ServiceKind>,
    pub declared_at: DateTime<Utc>,
    /// How many customers it concerns.
    pub customers: u64,
}

#[async_trait]
pub trait MailStore: Send + Sync {
    /// Every message ever addressed to the customer, newest first.
    async fn ledger_of(&self, customer: CustomerId) -> Result<Vec<LedgerEntry>, StorageError>;

    async fn mail_preferences(&self, customer: CustomerId)
        -> Result<MailPreferences, StorageError>;

    async fn set_mail_preferences(
        &self,
        customer: CustomerId,
        preferences: MailPreferences,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    /// Records the incident, the customers it concerns and a notice to each of them, at once; returns its id and how
    /// many customers it concerns.
    async fn declare_incident(
        &self,
        incident: &NewIncident,
        notice: &RenderedNotice,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<(i64, u64), StorageError>;

    /// Every incident, newest first (the privacy officer's list).
    async fn incidents(&self) -> Result<Vec<IncidentRecord>, StorageError>;

    /// The incidents that concern the customer, newest first.
    async fn incidents_of(&self, customer: CustomerId)
        -> Result<Vec<IncidentRecord>, StorageError>;

    /// Queues a new-service announcement or a terms-change notice to every customer who may receive it (a
    /// new-service announcement skips those who turned it off), in a few set-based statements; returns how many.
    async fn queue_notice_to_all(
        &self,
        notice: &RenderedNotice,
        created_by: Option<StaffId>,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError>;
}
