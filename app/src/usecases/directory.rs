//! Customer directory sync: the operator's records, parsed once at the edge into domain values, and the rule of
//! which personal fields a record changes. The same records come through the API (`directory` scope) and from a
//! file through the admin CLI.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::domain::my_data::{one_line, PersonalField, PostalAddress};
use crate::domain::{
    AuditEvent, CustomerNumber, EmailAddress, InvalidInput, Language, PhoneNumber,
};
use crate::ports::{
    Actor, AuditBasis, AuditEntry, ContractRecord, DirectoryRecord, EventSource, NewCustomer,
    NewService, ServiceKind, SyncOutcome,
};

/// A record as the operator sends it, before anything is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecord {
    pub number: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub company: Option<String>,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    pub language: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    #[serde(default)]
    pub contracts: Vec<RawContract>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContract {
    pub number: String,
    pub started_at: DateTime<Utc>,
    #[serde(default)]
    pub services: Vec<RawService>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    /// `web-space`, `backup-space` or `mailbox`.
    pub kind: String,
    /// A domain for a web space, the space's name for a backup space, an address for a mailbox.
    pub name: String,
}

fn optional(
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<String, InvalidInput>,
) -> Result<Option<String>, InvalidInput> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => parse(value).map(Some),
    }
}

fn service(raw: &RawService) -> Result<NewService, InvalidInput> {
    let kind = ServiceKind::parse(raw.kind.trim()).map_err(|_| {
        InvalidInput::new(
            "services.kind",
            "must be web-space, backup-space or mailbox",
        )
    })?;
    let name = match kind {
        ServiceKind::Mailbox => EmailAddress::parse(&raw.name)
            .map_err(|invalid| InvalidInput::new("services.name", invalid.reason))?
            .as_str()
            .to_owned(),
        ServiceKind::WebSpace | ServiceKind::BackupSpace => {
            let name = one_line("services.name", &raw.name, 253)?.to_ascii_lowercase();
            if name.chars().any(char::is_whitespace) {
                return Err(InvalidInput::new(
                    "services.name",
                    "must not contain spaces",
                ));
            }
            name
        }
    };
    Ok(NewService { kind, name })
}

fn contract(raw: &RawContract) -> Result<ContractRecord, InvalidInput> {
    let number = one_line("contracts.number", &raw.number, 40)?;
    if number.chars().any(char::is_whitespace) {
        return Err(InvalidInput::new(
            "contracts.number",
            "must not contain spaces",
        ));
    }
    Ok(ContractRecord {
        number,
        started_at: raw.started_at,
        services: raw.services.iter().map(service).collect::<Result<_, _>>()?,
    })
}

/// The record as domain values, or the first field that is wrong.
pub fn parse(raw: &RawRecord) -> Result<DirectoryRecord, InvalidInput> {
    let address = PostalAddress::parse(&raw.street, &raw.postcode, &raw.city, &raw.country)?;
    let phone = |field: &'static str, value: Option<&String>| {
        value
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
            .map(PhoneNumber::parse)
            .transpose()
            .map_err(|invalid| InvalidInput::new(field, invalid.reason))
    };
    let customer = NewCustomer {
        number: CustomerNumber::parse(&raw.number)
            .map_err(|invalid| InvalidInput::new("number", invalid.reason))?,
        first_name: one_line("first_name", &raw.first_name, 80)?,
        last_name: one_line("last_name", &raw.last_name, 80)?,
        email: EmailAddress::parse(&raw.email)
            .map_err(|invalid| InvalidInput::new("email", invalid.reason))?,
        phone: phone("phone", raw.phone.as_ref())?,
        mobile: phone("mobile", raw.mobile.as_ref())?,
        language: Language::parse(raw.language.trim())
            .map_err(|invalid| InvalidInput::new("language", invalid.reason))?,
        company: optional(raw.company.as_deref(), |value| {
            one_line("company", value, 120)
        })?,
        street: address.street,
        postcode: address.postcode,
        city: address.city,
        country: address.country,
    };
    let contracts: Vec<ContractRecord> = raw
        .contracts
        .iter()
        .map(contract)
        .collect::<Result<_, _>>()?;
    let mut seen = std::collections::HashSet::new();
    for service in contracts.iter().flat_map(|contract| &contract.services) {
        if !seen.insert((service.kind, service.name.as_str())) {
            return Err(InvalidInput::new("services.name", "is listed twice"));
        }
    }
    let mut numbers = std::collections::HashSet::new();
    if !contracts
        .iter()
        .all(|contract| numbers.insert(contract.number.as_str()))
    {
        return Err(InvalidInput::new("contracts.number", "is listed twice"));
    }
    Ok(DirectoryRecord {
        customer,
        contracts,
    })
}

/// A digest of everything the record says, in a fixed order: equal digests, equal records. Contracts and services
/// count in the order given; reordering them only costs one full comparison.
pub fn digest(record: &DirectoryRecord) -> String {
    use sha2::{Digest, Sha256};
    let customer = &record.customer;
    let mut hash = Sha256::new();
    let mut part = |text: &str| {
        hash.update(text.len().to_le_bytes());
        hash.update(text.as_bytes());
    };
    for text in [
        customer.number.as_str(),
        &customer.first_name,
        &customer.last_name,
        customer.email.as_str(),
        customer.phone.as_ref().map_or("", PhoneNumber::as_str),
        customer.mobile.as_ref().map_or("", PhoneNumber::as_str),
        customer.language.code(),
        customer.company.as_deref().unwrap_or("\u{0}"),
        &customer.street,
        &customer.postcode,
        &customer.city,
        &customer.country,
    ] {
        part(text);
    }
    for contract in &record.contracts {
        part(&contract.number);
        part(&contract.started_at.to_rfc3339());
        for service in &contract.services {
            part(service.kind.as_str());
            part(&service.name);
        }
        part("");
    }
    hex::encode(hash.finalize())
}

/// The personal fields in which `new` differs from `old`. The customer number is the key, so it never differs.
pub fn changed_fields(old: &NewCustomer, new: &NewCustomer) -> Vec<PersonalField> {
    let address = |customer: &NewCustomer| {
        (
            customer.street.clone(),
            customer.postcode.clone(),
            customer.city.clone(),
            customer.country.clone(),
        )
    };
    [
        (PersonalField::LastName, old.last_name != new.last_name),
        (PersonalField::FirstName, old.first_name != new.first_name),
        (PersonalField::Phone, old.phone != new.phone),
        (PersonalField::Mobile, old.mobile != new.mobile),
        (PersonalField::Email, old.email != new.email),
        (PersonalField::PostalAddress, address(old) != address(new)),
        (PersonalField::Language, old.language != new.language),
        (PersonalField::Company, old.company != new.company),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect()
}

/// The audit entry of a record the sync created or changed: who sent it (the service, or the CLI), which fields,
/// never their values. An unchanged or refused record has none.
pub fn sync_audit(
    source: EventSource,
    now: DateTime<Utc>,
) -> impl Fn(&SyncOutcome) -> Option<AuditEntry> {
    move |outcome| {
        let (event, customer, detail) = match outcome {
            SyncOutcome::Created(customer) => (
                AuditEvent::DirectoryRecordCreated,
                *customer,
                crate::log_detail!("from the operator's directory"),
            ),
            SyncOutcome::Updated {
                customer,
                fields,
                contracts_added,
                services_added,
            } => {
                let names: Vec<&str> = fields.iter().map(|field| field.as_str()).collect();
                (
                    AuditEvent::DirectoryRecordUpdated,
                    *customer,
                    crate::log_detail!(
                        "changed: {fields}; contracts added: {contracts}; services added: {services}",
                        fields = if names.is_empty() { "none".to_owned() } else { names.join(", ") },
                        contracts = contracts_added,
                        services = services_added,
                    ),
                )
            }
            SyncOutcome::Unchanged(_) | SyncOutcome::Refused(_) => return None,
        };
        Some(AuditEntry {
            source: source.clone(),
            ..AuditEntry::in_portal(
                now,
                event,
                Actor::System,
                Some(customer),
                AuditBasis::StaffRole,
                detail,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawRecord {
        RawRecord {
            number: "C-200001".into(),
            first_name: "Anna".into(),
            last_name: "Favre".into(),
            company: Some(" ".into()),
            email: "anna@favre-exemple.ch".into(),
            phone: Some("+41 21 555 01 02".into()),
            mobile: None,
            language: "fr".into(),
            street: "Rue du Bourg 12".into(),
            postcode: "1003".into(),
            city: "Lausanne".into(),
            country: "ch".into(),
            contracts: vec![RawContract {
                number: "K-200001-1".into(),
                started_at: DateTime::UNIX_EPOCH,
                services: vec![
                    RawService {
                        kind: "mailbox".into(),
                        name: "Anna@Favre-Exemple.ch".into(),
                    },
                    RawService {
                        kind: "web-space".into(),
                        name: "Favre-Exemple.ch".into(),
                    },
                ],
            }],
        }
    }

    #[test]
    fn a_good_record_becomes_domain_values() {
        let record = parse(&raw()).unwrap();
        assert_eq!(record.customer.number.as_str(), "C-200001");
        assert_eq!(record.customer.company, None, "blank is absent");
        assert_eq!(record.customer.country, "CH");
        assert_eq!(record.contracts[0].services[1].name, "favre-exemple.ch");
    }

    #[test]
    fn a_bad_record_names_its_field() {
        type Spoil = fn(&mut RawRecord);
        let cases: [(Spoil, &str); 7] = [
            (|r| r.number = "100".into(), "number"),
            (|r| r.email = "nobody".into(), "email"),
            (|r| r.language = "de".into(), "language"),
            (|r| r.postcode = "10034".into(), "postcode"),
            (|r| r.first_name = "  ".into(), "first_name"),
            (
                |r| r.contracts[0].services[0].kind = "ftp".into(),
                "services.kind",
            ),
            (
                |r| {
                    let twice = r.contracts[0].services[0].clone();
                    r.contracts[0].services.push(twice);
                },
                "services.name",
            ),
        ];
        for (spoil, field) in cases {
            let mut record = raw();
            spoil(&mut record);
            assert_eq!(parse(&record).unwrap_err().field, field);
        }
    }

    #[test]
    fn the_digest_changes_with_any_field_service_or_contract() {
        let record = parse(&raw()).unwrap();
        assert_eq!(digest(&record), digest(&record.clone()));
        let mut moved = record.clone();
        moved.customer.city = "Renens".into();
        let mut service = record.clone();
        service.contracts[0].services[0].name = "other@favre-exemple.ch".into();
        let mut blank_company = record.clone();
        blank_company.customer.company = Some(String::new());
        let digests = [&record, &moved, &service, &blank_company].map(digest);
        let distinct: std::collections::HashSet<_> = digests.iter().collect();
        assert_eq!(distinct.len(), 4, "{digests:?}");
    }

    #[test]
    fn only_the_fields_that_differ_are_changed() {
        let old = parse(&raw()).unwrap().customer;
        let mut new = old.clone();
        assert!(changed_fields(&old, &new).is_empty());
        new.city = "Renens".into();
        new.mobile = Some(PhoneNumber::parse("+41 79 555 01 02").unwrap());
        assert_eq!(
            changed_fields(&old, &new),
            vec![PersonalField::Mobile, PersonalField::PostalAddress]
        );
    }
}
