//! Identifiers the storage assigns to consent records. Defined here rather than next to the storage ports because
//! the domain also builds for the browser, where the ports do not exist.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::domain::InvalidInput;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident, $field:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// Parses the decimal number shown in the portal and in links; storage ids start at 1.
            pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
                raw.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .map(Self)
                    .ok_or(InvalidInput::new($field, "must be a positive whole number"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type! {
    /// A consent request.
    ConsentRequestId, "request";
    /// A consent grant; what an access decision names as its basis.
    GrantId, "grant";
    /// A support case, to which a mailbox consent is bound.
    SupportCaseId, "support case";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_positive_numbers() {
        assert_eq!(SupportCaseId::parse(" 42 "), Ok(SupportCaseId(42)));
        assert_eq!(GrantId(7).to_string(), "7");
        for bad in ["", "0", "-3", "4x", "#42"] {
            assert_eq!(
                SupportCaseId::parse(bad),
                Err(InvalidInput::new(
                    "support case",
                    "must be a positive whole number"
                )),
                "{bad:?}"
            );
        }
    }
}
