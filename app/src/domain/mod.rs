//! Domain rules: pure functions and parse-don't-validate types, with time passed in.

#[cfg(feature = "ssr")]
pub mod audit_chain;
pub mod audit_event;
pub mod backup;
pub mod chain_break;
pub mod charter;
pub mod consent;
pub mod customer;
pub mod disclosure;
pub mod mailbox;
#[cfg(feature = "ssr")]
pub mod merkle;
pub mod my_data;
pub mod password;
pub mod security_event;
pub mod staff;
pub mod throttle;

pub use audit_event::AuditEvent;
pub use customer::{CustomerNumber, EmailAddress, Language, PhoneNumber};
pub use disclosure::DisclosureId;
pub use password::NewPassword;
pub use security_event::SecurityEventKind;
pub use staff::{Role, StaffId};

/// Why an input was refused, phrased so it can be shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidInput {
    pub field: &'static str,
    pub reason: &'static str,
}

impl InvalidInput {
    pub const fn new(field: &'static str, reason: &'static str) -> Self {
        Self { field, reason }
    }
}
