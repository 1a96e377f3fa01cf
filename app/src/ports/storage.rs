use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt::Debug;

use crate::domain::{CustomerNumber, EmailAddress, InvalidInput, Language, PhoneNumber, Role};

type Source = Box<dyn std::error::Error + Send + Sync>;

/// Storage failures as the application sees them. The `Display` text is safe to log; it is never shown to a
/// browser or API client as such.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{0} already exists or belongs to someone else")]
    Conflict(String),
    #[error("the database is unavailable")]
    Unavailable(#[source] Source),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(#[from] InvalidInput),
    #[error("storage failure")]
    Internal(#[source] Source),
}

macro_rules! id_type {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(pub i64);
    )*};
}
id_type!(CustomerId, ServiceId);

pub use crate::domain::StaffId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustomer {
    pub number: CustomerNumber,
    pub first_name: String,
    pub last_name: String,
    pub email: EmailAddress,
    pub phone: Option<PhoneNumber>,
    pub mobile: Option<PhoneNumber>,
    pub language: Language,
    pub company: Option<String>,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: CustomerId,
    pub details: NewCustomer,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The services a contract covers, as the charter distinguishes them: each has its own access rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceKind {
    WebSpace,
    BackupSpace,
    Mailbox,
}

impl ServiceKind {
    pub const ALL: [Self; 3] = [Self::WebSpace, Self::BackupSpace, Self::Mailbox];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::WebSpace => "web-space",
            Self::BackupSpace => "backup-space",
            Self::Mailbox => "mailbox",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw)
            .ok_or(InvalidInput::new(
                "service kind",
                "must be web-space, backup-space or mailbox",
            ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewService {
    pub kind: ServiceKind,
    /// The name the infrastructure knows it by: a domain for a web space, an address for a mailbox.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: ServiceId,
    pub customer: CustomerId,
    pub kind: ServiceKind,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaff {
    pub email: EmailAddress,
    pub display_name: String,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: StaffId,
    pub email: EmailAddress,
    pub display_name: String,
    /// Sorted, without duplicates.
    pub roles: Vec<Role>,
    pub created_at: DateTime<Utc>,
    /// Whether they are mailed when a request of theirs is answered or expires.
    pub answer_mail: bool,
}

/// The one storage interface. Every method is atomic: it either does all it says or nothing.
#[async_trait]
pub trait Storage:
    super::AccountStore
    + super::ConsentStore
    + super::AuditLog
    + super::AuditReader
    + super::DisclosureStore
    + super::MailStore
    + super::ContractStore
    + super::BackupStore
    + super::MailboxStatsStore
    + super::CharterStore
    + super::MyDataStore
    + super::DashboardStore
    + super::EventDeliveryLog
    + super::DirectoryStore
    + super::InvitationStore
    + Send
    + Sync
    + Debug
{
    /// Succeeds when the database answers a query.
    async fn ping(&self) -> Result<(), StorageError>;

    /// Creates the customer and the services they lack, keyed by customer number; an existing customer is left as
    /// it is. Fails with `Conflict`, writing nothing, when the email or a service belongs to another customer.
    async fn ensure_customer(
        &self,
        customer: &NewCustomer,
        services: &[NewService],
        now: DateTime<Utc>,
    ) -> Result<CustomerId, StorageError>;

    async fn customer(&self, id: CustomerId) -> Result<Option<Customer>, StorageError>;

    async fn customer_by_number(
        &self,
        number: &CustomerNumber,
    ) -> Result<Option<Customer>, StorageError>;

    async fn customer_by_email(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<Customer>, StorageError>;

    /// Customers in id order, strictly after `after` (keyset pagination).
    async fn customers_page(
        &self,
        after: Option<CustomerId>,
        limit: u32,
    ) -> Result<Vec<Customer>, StorageError>;

    async fn services_of(&self, customer: CustomerId) -> Result<Vec<Service>, StorageError>;

    /// Creates the staff member if no one has that email, and grants the roles they lack; never removes a role.
    async fn ensure_staff(
        &self,
        staff: &NewStaff,
        now: DateTime<Utc>,
    ) -> Result<StaffId, StorageError>;

    async fn staff_by_email(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<StaffMember>, StorageError>;

    /// The staff member with their roles, e.g. to show a customer who is asking for access.
    async fn staff_member(&self, id: StaffId) -> Result<Option<StaffMember>, StorageError>;

    /// The roles a staff member holds now, sorted.
    async fn staff_roles(&self, staff: StaffId) -> Result<Vec<Role>, StorageError>;

    /// The staff member's choice of being mailed when a request of theirs is answered or expires.
    async fn set_answer_mail(&self, staff: StaffId, on: bool) -> Result<(), StorageError>;
}
