//! Why staff ask for access: a code the portal can count and filter on, plus the requester's own words.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::ReasonText;
use crate::domain::InvalidInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonCode {
    /// The customer contacted support and the fix needs a look at their data.
    CustomerSupport,
    /// A security or operational incident involves the customer's data.
    IncidentResponse,
    /// Maintenance of the operator's infrastructure touches the customer's data.
    OperatorMaintenance,
    /// A legal duty other than a court-ordered disclosure (those are recorded separately, by a privacy officer).
    LegalObligation,
}

impl ReasonCode {
    pub const ALL: [Self; 4] = [
        Self::CustomerSupport,
        Self::IncidentResponse,
        Self::OperatorMaintenance,
        Self::LegalObligation,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CustomerSupport => "customer-support",
            Self::IncidentResponse => "incident-response",
            Self::OperatorMaintenance => "operator-maintenance",
            Self::LegalObligation => "legal-obligation",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|code| code.as_str() == raw.trim())
            .ok_or(InvalidInput::new(
                "reason code",
                "must be customer-support, incident-response, operator-maintenance or legal-obligation",
            ))
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The reason shown to the customer with a request, and kept with the grant that follows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    pub text: ReasonText,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_round_trip_through_their_names() {
        for code in ReasonCode::ALL {
            assert_eq!(ReasonCode::parse(code.as_str()), Ok(code));
        }
        assert!(ReasonCode::parse("curiosity").is_err());
    }
}
