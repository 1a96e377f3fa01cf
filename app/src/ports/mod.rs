//! What the application needs from the outside world. `server` implements these traits and provides them as
//! Leptos context, so pages and server functions never name a concrete database, mailer or clock.

pub mod accounts;
pub mod audit;
pub mod backups;
pub mod charter;
pub mod clock;
pub mod consent;
pub mod contracts;
pub mod dashboard;
pub mod directory;
pub mod events;
pub mod invitations;
pub mod mail;
pub mod my_data;
pub mod storage;

pub use accounts::{
    Account, AccountId, AccountStore, EndSessions, NewAccount, Principal, SecurityEvent,
    SessionSummary,
};
pub use audit::{
    AuditFilter, AuditLine, AuditLog, AuditReader, AuditRecord, AuditVerifier, Disclosure,
    DisclosureStore, InclusionCheck, LogProver, PublishedKey, StaffDisplay, VerificationProblem,
    VerificationStatus,
};
pub use backups::{
    BackupStore, ConfirmOutcome, MailboxStatsRecord, MailboxStatsStore, NewSnapshot,
    RegisterOutcome, SnapshotRecord, StatsWrite,
};
pub use charter::{CharterDraft, CharterStore, CharterVersion, NewCharterVersion, PublishError};
pub use clock::{Clock, SystemClock};
pub use consent::{
    Actor, AuditBasis, AuditEntry, ConsentStore, EventSource, GrantRecord, NewSupportCase, Outcome,
    Receipt, RequestRecord, ServiceToken, SettleError, SupportCase,
};
pub use contracts::{
    Contract, ContractId, ContractStore, ContractTransfer, ContractView, Termination,
    TransferOutcome,
};
pub use dashboard::{DashboardStore, GlanceRecords};
pub use directory::{
    ContractRecord, DirectoryRecord, DirectoryStore, SyncAudit, SyncOutcome, SyncRefusal,
};
pub use events::{DeliveryAttempt, DeliveryCounts, EventDeliveryLog};
pub use invitations::{Invitation, InvitationStore};
pub use mail::{
    Affected, IncidentRecord, LedgerEntry, LocalizedMail, MailKind, MailPreferences, MailStatus,
    MailStore, NewIncident, OutgoingMail, RenderedNotice,
};
pub use my_data::{
    ChangedBy, ConfirmEmailOutcome, Correction, DataRequestRecord, EmailChange, FieldChange,
    MyDataStore, OpenDataRequest,
};
pub use storage::{
    Customer, CustomerId, NewCustomer, NewService, NewStaff, Service, ServiceId, ServiceKind,
    StaffId, StaffMember, Storage, StorageError,
};

/// The client's address as the server worked it out (behind trusted proxies: the right-most untrusted hop). The
/// server puts it in each request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);
