//! Demo data for a first run and for the browser tests: realistic Swiss customers and the operator's staff.

use chrono::{DateTime, Utc};

use app::auth::passwords::PasswordHasher;
use app::domain::{
    CustomerNumber, EmailAddress, InvalidInput, Language, NewPassword, PhoneNumber, Role,
};

use crate::accounts::{create_user, CreateUserError, Kind, NewUser};
use app::ports::{NewCustomer, NewService, ServiceKind, Storage, StorageError};

struct DemoCustomer {
    number: &'static str,
    first_name: &'static str,
    last_name: &'static str,
    email: &'static str,
    phone: Option<&'static str>,
    mobile: Option<&'static str>,
    language: Language,
    company: Option<&'static str>,
    street: &'static str,
    postcode: &'static str,
    city: &'static str,
    services: &'static [(ServiceKind, &'static str)],
}

const CUSTOMERS: [DemoCustomer; 5] = [
    DemoCustomer {
        number: "C-100001",
        first_name: "Jeanne",
        last_name: "Favre",
        email: "jeanne.favre@boulangerie-favre.ch",
        phone: Some("021 312 45 67"),
        mobile: Some("079 456 12 34"),
        language: Language::Fr,
        company: Some("Boulangerie Favre Sàrl"),
        street: "Rue du Bourg 12",
        postcode: "1003",
        city: "Lausanne",
        services: &[
            (ServiceKind::WebSpace, "boulangerie-favre.ch"),
            (ServiceKind::BackupSpace, "backup-boulangerie-favre"),
            (ServiceKind::Mailbox, "jeanne.favre@boulangerie-favre.ch"),
            (ServiceKind::Mailbox, "commandes@boulangerie-favre.ch"),
        ],
    },
    DemoCustomer {
        number: "C-100002",
        first_name: "Luca",
        last_name: "Bernasconi",
        email: "luca@studio-bernasconi.ch",
        phone: Some("091 922 18 40"),
        mobile: Some("076 381 22 90"),
        language: Language::En,
        company: Some("Studio Bernasconi SA"),
        street: "Via Nassa 5",
        postcode: "6900",
        city: "Lugano",
        services: &[
            (ServiceKind::WebSpace, "studio-bernasconi.ch"),
            (ServiceKind::Mailbox, "luca@studio-bernasconi.ch"),
        ],
    },
    DemoCustomer {
        number: "C-100003",
        first_name: "Anne-Sophie",
        last_name: "Rochat",
        email: "as.rochat@rochat-avocats.ch",
        phone: Some("022 310 77 00"),
        mobile: None,
        language: Language::Fr,
        company: Some("Étude Rochat Avocats"),
        street: "Rue du Rhône 65",
        postcode: "1204",
        city: "Genève",
        services: &[
            (ServiceKind::WebSpace, "rochat-avocats.ch"),
            (ServiceKind::BackupSpace, "backup-rochat-avocats"),
            (ServiceKind::Mailbox, "as.rochat@rochat-avocats.ch"),
            (ServiceKind::Mailbox, "secretariat@rochat-avocats.ch"),
        ],
    },
    DemoCustomer {
        number: "C-100004",
        first_name: "Martin",
        last_name: "Keller",
        email: "martin.keller@keller-velos.ch",
        phone: Some("044 251 63 09"),
        mobile: Some("078 640 11 52"),
        language: Language::En,
        company: Some("Keller Velos GmbH"),
        street: "Bahnhofstrasse 21",
        postcode: "8001",
        city: "Zürich",
        services: &[
            (ServiceKind::WebSpace, "keller-velos.ch"),
            (ServiceKind::BackupSpace, "backup-keller-velos"),
            (ServiceKind::Mailbox, "martin.keller@keller-velos.ch"),
        ],
    },
    DemoCustomer {
        number: "C-100005",
        first_name: "Élodie",
        last_name: "Perrin",
        email: "elodie.perrin@bluewin.ch",
        phone: None,
        mobile: Some("079 218 73 45"),
        language: Language::Fr,
        company: None,
        street: "Chemin des Vignes 3",
        postcode: "2000",
        city: "Neuchâtel",
        services: &[
            (ServiceKind::WebSpace, "perrin-photo.ch"),
            (ServiceKind::Mailbox, "contact@perrin-photo.ch"),
        ],
    },
];

/// Email, name, roles and the base32 TOTP secret that README.md gives, so that anyone can sign in as staff.
const STAFF: [(&str, &str, &[Role], &str); 4] = [
    (
        "camille.rey@staff.portal.example",
        "Camille Rey",
        &[Role::Support],
        "MNQW22LMNRSS44TFPEWWIZLNN4WXI33U",
    ),
    (
        "noah.meier@staff.portal.example",
        "Noah Meier",
        &[Role::Sysadmin],
        "NZXWC2BONVSWSZLSFVSGK3LPFV2G65DQ",
    ),
    (
        "ines.morel@staff.portal.example",
        "Inès Morel",
        &[Role::PrivacyOfficer],
        "NFXGK4ZONVXXEZLMFVSGK3LPFV2G65DQ",
    ),
    (
        "samuel.dubois@staff.portal.example",
        "Samuel Dubois",
        &[Role::Support, Role::Sysadmin],
        "ONQW25LFNQXGI5LCN5UXGLLEMVWW6LLU",
    ),
];

/// The password of every demo account. Demo data only: a real deployment creates accounts with `create-user`.
pub const DEMO_PASSWORD: &str = "portail-demo-2026";

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("demo data is invalid: {0}")]
    Invalid(#[from] InvalidInput),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("demo account: {0}")]
    Account(Box<CreateUserError>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedSummary {
    pub customers: usize,
    pub staff: usize,
}

/// Creates whatever demo data is missing. Idempotent: a second run finds everything and writes nothing new.
pub async fn seed_demo(store: &dyn Storage, now: DateTime<Utc>) -> Result<SeedSummary, SeedError> {
    for demo in &CUSTOMERS {
        let customer = NewCustomer {
            number: CustomerNumber::parse(demo.number)?,
            first_name: demo.first_name.to_owned(),
            last_name: demo.last_name.to_owned(),
            email: EmailAddress::parse(demo.email)?,
            phone: demo.phone.map(PhoneNumber::parse).transpose()?,
            mobile: demo.mobile.map(PhoneNumber::parse).transpose()?,
            language: demo.language,
            company: demo.company.map(str::to_owned),
            street: demo.street.to_owned(),
            postcode: demo.postcode.to_owned(),
            city: demo.city.to_owned(),
            country: "CH".to_owned(),
        };
        let services: Vec<NewService> = demo
            .services
            .iter()
            .map(|(kind, name)| NewService {
                kind: *kind,
                name: (*name).to_owned(),
            })
            .collect();
        store.ensure_customer(&customer, &services, now).await?;
    }
    crate::backups::seed_demo_backups(store, now).await?;
    let hasher = PasswordHasher::new(2);
    let password = NewPassword::parse(DEMO_PASSWORD)?;
    for demo in &CUSTOMERS {
        let email = EmailAddress::parse(demo.email)?;
        let user = NewUser {
            kind: &Kind::Customer,
            email: &email,
            name: demo.first_name,
            password: &password,
            totp_secret: None,
        };
        ensure_user(store, &hasher, &user, now).await?;
    }
    for (email, display_name, roles, secret) in STAFF {
        let email = EmailAddress::parse(email)?;
        let kind = Kind::Staff(roles.to_vec());
        let user = NewUser {
            kind: &kind,
            email: &email,
            name: display_name,
            password: &password,
            totp_secret: Some(secret),
        };
        ensure_user(store, &hasher, &user, now).await?;
    }
    Ok(SeedSummary {
        customers: CUSTOMERS.len(),
        staff: STAFF.len(),
    })
}

/// Creates the account unless one exists; an existing demo account is left as its user changed it.
async fn ensure_user(
    store: &dyn Storage,
    hasher: &PasswordHasher,
    user: &NewUser<'_>,
    now: DateTime<Utc>,
) -> Result<(), SeedError> {
    match create_user(store, hasher, user, now).await {
        Ok(_) | Err(CreateUserError::Exists(_)) => Ok(()),
        Err(error) => Err(SeedError::Account(Box::new(error))),
    }
}
