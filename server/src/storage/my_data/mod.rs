//! "My data" storage (charter §1): field change history, corrections, email changes confirmed by link, requests
//! about one's data; and in [`export`], the raw rows of every table the export covers.

pub mod export;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::audit::{append_audit, AuditValues};
use super::consent::rows::corrupt;
use super::{in_write_tx, insert_mail, map_error, on_pool, SqlStore};
use app::domain::my_data::{DataRequestKind, PersonalField};
use app::domain::{AuditEvent, CustomerNumber, EmailAddress};
use app::ports::{
    Actor, AuditBasis, AuditEntry, ChangedBy, ConfirmEmailOutcome, Correction, CustomerId,
    DataRequestRecord, EmailChange, EventSource, FieldChange, MyDataStore, OpenDataRequest,
    Outcome, OutgoingMail, SecurityEvent, StaffId, StorageError,
};

#[derive(sqlx::FromRow)]
struct ChangeRow {
    field: String,
    changed_at: DateTime<Utc>,
    actor_kind: String,
    actor_staff_id: Option<i64>,
}

impl TryFrom<ChangeRow> for FieldChange {
    type Error = StorageError;
    fn try_from(row: ChangeRow) -> Result<Self, Self::Error> {
        let by = match (row.actor_kind.as_str(), row.actor_staff_id) {
            ("customer", None) => ChangedBy::Customer,
            ("staff", Some(id)) => ChangedBy::Staff(StaffId(id)),
            ("system", None) => ChangedBy::System,
            _ => return Err(corrupt("field change", "has an unknown author")),
        };
        Ok(Self {
            field: PersonalField::parse(&row.field)?,
            at: row.changed_at,
            by,
        })
    }
}

#[derive(sqlx::FromRow)]
struct EmailChangeRow {
    id: i64,
    customer_id: i64,
    new_email: String,
    requested_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl TryFrom<EmailChangeRow> for EmailChange {
    type Error = StorageError;
    fn try_from(row: EmailChangeRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: row.id,
            customer: CustomerId(row.customer_id),
            new_email: EmailAddress::parse(&row.new_email)?,
            requested_at: row.requested_at,
            expires_at: row.expires_at,
        })
    }
}

const REQUEST_COLUMNS: &str =
    "id, customer_id, kind, body, filed_at, due_at, answered_at, answered_by, answer";

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    customer_id: i64,
    kind: String,
    body: String,
    filed_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
    answered_by: Option<i64>,
    answer: Option<String>,
}

impl TryFrom<RequestRow> for DataRequestRecord {
    type Error = StorageError;
    fn try_from(row: RequestRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: row.id,
            customer: CustomerId(row.customer_id),
            kind: DataRequestKind::parse(&row.kind)?,
            body: row.body,
            filed_at: row.filed_at,
            due_at: row.due_at,
            answered_at: row.answered_at,
            answered_by: row.answered_by.map(StaffId),
            answer: row.answer,
        })
    }
}

#[derive(sqlx::FromRow)]
struct OpenRow {
    #[sqlx(flatten)]
    request: RequestRow,
    customer_number: String,
    first_name: String,
    last_name: String,
}

/// Unanswered requests with their customer's number and name; callers add their order or one more condition.
const OPEN_REQUESTS: &str =
    "SELECT r.id, r.customer_id, r.kind, r.body, r.filed_at, r.due_at, r.answered_at, r.answered_by, r.answer, \
     c.customer_number, c.first_name, c.last_name \
     FROM data_requests r JOIN customers c ON c.id = r.customer_id WHERE r.answered_at IS NULL";

impl TryFrom<OpenRow> for OpenDataRequest {
    type Error = StorageError;

    fn try_from(row: OpenRow) -> Result<Self, StorageError> {
        Ok(Self {
            customer_number: CustomerNumber::parse(&row.customer_number)?,
            customer_name: format!("{} {}", row.first_name, row.last_name),
            request: row.request.try_into()?,
        })
    }
}

/// The stored values a correction compares against.
#[derive(sqlx::FromRow)]
struct CurrentRow {
    phone: Option<String>,
    mobile: Option<String>,
    street: String,
    postcode: String,
    city: String,
    country: String,
    language: String,
}

fn changed_fields(current: &CurrentRow, correction: &Correction) -> Vec<PersonalField> {
    let mut fields = Vec::new();
    if current.phone.as_deref() != correction.phone.as_ref().map(|phone| phone.as_str()) {
        fields.push(PersonalField::Phone);
    }
    if current.mobile.as_deref() != correction.mobile.as_ref().map(|phone| phone.as_str()) {
        fields.push(PersonalField::Mobile);
    }
    let address = &correction.address;
    if (
        current.street.as_str(),
        current.postcode.as_str(),
        current.city.as_str(),
        current.country.as_str(),
    ) != (
        address.street.as_str(),
        address.postcode.as_str(),
        address.city.as_str(),
        address.country.as_str(),
    ) {
        fields.push(PersonalField::PostalAddress);
    }
    if current.language != correction.language.code() {
        fields.push(PersonalField::Language);
    }
    fields
}

fn actor_columns(actor: &Actor) -> (&'static str, Option<i64>) {
    match actor {
        Actor::Customer { .. } => ("customer", None),
        Actor::Staff { id, .. } => ("staff", Some(id.0)),
        Actor::System | Actor::Unidentified => ("system", None),
    }
}

#[async_trait]
impl MyDataStore for SqlStore {
    async fn field_changes(&self, customer: CustomerId) -> Result<Vec<FieldChange>, StorageError> {
        let rows: Vec<ChangeRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT field, changed_at, actor_kind, actor_staff_id FROM customer_field_changes \
                 WHERE customer_id = $1 ORDER BY id DESC",
            )
            .bind(customer.0)
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.into_iter().map(FieldChange::try_from).collect()
    }

    async fn correct_personal_data(
        &self,
        customer: CustomerId,
        correction: &Correction,
        audit: &AuditEntry,
    ) -> Result<Vec<PersonalField>, StorageError> {
        let (actor_kind, actor_staff) = actor_columns(&audit.actor);
        let fields = in_write_tx!(self, tx => {
            let current: Option<CurrentRow> = sqlx::query_as(
                "SELECT phone, mobile, street, postcode, city, country, language FROM customers WHERE id = $1",
            )
            .bind(customer.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            let Some(current) = current else {
                return Err(corrupt("customer", "does not exist"));
            };
            let fields = changed_fields(&current, correction);
            if !fields.is_empty() {
                let address = &correction.address;
                sqlx::query(
                    "UPDATE customers SET phone = $1, mobile = $2, street = $3, postcode = $4, city = $5, \
                     country = $6, language = $7, updated_at = $8 WHERE id = $9",
                )
                .bind(correction.phone.as_ref().map(|phone| phone.as_str()))
                .bind(correction.mobile.as_ref().map(|phone| phone.as_str()))
                .bind(&address.street)
                .bind(&address.postcode)
                .bind(&address.city)
                .bind(&address.country)
                .bind(correction.language.code())
                .bind(audit.at)
                .bind(customer.0)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
                for field in &fields {
                    sqlx::query(
                        "INSERT INTO customer_field_changes (customer_id, field, changed_at, actor_kind, \
                         actor_staff_id) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(customer.0)
                    .bind(field.as_str())
                    .bind(audit.at)
                    .bind(actor_kind)
                    .bind(actor_staff)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_error)?;
                }
                let names: Vec<&str> = fields.iter().map(|field| field.as_str()).collect();
                let mut entry = audit.clone();
                entry.detail = Some(app::log_detail!("changed: {fields}", fields = names.join(", ")));
                append_audit!(tx, [AuditValues::of(&entry)]);
            }
            fields
        });
        Ok(fields)
    }

    async fn request_email_change(
        &self,
        customer: CustomerId,
        new_email: &EmailAddress,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &OutgoingMail,
        audit: &AuditEntry,
    ) -> Result<(), StorageError> {
        in_write_tx!(self, tx => {
            let taken: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM customers WHERE email = $1 AND id <> $2) + \
                 (SELECT COUNT(*) FROM accounts WHERE email = $1 AND (customer_id IS NULL OR customer_id <> $2))",
            )
            .bind(new_email.as_str())
            .bind(customer.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_error)?;
            if taken > 0 {
                return Err(StorageError::Conflict("email".into()));
            }
            sqlx::query(
                "UPDATE email_change_confirmations SET superseded_at = $1 \
                 WHERE customer_id = $2 AND confirmed_at IS NULL AND superseded_at IS NULL",
            )
            .bind(audit.at)
            .bind(customer.0)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            sqlx::query(
                "INSERT INTO email_change_confirmations (customer_id, new_email, token_hash, requested_at, \
                 expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(customer.0)
            .bind(new_email.as_str())
            .bind(token_hash)
            .bind(audit.at)
            .bind(expires_at)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            insert_mail!(&mut *tx, mail, audit.at);
            append_audit!(tx, [AuditValues::of(audit)]);
        });
        Ok(())
    }

    async fn pending_email_change(
        &self,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<Option<EmailChange>, StorageError> {
        let row: Option<EmailChangeRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, customer_id, new_email, requested_at, expires_at FROM email_change_confirmations \
                 WHERE customer_id = $1 AND confirmed_at IS NULL AND superseded_at IS NULL AND expires_at > $2 \
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(customer.0)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
        .map_err(map_error)?;
        row.map(EmailChange::try_from).transpose()
    }

    async fn email_change_by_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<EmailChange>, StorageError> {
        let row: Option<EmailChangeRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, customer_id, new_email, requested_at, expires_at FROM email_change_confirmations \
                 WHERE token_hash = $1 AND confirmed_at IS NULL AND superseded_at IS NULL AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
        .map_err(map_error)?;
        row.map(EmailChange::try_from).transpose()
    }

    async fn confirm_email_change(
        &self,
        change: i64,
        notice: &OutgoingMail,
        event: &SecurityEvent,
        now: DateTime<Utc>,
    ) -> Result<ConfirmEmailOutcome, StorageError> {
        in_write_tx!(self, tx => {
            let row: Option<EmailChangeRow> = sqlx::query_as(
                "UPDATE email_change_confirmations SET confirmed_at = $1 \
                 WHERE id = $2 AND confirmed_at IS NULL AND superseded_at IS NULL AND expires_at > $1 \
                 RETURNING id, customer_id, new_email, requested_at, expires_at",
            )
            .bind(now)
            .bind(change)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            let Some(row) = row else {
                return Ok(ConfirmEmailOutcome::NoLongerValid);
            };
            let customer = row.customer_id;
            let updated = sqlx::query("UPDATE customers SET email = $1, updated_at = $2 WHERE id = $3")
                .bind(&row.new_email)
                .bind(now)
                .bind(customer)
                .execute(&mut *tx)
                .await;
            let updated = match updated {
                Ok(_) => sqlx::query("UPDATE accounts SET email = $1, updated_at = $2 WHERE customer_id = $3")
                    .bind(&row.new_email)
                    .bind(now)
                    .bind(customer)
                    .execute(&mut *tx)
                    .await,
                Err(error) => Err(error),
            };
            match updated.map_err(map_error) {
                Ok(_) => {}
                // The transaction is dropped, so the confirmation stays unused.
                Err(StorageError::Conflict(_)) => return Ok(ConfirmEmailOutcome::AddressTaken),
                Err(error) => return Err(error),
            }
            sqlx::query(
                "INSERT INTO customer_field_changes (customer_id, field, changed_at, actor_kind) \
                 VALUES ($1, 'email', $2, 'customer')",
            )
            .bind(customer)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            insert_mail!(&mut *tx, notice, now);
            sqlx::query(
                "INSERT INTO security_events (occurred_at, event_code, account_id, email, client_ip, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(event.at)
            .bind(event.kind.code())
            .bind(event.account.map(|id| id.0))
            .bind(event.email.as_deref())
            .bind(event.client_ip.as_deref())
            .bind(event.detail.as_deref())
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            let detail = match (&event.client_ip, &event.detail) {
                (Some(ip), Some(detail)) => Some(format!("{detail} (ip {ip})")),
                (Some(ip), None) => Some(format!("ip {ip}")),
                (None, detail) => detail.clone(),
            };
            let entry = AuditEntry {
                at: event.at,
                event: AuditEvent::Account(event.kind),
                actor: Actor::Customer { id: CustomerId(customer) },
                customer: Some(CustomerId(customer)),
                resource: None,
                action: None,
                basis: AuditBasis::AccountSecurity(Outcome::Allowed),
                source: EventSource::Portal,
                detail,
            };
            append_audit!(tx, [AuditValues::of(&entry)]);
        });
        Ok(ConfirmEmailOutcome::Confirmed)
    }

    async fn file_data_request(
        &self,
        customer: CustomerId,
        kind: DataRequestKind,
        body: &str,
        due_at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<DataRequestRecord, StorageError> {
        let row: RequestRow = in_write_tx!(self, tx => {
            let row: RequestRow = sqlx::query_as(&format!(
                "INSERT INTO data_requests (customer_id, kind, body, filed_at, due_at) VALUES ($1, $2, $3, $4, $5) \
                 RETURNING {REQUEST_COLUMNS}"
            ))
            .bind(customer.0)
            .bind(kind.as_str())
            .bind(body)
            .bind(audit.at)
            .bind(due_at)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_error)?;
            let mut entry = audit.clone();
            entry.detail = Some(app::log_detail!(
                "request {id} ({kind})",
                id = row.id,
                kind = kind.as_str()
            ));
            append_audit!(tx, [AuditValues::of(&entry)]);
            row
        });
        row.try_into()
    }

    async fn data_requests_of(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<DataRequestRecord>, StorageError> {
        let rows: Vec<RequestRow> = on_pool!(self, pool => {
            sqlx::query_as(&format!(
                "SELECT {REQUEST_COLUMNS} FROM data_requests WHERE customer_id = $1 ORDER BY id DESC"
            ))
            .bind(customer.0)
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.into_iter().map(DataRequestRecord::try_from).collect()
    }

    async fn open_data_requests(&self) -> Result<Vec<OpenDataRequest>, StorageError> {
        let rows: Vec<OpenRow> = on_pool!(self, pool => {
            sqlx::query_as(&format!("{OPEN_REQUESTS} ORDER BY r.due_at, r.id"))
                .fetch_all(pool)
                .await
        })
        .map_err(map_error)?;
        rows.into_iter().map(OpenDataRequest::try_from).collect()
    }

    async fn open_data_request(&self, id: i64) -> Result<Option<OpenDataRequest>, StorageError> {
        let row: Option<OpenRow> = on_pool!(self, pool => {
            sqlx::query_as(&format!("{OPEN_REQUESTS} AND r.id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await
        })
        .map_err(map_error)?;
        row.map(OpenDataRequest::try_from).transpose()
    }

    async fn answer_data_request(
        &self,
        id: i64,
        answer: &str,
        by: StaffId,
        notice: &OutgoingMail,
        audit: &AuditEntry,
    ) -> Result<Option<DataRequestRecord>, StorageError> {
        let row: Option<RequestRow> = in_write_tx!(self, tx => {
            let row: Option<RequestRow> = sqlx::query_as(&format!(
                "UPDATE data_requests SET answered_at = $1, answered_by = $2, answer = $3 \
                 WHERE id = $4 AND answered_at IS NULL RETURNING {REQUEST_COLUMNS}"
            ))
            .bind(audit.at)
            .bind(by.0)
            .bind(answer)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            if let Some(row) = &row {
                if notice.customer != Some(CustomerId(row.customer_id)) {
                    return Err(StorageError::Conflict("the notice is not addressed to the request's customer".into()));
                }
                insert_mail!(&mut *tx, notice, audit.at);
                let mut entry = audit.clone();
                entry.customer = Some(CustomerId(row.customer_id));
                entry.detail = Some(app::log_detail!(
                    "request {id} ({kind})",
                    id = row.id,
                    kind = row.kind
                ));
                append_audit!(tx, [AuditValues::of(&entry)]);
            }
            row
        });
        row.map(DataRequestRecord::try_from).transpose()
    }

    async fn customer_tables(&self) -> Result<Vec<(String, Vec<String>)>, StorageError> {
        self.customer_tables_impl().await
    }

    async fn customer_rows(
        &self,
        table: &str,
        keys: &[&str],
        hidden: &[&str],
        customer: CustomerId,
    ) -> Result<Vec<serde_json::Value>, StorageError> {
        self.customer_rows_impl(table, keys, hidden, customer).await
    }
}
