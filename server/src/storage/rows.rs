//! Rows as the databases return them, and their conversion into domain types. Stored values are parsed again on
//! the way out, so a row edited by hand into something invalid is reported instead of spreading.

use chrono::{DateTime, Utc};

use app::domain::{CustomerNumber, EmailAddress, Language, PhoneNumber, Role};
use app::ports::{
    Customer, CustomerId, NewCustomer, Service, ServiceId, ServiceKind, StaffId, StaffMember,
    StorageError,
};

/// The customer columns in the order [`CustomerRow`] reads them, followed by the rest of the statement.
macro_rules! select_customers {
    ($rest:literal) => {
        concat!(
            "SELECT id, customer_number, first_name, last_name, email, phone, mobile, language, company, ",
            "street, postcode, city, country, created_at, updated_at FROM customers ",
            $rest
        )
    };
}
pub(super) use select_customers;

/// Binds a `NewCustomer`'s twelve columns in the order [`select_customers`] reads them (`customer_number` to
/// `country`), as `$1` to `$12` of the query.
macro_rules! bind_customer {
    ($query:expr, $customer:expr) => {{
        let customer: &app::ports::NewCustomer = $customer;
        $query
            .bind(customer.number.as_str())
            .bind(&customer.first_name)
            .bind(&customer.last_name)
            .bind(customer.email.as_str())
            .bind(
                customer
                    .phone
                    .as_ref()
                    .map(app::domain::PhoneNumber::as_str),
            )
            .bind(
                customer
                    .mobile
                    .as_ref()
                    .map(app::domain::PhoneNumber::as_str),
            )
            .bind(customer.language.code())
            .bind(customer.company.as_deref())
            .bind(&customer.street)
            .bind(&customer.postcode)
            .bind(&customer.city)
            .bind(&customer.country)
    }};
}
pub(super) use bind_customer;

#[derive(sqlx::FromRow)]
pub(super) struct CustomerRow {
    id: i64,
    customer_number: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: Option<String>,
    mobile: Option<String>,
    language: String,
    company: Option<String>,
    street: String,
    postcode: String,
    city: String,
    country: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<CustomerRow> for Customer {
    type Error = StorageError;

    fn try_from(row: CustomerRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: CustomerId(row.id),
            details: NewCustomer {
                number: CustomerNumber::parse(&row.customer_number)?,
                first_name: row.first_name,
                last_name: row.last_name,
                email: EmailAddress::parse(&row.email)?,
                phone: row.phone.as_deref().map(PhoneNumber::parse).transpose()?,
                mobile: row.mobile.as_deref().map(PhoneNumber::parse).transpose()?,
                language: Language::parse(&row.language)?,
                company: row.company,
                street: row.street,
                postcode: row.postcode,
                city: row.city,
                country: row.country,
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ServiceRow {
    id: i64,
    customer_id: i64,
    kind: String,
    name: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<ServiceRow> for Service {
    type Error = StorageError;

    fn try_from(row: ServiceRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: ServiceId(row.id),
            customer: CustomerId(row.customer_id),
            kind: ServiceKind::parse(&row.kind)?,
            name: row.name,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct StaffRow {
    id: i64,
    email: String,
    display_name: String,
    created_at: DateTime<Utc>,
    answer_mail: bool,
}

impl StaffRow {
    pub(super) fn id(&self) -> StaffId {
        StaffId(self.id)
    }

    pub(super) fn with_roles(self, roles: Vec<String>) -> Result<StaffMember, StorageError> {
        let mut roles = roles
            .iter()
            .map(|role| Role::parse(role))
            .collect::<Result<Vec<_>, _>>()?;
        roles.sort_unstable();
        roles.dedup();
        Ok(StaffMember {
            id: StaffId(self.id),
            email: EmailAddress::parse(&self.email)?,
            display_name: self.display_name,
            roles,
            created_at: self.created_at,
            answer_mail: self.answer_mail,
        })
    }
}
