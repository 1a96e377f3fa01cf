use serde::{Deserialize, Serialize};

use super::InvalidInput;

/// A staff member, as the storage numbers them; a grant may name one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StaffId(pub i64);

/// A staff role as the charter names them. A person may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Support,
    Sysadmin,
    PrivacyOfficer,
}

impl Role {
    pub const ALL: [Self; 3] = [Self::Support, Self::Sysadmin, Self::PrivacyOfficer];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Support => "support",
            Self::Sysadmin => "sysadmin",
            Self::PrivacyOfficer => "privacy-officer",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == raw.trim())
            .ok_or(InvalidInput::new(
                "role",
                "must be support, sysadmin or privacy-officer",
            ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("admin").is_err());
    }
}
