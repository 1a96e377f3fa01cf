use serde::{Deserialize, Serialize};
use std::fmt;

use super::InvalidInput;

/// The contract holder's customer number as printed on invoices: `C-` followed by six digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerNumber(String);

impl CustomerNumber {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let digits = raw
            .trim()
            .strip_prefix("C-")
            .ok_or(InvalidInput::new("customer_number", "must start with C-"))?;
        if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidInput::new(
                "customer_number",
                "must be C- followed by six digits",
            ));
        }
        Ok(Self(format!("C-{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CustomerNumber {
    type Error = InvalidInput;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CustomerNumber> for String {
    fn from(value: CustomerNumber) -> Self {
        value.0
    }
}

impl fmt::Display for CustomerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address as the portal accepts it: one `@`, no spaces or control characters (so it can never carry
/// a header injection), at most 254 characters, domain lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        const FIELD: &str = "email";
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(InvalidInput::new(FIELD, "is required"));
        }
        if raw.len() > 254 {
            return Err(InvalidInput::new(FIELD, "is longer than 254 characters"));
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InvalidInput::new(
                FIELD,
                "must not contain spaces or control characters",
            ));
        }
        let (local, domain) = raw
            .rsplit_once('@')
            .ok_or(InvalidInput::new(FIELD, "must contain an @"))?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if local.is_empty() || local.contains('@') || !domain_ok {
            return Err(InvalidInput::new(FIELD, "is not a valid address"));
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = InvalidInput;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number in E.164 form. Numbers written the Swiss way (`079 123 45 67`, `0041 …`) are read as Swiss.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        const FIELD: &str = "phone";
        let compact: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '/'))
            .collect();
        let international = if let Some(rest) = compact.strip_prefix('+') {
            rest.to_owned()
        } else if let Some(rest) = compact.strip_prefix("00") {
            rest.to_owned()
        } else if let Some(rest) = compact.strip_prefix('0') {
            format!("41{rest}")
        } else {
            return Err(InvalidInput::new(
                FIELD,
                "must start with +, 00 or a Swiss 0",
            ));
        };
        if !international.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidInput::new(
                FIELD,
                "may contain only digits, spaces and + - . / ( )",
            ));
        }
        if international.starts_with('0') || !(8..=15).contains(&international.len()) {
            return Err(InvalidInput::new(
                FIELD,
                "is not a valid international number",
            ));
        }
        if international.starts_with("41") && international.len() != 11 {
            return Err(InvalidInput::new(
                FIELD,
                "a Swiss number has nine digits after the 0",
            ));
        }
        Ok(Self(format!("+{international}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = InvalidInput;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

/// The languages the portal speaks. French first: the charter's French text is the one that prevails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Fr,
    En,
}

impl Language {
    pub const fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "fr" => Ok(Self::Fr),
            "en" => Ok(Self::En),
            _ => Err(InvalidInput::new("language", "must be fr or en")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_numbers_have_a_fixed_shape() {
        assert_eq!(
            CustomerNumber::parse(" C-004217 ").map(String::from),
            Ok("C-004217".to_owned())
        );
        assert!(CustomerNumber::parse("004217").is_err());
        assert!(CustomerNumber::parse("C-4217").is_err());
        assert!(CustomerNumber::parse("C-00421x").is_err());
    }

    #[test]
    fn email_addresses_refuse_header_injection_and_garbage() {
        assert_eq!(
            EmailAddress::parse("Jeanne.Favre@Example.CH").map(String::from),
            Ok("Jeanne.Favre@example.ch".to_owned())
        );
        for bad in [
            "",
            "jeanne",
            "jeanne@",
            "@example.ch",
            "a@b",
            "a b@example.ch",
            "a@example.ch\r\nBcc: x@y.z",
            "a@@example.ch",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(EmailAddress::parse(&format!("{}@example.ch", "a".repeat(250))).is_err());
    }

    #[test]
    fn swiss_phone_numbers_become_e164() {
        assert_eq!(
            PhoneNumber::parse("079 123 45 67").map(String::from),
            Ok("+41791234567".to_owned())
        );
        assert_eq!(
            PhoneNumber::parse("0041 21 555 01 23").map(String::from),
            Ok("+41215550123".to_owned())
        );
        assert_eq!(
            PhoneNumber::parse("+33 1 42 68 53 00").map(String::from),
            Ok("+33142685300".to_owned())
        );
        for bad in [
            "",
            "12345",
            "079 123 45",
            "+41 79 123 45 67 8",
            "079-ABC-45-67",
            "+0 123 456 789",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn languages_parse_case_insensitively() {
        assert_eq!(Language::parse("FR"), Ok(Language::Fr));
        assert_eq!(Language::parse("en").map(Language::code), Ok("en"));
        assert!(Language::parse("de").is_err());
    }
}
