//! Mail storage: the customer's communications ledger and preferences, incidents, notices to many customers, and
//! (in [`outbox`]) what the mail worker needs to lease, send and settle messages.

mod notices;
pub mod outbox;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::held::{on_connection, HeldConnection};
use super::{map_error, on_pool, SqlStore};
use app::ports::{
    AuditEntry, CustomerId, IncidentRecord, LedgerEntry, MailKind, MailPreferences, MailStatus,
    MailStore, NewIncident, RenderedNotice, ServiceKind, StaffId, StorageError,
};

#[derive(sqlx::FromRow)]
struct LedgerRow {
    id: i64,
    kind: String,
    subject: String,
    body_text: Option<String>,
    status: String,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

impl TryFrom<LedgerRow> for LedgerEntry {
    type Error = StorageError;

    fn try_from(row: LedgerRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: row.id,
            kind: MailKind::parse(&row.kind)?,
            subject: row.subject,
            body_text: row.body_text,
            status: MailStatus::parse(&row.status)?,
            created_at: row.created_at,
            sent_at: row.sent_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct IncidentRow {
    id: i64,
    title: String,
    what_happened: String,
    what_it_means: String,
    services: String,
    declared_at: DateTime<Utc>,
    customers: i64,
}

impl TryFrom<IncidentRow> for IncidentRecord {
    type Error = StorageError;

    fn try_from(row: IncidentRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: row.id,
            title: row.title,
            what_happened: row.what_happened,
            what_it_means: row.what_it_means,
            services: row
                .services
                .split(',')
                .filter(|kind| !kind.is_empty())
                .map(ServiceKind::parse)
                .collect::<Result<_, _>>()?,
            declared_at: row.declared_at,
            customers: u64::try_from(row.customers).unwrap_or_default(),
        })
    }
}

/// The incident columns in the order [`IncidentRow`] reads them.
macro_rules! select_incidents {
    ($rest:literal) => {
        concat!(
            "SELECT i.id, i.title, i.what_happened, i.what_it_means, i.services, i.declared_at, ",
            "(SELECT COUNT(*) FROM incident_customers n WHERE n.incident_id = i.id) AS customers ",
            "FROM incidents i ",
            $rest
        )
    };
}

const NEW_SERVICE: &str = "new-service";

#[async_trait]
impl MailStore for SqlStore {
    async fn ledger_of(&self, customer: CustomerId) -> Result<Vec<LedgerEntry>, StorageError> {
        // A notice's body is the notice's, in the recipient's language; transactional bodies are not shown.
        let rows: Vec<LedgerRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT o.id, o.kind, o.subject, o.status, o.created_at, o.sent_at, \
                 CASE WHEN n.id IS NULL THEN NULL WHEN o.language = 'fr' THEN n.text_fr ELSE n.text_en END \
                 AS body_text \
                 FROM outbox o LEFT JOIN notices n ON n.id = o.notice_id \
                 WHERE o.customer_id = $1 ORDER BY o.id DESC",
            )
            .bind(customer.0)
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.into_iter().map(LedgerEntry::try_from).collect()
    }

    async fn mail_preferences(
        &self,
        customer: CustomerId,
    ) -> Result<MailPreferences, StorageError> {
        let opted_out: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM mail_opt_outs WHERE customer_id = $1 AND kind = $2",
            )
            .bind(customer.0)
            .bind(NEW_SERVICE)
            .fetch_one(pool)
            .await
        })
        .map_err(map_error)?;
        Ok(MailPreferences {
            new_service_announcements: opted_out == 0,
        })
    }

    async fn set_mail_preferences(
        &self,
        customer: CustomerId,
        preferences: MailPreferences,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            if preferences.new_service_announcements {
                sqlx::query("DELETE FROM mail_opt_outs WHERE customer_id = $1 AND kind = $2")
                    .bind(customer.0)
                    .bind(NEW_SERVICE)
                    .execute(pool)
                    .await
                    .map(drop)
            } else {
                sqlx::query(
                    "INSERT INTO mail_opt_outs (customer_id, kind, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (customer_id, kind) DO NOTHING",
                )
                .bind(customer.0)
                .bind(NEW_SERVICE)
                .bind(now)
                .execute(pool)
                .await
                .map(drop)
            }
        })
        .map_err(map_error)?;
        Ok(())
    }

    async fn declare_incident(
        &self,
        incident: &NewIncident,
        notice: &RenderedNotice,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<(i64, u64), StorageError> {
        self.declare_incident_impl(incident, notice, audit, now)
            .await
    }

    async fn incidents(&self) -> Result<Vec<IncidentRecord>, StorageError> {
        let rows: Vec<IncidentRow> = on_pool!(self, pool => {
            sqlx::query_as(select_incidents!("ORDER BY i.id DESC")).fetch_all(pool).await
        })
        .map_err(map_error)?;
        rows.into_iter().map(IncidentRecord::try_from).collect()
    }

    async fn incidents_of(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<IncidentRecord>, StorageError> {
        incidents_of_customer(&mut self.hold().await?, customer).await
    }

    async fn queue_notice_to_all(
        &self,
        notice: &RenderedNotice,
        created_by: Option<StaffId>,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        self.queue_notice_to_all_impl(notice, created_by, audit, now)
            .await
    }
}

/// The incidents that concern a customer, newest first.
pub(crate) async fn incidents_of_customer(
    held: &mut HeldConnection,
    customer: CustomerId,
) -> Result<Vec<IncidentRecord>, StorageError> {
    let rows: Vec<IncidentRow> = on_connection!(held, connection => {
        sqlx::query_as(select_incidents!(
            "JOIN incident_customers mine ON mine.incident_id = i.id AND mine.customer_id = $1 \
             ORDER BY i.id DESC"
        ))
        .bind(customer.0)
        .fetch_all(connection)
        .await
    })
    .map_err(map_error)?;
    rows.into_iter().map(IncidentRecord::try_from).collect()
}
