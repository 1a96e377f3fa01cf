//! Notices to many customers: an incident to those it concerns, a new-service announcement or a terms-change notice
//! to everyone. The notice's text is stored once; each recipient gets one short outbox row, inserted by one
//! `INSERT … SELECT` over the customers, in the transaction that records the notice.

use chrono::{DateTime, Utc};

use crate::storage::audit::{append_audit, AuditValues};
use crate::storage::{in_write_tx, SqlStore};
use app::domain::InvalidInput;
use app::ports::{
    Affected, AuditEntry, MailKind, NewIncident, RenderedNotice, StaffId, StorageError,
};

/// Inserts the notice through `$executor` and evaluates to its id; its recipient count is set once known.
macro_rules! insert_notice {
    ($executor:expr, $notice:expr, $created_by:expr, $now:expr) => {{
        let notice: &RenderedNotice = $notice;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO notices (kind, subject_fr, subject_en, text_fr, text_en, html_fr, html_en, created_by, \
             created_at, recipients) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0) RETURNING id",
        )
        .bind(notice.kind.as_str())
        .bind(&notice.french.subject)
        .bind(&notice.english.subject)
        .bind(&notice.french.text)
        .bind(&notice.english.text)
        .bind(&notice.french.html)
        .bind(&notice.english.html)
        .bind($created_by)
        .bind($now)
        .fetch_one($executor)
        .await
        .map_err($crate::storage::map_error)?;
        id
    }};
}

/// Queues the notice `$notice_id` to the customers `$from_where` selects (a `FROM … WHERE …` over customers `c`,
/// whose only parameter is `$5`), in each one's language; evaluates to how many were queued.
macro_rules! queue_notice_rows {
    ($executor:expr, $notice:expr, $notice_id:expr, $from_where:literal, $param:expr, $now:expr) => {{
        let notice: &RenderedNotice = $notice;
        sqlx::query(concat!(
            "INSERT INTO outbox (kind, customer_id, recipient, language, subject, body_text, notice_id, status, ",
            "attempts, next_attempt_at, created_at) ",
            "SELECT $1, c.id, c.email, c.language, CASE WHEN c.language = 'fr' THEN $2 ELSE $3 END, NULL, $4, ",
            "'queued', 0, $6, $6 ",
            $from_where,
            " ORDER BY c.id"
        ))
        .bind(notice.kind.as_str())
        .bind(&notice.french.subject)
        .bind(&notice.english.subject)
        .bind($notice_id)
        .bind($param)
        .bind($now)
        .execute($executor)
        .await
        .map_err($crate::storage::map_error)?
        .rows_affected()
    }};
}

macro_rules! set_recipients {
    ($executor:expr, $notice_id:expr, $count:expr) => {
        sqlx::query("UPDATE notices SET recipients = $1 WHERE id = $2")
            .bind(i64::try_from($count).unwrap_or(i64::MAX))
            .bind($notice_id)
            .execute($executor)
            .await
            .map_err($crate::storage::map_error)?
    };
}

impl SqlStore {
    pub(super) async fn declare_incident_impl(
        &self,
        incident: &NewIncident,
        notice: &RenderedNotice,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<(i64, u64), StorageError> {
        if notice.kind != MailKind::Incident {
            return Err(InvalidInput::new(
                "notice",
                "an incident's notice must be of kind incident",
            )
            .into());
        }
        let services = incident
            .services
            .iter()
            .map(|kind| kind.as_str())
            .collect::<Vec<_>>()
            .join(",");
        Ok(in_write_tx!(self, tx => {
            let notice_id = insert_notice!(&mut *tx, notice, Some(incident.declared_by.0), now);
            let incident_id: i64 = sqlx::query_scalar(
                "INSERT INTO incidents (notice_id, title, what_happened, what_it_means, services, declared_by, \
                 declared_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(notice_id)
            .bind(&incident.title)
            .bind(&incident.what_happened)
            .bind(&incident.what_it_means)
            .bind(&services)
            .bind(incident.declared_by.0)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(crate::storage::map_error)?;
            match &incident.affected {
                Affected::ByService(kinds) => {
                    for kind in kinds {
                        sqlx::query(
                            "INSERT INTO incident_customers (incident_id, customer_id) \
                             SELECT DISTINCT $1, s.customer_id FROM services s WHERE s.kind = $2 \
                             ON CONFLICT (incident_id, customer_id) DO NOTHING",
                        )
                        .bind(incident_id)
                        .bind(kind.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::storage::map_error)?;
                    }
                }
                Affected::Customers(customers) => {
                    for customer in customers {
                        sqlx::query(
                            "INSERT INTO incident_customers (incident_id, customer_id) VALUES ($1, $2) \
                             ON CONFLICT (incident_id, customer_id) DO NOTHING",
                        )
                        .bind(incident_id)
                        .bind(customer.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::storage::map_error)?;
                    }
                }
            }
            let queued = queue_notice_rows!(
                &mut *tx,
                notice,
                notice_id,
                "FROM customers c JOIN incident_customers a ON a.customer_id = c.id WHERE a.incident_id = $5",
                incident_id,
                now
            );
            set_recipients!(&mut *tx, notice_id, queued);
            append_audit!(tx, [AuditValues::of(audit)]);
            (incident_id, queued)
        }))
    }

    pub(super) async fn queue_notice_to_all_impl(
        &self,
        notice: &RenderedNotice,
        created_by: Option<StaffId>,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        if !matches!(notice.kind, MailKind::NewService | MailKind::TermsChange) {
            return Err(InvalidInput::new(
                "notice",
                "only new-service and terms-change notices go to every customer",
            )
            .into());
        }
        Ok(in_write_tx!(self, tx => {
            let notice_id = insert_notice!(&mut *tx, notice, created_by.map(|staff| staff.0), now);
            // Opt-outs can only name new-service announcements (a CHECK constraint), so a terms-change notice
            // reaches every customer.
            let queued = queue_notice_rows!(
                &mut *tx,
                notice,
                notice_id,
                "FROM customers c WHERE NOT EXISTS \
                 (SELECT 1 FROM mail_opt_outs m WHERE m.customer_id = c.id AND m.kind = $5)",
                notice.kind.as_str(),
                now
            );
            set_recipients!(&mut *tx, notice_id, queued);
            append_audit!(tx, [AuditValues::of(audit)]);
            queued
        }))
    }
}
