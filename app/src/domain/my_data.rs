//! "My data" (charter §1): the personal fields the operator stores, what each is for in the charter's own words,
//! which of them the customer corrects themselves, and requests about their data with the Swiss FADP's 30-day answer
//! deadline. Pure rules; time is passed in.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::InvalidInput;

/// The personal fields the operator stores about a customer, as charter §1 lists them ("nom, prénom, téléphone,
/// portable, adresse électronique, etc"), plus what the "etc" covers here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalField {
    LastName,
    FirstName,
    Phone,
    Mobile,
    Email,
    PostalAddress,
    Language,
    Company,
    CustomerNumber,
}

/// What a field is used for, each one a purpose the charter names (§1 for the first three, §3 for the last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// §1: "servent à vous identifier en tant que titulaire d'un contrat".
    IdentifyContractHolder,
    /// §1: "lors d'un contact avec notre support".
    SupportContact,
    /// §1: "lors du transfert d'un contrat entre deux entités".
    ContractTransfer,
    /// §3: "nos propres communications … lors d'incidents techniques les concernant, pour annoncer les nouvelles
    /// prestations disponibles ou les modifications de nos conditions générales".
    OwnCommunications,
}

impl Purpose {
    pub const ALL: [Self; 4] = [
        Self::IdentifyContractHolder,
        Self::SupportContact,
        Self::ContractTransfer,
        Self::OwnCommunications,
    ];

    /// The charter's own words, quoted from the French text that prevails.
    pub const fn charter_words(self) -> &'static str {
        match self {
            Self::IdentifyContractHolder => "vous identifier en tant que titulaire d’un contrat",
            Self::SupportContact => "lors d’un contact avec notre support",
            Self::ContractTransfer => "lors du transfert d’un contrat entre deux entités",
            Self::OwnCommunications => {
                "nos propres communications, à destination de nos clients eux-mêmes directement lors d’incidents \
                 techniques les concernant, pour annoncer les nouvelles prestations disponibles ou les \
                 modifications de nos conditions générales"
            }
        }
    }

    pub const fn clause(self) -> &'static str {
        match self {
            Self::OwnCommunications => "§3",
            _ => "§1",
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::IdentifyContractHolder => "identify-contract-holder",
            Self::SupportContact => "support-contact",
            Self::ContractTransfer => "contract-transfer",
            Self::OwnCommunications => "own-communications",
        }
    }
}

impl PersonalField {
    pub const ALL: [Self; 9] = [
        Self::LastName,
        Self::FirstName,
        Self::Phone,
        Self::Mobile,
        Self::Email,
        Self::PostalAddress,
        Self::Language,
        Self::Company,
        Self::CustomerNumber,
    ];

    /// The fields the customer corrects on their own. Names, company and customer number identify the contract
    /// holder (§1): changing them is a change of holder or a transfer between entities, which support does after
    /// identifying the caller. The email changes only once a link sent to the new address is followed.
    pub const SELF_SERVICE: [Self; 4] = [
        Self::Phone,
        Self::Mobile,
        Self::PostalAddress,
        Self::Language,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::LastName => "last_name",
            Self::FirstName => "first_name",
            Self::Phone => "phone",
            Self::Mobile => "mobile",
            Self::Email => "email",
            Self::PostalAddress => "postal_address",
            Self::Language => "language",
            Self::Company => "company",
            Self::CustomerNumber => "customer_number",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|field| field.as_str() == raw)
            .ok_or(InvalidInput::new("field", "is not a personal field"))
    }

    pub const fn label_fr(self) -> &'static str {
        match self {
            Self::LastName => "Nom",
            Self::FirstName => "Prénom",
            Self::Phone => "Téléphone",
            Self::Mobile => "Portable",
            Self::Email => "Adresse électronique",
            Self::PostalAddress => "Adresse postale",
            Self::Language => "Langue",
            Self::Company => "Entreprise ou entité",
            Self::CustomerNumber => "Numéro de client",
        }
    }

    /// What the field is used for, in the charter's terms.
    pub const fn purposes(self) -> &'static [Purpose] {
        use Purpose::*;
        match self {
            Self::LastName | Self::FirstName | Self::CustomerNumber => {
                &[IdentifyContractHolder, SupportContact, ContractTransfer]
            }
            Self::Phone | Self::Mobile => &[SupportContact, IdentifyContractHolder],
            Self::Email => &[OwnCommunications, SupportContact, IdentifyContractHolder],
            Self::PostalAddress | Self::Company => &[IdentifyContractHolder, ContractTransfer],
            Self::Language => &[OwnCommunications, SupportContact],
        }
    }

    pub fn self_service(self) -> bool {
        Self::SELF_SERVICE.contains(&self)
    }
}

/// A postal address as the customer corrects it: every part required, short, one line each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
}

/// One line of text: trimmed, required, at most `max` characters, no control characters.
pub fn one_line(field: &'static str, raw: &str, max: usize) -> Result<String, InvalidInput> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(InvalidInput::new(field, "is required"));
    }
    if value.chars().count() > max {
        return Err(InvalidInput::new(field, "is too long"));
    }
    if value.chars().any(char::is_control) {
        return Err(InvalidInput::new(
            field,
            "must be on one line, without control characters",
        ));
    }
    Ok(value.to_owned())
}

impl PostalAddress {
    pub fn parse(
        street: &str,
        postcode: &str,
        city: &str,
        country: &str,
    ) -> Result<Self, InvalidInput> {
        let street = one_line("street", street, 120)?;
        let country = one_line("country", country, 2)
            .ok()
            .map(|country| country.to_ascii_uppercase())
            .filter(|country| country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()))
            .ok_or(InvalidInput::new(
                "country",
                "must be a two-letter country code such as CH",
            ))?;
        let postcode = one_line("postcode", postcode, 10)?;
        // Swiss and Liechtenstein postcodes are four digits: the most common typing mistake is caught here.
        if matches!(country.as_str(), "CH" | "LI")
            && !(postcode.len() == 4 && postcode.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(InvalidInput::new(
                "postcode",
                "must be four digits in Switzerland",
            ));
        }
        let city = one_line("city", city, 80)?;
        Ok(Self {
            street,
            postcode,
            city,
            country,
        })
    }
}

/// What a customer may ask about their data (Swiss FADP art. 25 and following).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataRequestKind {
    Access,
    Correction,
    Erasure,
    Question,
}

impl DataRequestKind {
    pub const ALL: [Self; 4] = [
        Self::Access,
        Self::Correction,
        Self::Erasure,
        Self::Question,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Correction => "correction",
            Self::Erasure => "erasure",
            Self::Question => "question",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw)
            .ok_or(InvalidInput::new(
                "kind",
                "must be access, correction, erasure or question",
            ))
    }

    pub const fn label_fr(self) -> &'static str {
        match self {
            Self::Access => "Accès à mes données",
            Self::Correction => "Rectification",
            Self::Erasure => "Effacement",
            Self::Question => "Question",
        }
    }
}

/// The Swiss FADP (art. 25 al. 7, OPDo art. 18) gives 30 days to answer a request about one's data.
pub const ANSWER_DAYS: i64 = 30;

pub fn answer_due(filed_at: DateTime<Utc>) -> DateTime<Utc> {
    filed_at + Duration::days(ANSWER_DAYS)
}

/// The text of a request or of an answer: required, at most 4,000 characters.
pub fn request_text(field: &'static str, raw: &str) -> Result<String, InvalidInput> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(InvalidInput::new(field, "is required"));
    }
    if text.chars().count() > 4_000 {
        return Err(InvalidInput::new(field, "is longer than 4,000 characters"));
    }
    Ok(text.to_owned())
}

/// How long a link to confirm a new email address stays valid.
pub const EMAIL_CONFIRMATION_HOURS: i64 = 24;

/// A phone number checked against the numbering plans of libphonenumber, in E.164. A number without a country code
/// is read as Swiss (`079 123 45 67` → `+41791234567`); `field` names the form field for the error.
#[cfg(feature = "ssr")]
pub fn checked_phone(field: &'static str, raw: &str) -> Result<super::PhoneNumber, InvalidInput> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(InvalidInput::new(field, "is required"));
    }
    // The format check first: it refuses letters and stray characters with a precise reason.
    let shaped = super::PhoneNumber::parse(trimmed)
        .map_err(|error| InvalidInput::new(field, error.reason))?;
    let number = phonenumber::parse(Some(phonenumber::country::Id::CH), shaped.as_str())
        .map_err(|_| InvalidInput::new(field, "is not a phone number"))?;
    if !phonenumber::is_valid(&number) {
        return Err(InvalidInput::new(
            field,
            "is not a number in use in its country's numbering plan",
        ));
    }
    let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
    super::PhoneNumber::parse(&e164).map_err(|error| InvalidInput::new(field, error.reason))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_a_purpose_from_the_charter() {
        for field in PersonalField::ALL {
            assert!(!field.purposes().is_empty(), "{field:?}");
            assert_eq!(PersonalField::parse(field.as_str()), Ok(field));
        }
        assert!(PersonalField::Phone.self_service());
        assert!(!PersonalField::LastName.self_service());
        assert!(!PersonalField::Email.self_service());
    }

    #[test]
    fn a_request_is_due_thirty_days_after_it_was_filed() {
        let filed = DateTime::parse_from_rfc3339("2026-11-26T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(answer_due(filed).to_rfc3339(), "2026-12-26T10:00:00+00:00");
    }

    #[test]
    fn postal_addresses_are_checked_part_by_part() {
        let ok = PostalAddress::parse(" Rue du Bourg 12 ", "1003", "Lausanne", "ch").unwrap();
        assert_eq!(ok.country, "CH");
        assert_eq!(ok.street, "Rue du Bourg 12");
        assert_eq!(
            PostalAddress::parse("", "1003", "Lausanne", "CH")
                .unwrap_err()
                .field,
            "street"
        );
        assert_eq!(
            PostalAddress::parse("Rue 1", "10034", "Lausanne", "CH")
                .unwrap_err()
                .field,
            "postcode"
        );
        assert_eq!(
            PostalAddress::parse("Rue 1", "75001", "Paris", "France")
                .unwrap_err()
                .field,
            "country"
        );
        assert!(PostalAddress::parse("Rue 1", "75001", "Paris", "FR").is_ok());
        assert_eq!(
            PostalAddress::parse("Rue 1\nBcc", "1003", "Lausanne", "CH")
                .unwrap_err()
                .field,
            "street"
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn phone_numbers_are_checked_against_the_numbering_plan() {
        assert_eq!(
            checked_phone("phone", "079 123 45 67").map(String::from),
            Ok("+41791234567".to_owned())
        );
        assert_eq!(
            checked_phone("mobile", "+33 6 12 34 56 78").map(String::from),
            Ok("+33612345678".to_owned())
        );
        assert_eq!(
            checked_phone("phone", "0041 21 555 01 23").map(String::from),
            Ok("+41215550123".to_owned())
        );
        // The right length but no such Swiss range.
        assert_eq!(
            checked_phone("phone", "011 123 45 67").unwrap_err().field,
            "phone"
        );
        assert_eq!(
            checked_phone("mobile", "079-ABC").unwrap_err().field,
            "mobile"
        );
        assert_eq!(
            checked_phone("phone", "").unwrap_err().reason,
            "is required"
        );
    }

    #[test]
    fn request_kinds_and_texts() {
        assert_eq!(
            DataRequestKind::parse("erasure"),
            Ok(DataRequestKind::Erasure)
        );
        assert!(DataRequestKind::parse("delete").is_err());
        assert!(request_text("body", "   ").is_err());
        assert!(request_text("body", &"x".repeat(4_001)).is_err());
        assert_eq!(request_text("body", " Bonjour ").as_deref(), Ok("Bonjour"));
    }
}
