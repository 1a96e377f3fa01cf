//! Domain rules: pure functions and parse-don't-validate types, with time passed in.

pub mod customer;
pub mod staff;

pub use customer::{CustomerNumber, EmailAddress, Language, PhoneNumber};
pub use staff::Role;

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
