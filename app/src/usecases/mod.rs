//! Operations that join the domain rules to the storage, so that the portal's screens and the integration API take
//! the same steps in the same order and cannot drift apart.

pub mod access_check;
pub mod cases;
pub mod charter;
pub mod consent_notices;
pub mod consent_timers;
pub mod directory;
pub mod expire_requests;
pub mod grant_endings;
pub mod invitations;
pub mod notices;
pub mod report_access;

pub use access_check::{
    check_access, AccessCheckError, AccessQuery, AuditSink, Directory, StoreAudit, StoreDirectory,
};
pub use consent_timers::{publish_grant_limits, remind_of_requests, TIMERS_BATCH};
pub use expire_requests::{expire_requests, EXPIRY_BATCH};
pub use grant_endings::{tell_ended_grants, ENDINGS_BATCH};
pub use report_access::{report_access, EventId, ReportError, ReportOutcome, ReportedAccess};
