//! Free text that staff or customers write into a consent record. Every piece is required and bounded: an empty
//! reason or an empty "how the caller was identified" would make the audit trail worthless, and an unbounded one
//! would let a single form fill the database.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::domain::InvalidInput;

/// Trims, turns CRLF into LF and refuses what could not be shown safely in a mail header or a log line.
fn parse_text(raw: &str, field: &'static str, max_chars: usize) -> Result<String, InvalidInput> {
    let text = raw.trim().replace("\r\n", "\n");
    if text.is_empty() {
        return Err(InvalidInput::new(field, "is required"));
    }
    if text.chars().count() > max_chars {
        return Err(InvalidInput::new(field, "is too long"));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(InvalidInput::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(text)
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
                parse_text(raw, $field, $max).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidInput;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
}

bounded_text!(
    /// Why staff ask for access, or why a customer refuses it, in the writer's words.
    ReasonText,
    "reason",
    1000
);
bounded_text!(
    /// How staff made sure the caller giving oral consent is the customer (e.g. "called back on the number on file,
    /// confirmed the customer number").
    CallerIdentification,
    "caller identification",
    500
);
bounded_text!(
    /// The telephony system's reference of the call in which oral consent was given.
    CallReference,
    "call reference",
    100
);
bounded_text!(
    /// The scope as staff read it back to the caller before the caller agreed.
    ScopeReadBack,
    "scope read back",
    1000
);
bounded_text!(
    /// Why support looks up a customer's contact data: the call or the ticket it is for. The customer reads it in
    /// their access log.
    LookupReason,
    "reason",
    200
);
bounded_text!(
    /// What a support case is about, as support summarises the customer's problem.
    CaseSubject,
    "subject",
    200
);
bounded_text!(
    /// The operator's ticketing system's own reference of a support case (its ticket number), kept so that the
    /// ticket and the case can be found from each other.
    CaseReference,
    "reference",
    100
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_line_endings_are_unified() {
        assert_eq!(
            ReasonText::parse("  slow webmail\r\nsince Monday \n").map(String::from),
            Ok("slow webmail\nsince Monday".to_owned())
        );
    }

    #[test]
    fn empty_overlong_or_control_text_is_refused_with_its_field() {
        assert_eq!(
            CallReference::parse(" \n "),
            Err(InvalidInput::new("call reference", "is required"))
        );
        assert_eq!(
            CallerIdentification::parse(&"é".repeat(501)),
            Err(InvalidInput::new("caller identification", "is too long"))
        );
        assert!(CallerIdentification::parse(&"é".repeat(500)).is_ok());
        assert_eq!(
            ScopeReadBack::parse("read\u{1b}[2J"),
            Err(InvalidInput::new(
                "scope read back",
                "must not contain control characters"
            ))
        );
    }
}
