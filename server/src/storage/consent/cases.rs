//! Support cases, and who a resource belongs to.

use super::rows::{select_cases, select_grants, CaseRow, GrantRow};
use crate::storage::audit::{append_audit, AuditValues};
use crate::storage::events::{customer_number, events_written, insert_event};
use crate::storage::{in_write_tx, map_error, on_pool, SqlStore};
use app::domain::consent::{
    CaseReference, CaseSubject, ConsentEvent, EndReason, ResourceId, SupportCaseId,
};
use app::ports::{
    AuditEntry, CustomerId, GrantRecord, NewSupportCase, ServiceKind, StaffId, StorageError,
    SupportCase,
};
use chrono::{DateTime, Utc};

/// The service a resource is, as the `services` table names it; a snapshot is a copy, not a service.
fn service_key(resource: &ResourceId) -> Option<(ServiceKind, &str)> {
    match resource {
        ResourceId::WebSpace(domain) => Some((ServiceKind::WebSpace, domain.as_str())),
        ResourceId::BackupSpace(name) => Some((ServiceKind::BackupSpace, name.as_str())),
        ResourceId::Mailbox(address) => Some((ServiceKind::Mailbox, address.as_str())),
        ResourceId::Snapshot(_) => None,
    }
}

impl SqlStore {
    pub(super) async fn owner_of_impl(
        &self,
        resource: &ResourceId,
    ) -> Result<Option<CustomerId>, StorageError> {
        let Some((kind, name)) = service_key(resource) else {
            return Ok(None);
        };
        let owner: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT customer_id FROM services WHERE kind = $1 AND name = $2")
                .bind(kind.as_str())
                .bind(name)
                .fetch_optional(pool)
                .await
        })
        .map_err(map_error)?;
        Ok(owner.map(CustomerId))
    }

    pub(super) async fn open_case_impl(
        &self,
        case: &NewSupportCase,
        audit: &AuditEntry,
    ) -> Result<SupportCase, StorageError> {
        let id: i64 = in_write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO support_cases (customer_id, subject, opened_by, opened_at, touched_at, reference) \
                 VALUES ($1, $2, $3, $4, $4, $5) RETURNING id",
            )
            .bind(case.customer.0)
            .bind(case.subject.as_str())
            .bind(case.opened_by.0)
            .bind(audit.at)
            .bind(case.reference.as_ref().map(CaseReference::as_str))
            .fetch_one(&mut *tx)
            .await
            .map_err(map_error)?;
            append_audit!(tx, [AuditValues::of(audit)]);
            id
        });
        Ok(SupportCase {
            id: SupportCaseId(id),
            customer: case.customer,
            subject: case.subject.clone(),
            opened_by: case.opened_by,
            opened_at: audit.at,
            resolved_at: None,
            resolved_by: None,
            reference: case.reference.clone(),
            touched_at: audit.at,
        })
    }

    pub(super) async fn case_by_reference_impl(
        &self,
        reference: &CaseReference,
    ) -> Result<Option<SupportCase>, StorageError> {
        let row: Option<CaseRow> = on_pool!(self, pool => {
            sqlx::query_as(select_cases!("WHERE reference = $1"))
                .bind(reference.as_str())
                .fetch_optional(pool)
                .await
        })
        .map_err(map_error)?;
        row.map(SupportCase::try_from).transpose()
    }

    pub(super) async fn update_case_impl(
        &self,
        id: SupportCaseId,
        subject: Option<(&CaseSubject, &AuditEntry)>,
        at: DateTime<Utc>,
    ) -> Result<Option<SupportCase>, StorageError> {
        let row: Option<CaseRow> = in_write_tx!(self, tx => {
            let updated: Option<CaseRow> = sqlx::query_as(
                "UPDATE support_cases SET subject = COALESCE($1, subject), \
                 touched_at = CASE WHEN touched_at > $2 THEN touched_at ELSE $2 END \
                 WHERE id = $3 AND resolved_at IS NULL \
                 RETURNING id, customer_id, subject, opened_by, opened_at, resolved_at, resolved_by, reference, \
                 touched_at",
            )
            .bind(subject.map(|(subject, _)| subject.as_str()))
            .bind(at)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            match (&updated, subject) {
                (Some(_), Some((_, audit))) => {
                    append_audit!(tx, [AuditValues::of(audit)]);
                    updated
                }
                (Some(_), None) => updated,
                (None, _) => sqlx::query_as(select_cases!("WHERE id = $1"))
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_error)?,
            }
        });
        row.map(SupportCase::try_from).transpose()
    }

    pub(super) async fn resolve_case_impl(
        &self,
        id: SupportCaseId,
        by: StaffId,
        audit: &AuditEntry,
    ) -> Result<Option<SupportCase>, StorageError> {
        let row: Option<CaseRow> = in_write_tx!(self, tx => {
            let resolved: Option<CaseRow> = sqlx::query_as(
                "UPDATE support_cases SET resolved_at = $1, resolved_by = $2 WHERE id = $3 AND resolved_at IS NULL \
                 RETURNING id, customer_id, subject, opened_by, opened_at, resolved_at, resolved_by, reference, \
                 touched_at",
            )
            .bind(audit.at)
            .bind(by.0)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            if let Some(case) = &resolved {
                append_audit!(tx, [AuditValues::of(audit)]);
                // The mailbox grants bound to the case end with it (charter §5): each end is an event.
                let bound: Vec<GrantRow> = sqlx::query_as(select_grants!(
                    "WHERE g.case_id = $1 AND g.revoked_at IS NULL AND g.limit_at > $2 ORDER BY g.id"
                ))
                .bind(id.0)
                .bind(audit.at)
                .fetch_all(&mut *tx)
                .await
                .map_err(map_error)?;
                let mut number = None;
                for record in bound.into_iter().map(GrantRecord::try_from) {
                    let record = record?;
                    let end = record.grant.end(record.case_resolved_at);
                    if end.reason != EndReason::CaseResolved {
                        continue;
                    }
                    let number = match &number {
                        Some(number) => number,
                        None => number.insert(customer_number!(tx, case.customer_id())),
                    };
                    let event = ConsentEvent::grant_ended(&record.grant, record.request, number, end);
                    insert_event!(tx, &event, audit.at);
                }
                resolved
            } else {
                sqlx::query_as(select_cases!("WHERE id = $1"))
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_error)?
            }
        });
        events_written();
        row.map(SupportCase::try_from).transpose()
    }

    pub(super) async fn support_case_impl(
        &self,
        id: SupportCaseId,
    ) -> Result<Option<SupportCase>, StorageError> {
        let row: Option<CaseRow> = on_pool!(self, pool => {
            sqlx::query_as(select_cases!("WHERE id = $1")).bind(id.0).fetch_optional(pool).await
        })
        .map_err(map_error)?;
        row.map(SupportCase::try_from).transpose()
    }

    pub(super) async fn cases_of_impl(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<SupportCase>, StorageError> {
        let rows: Vec<CaseRow> = on_pool!(self, pool => {
            sqlx::query_as(select_cases!("WHERE customer_id = $1 ORDER BY id DESC"))
                .bind(customer.0)
                .fetch_all(pool)
                .await
        })
        .map_err(map_error)?;
        rows.into_iter().map(SupportCase::try_from).collect()
    }

    pub(super) async fn open_cases_impl(&self) -> Result<Vec<SupportCase>, StorageError> {
        let rows: Vec<CaseRow> = on_pool!(self, pool => {
            sqlx::query_as(select_cases!("WHERE resolved_at IS NULL ORDER BY id")).fetch_all(pool).await
        })
        .map_err(map_error)?;
        rows.into_iter().map(SupportCase::try_from).collect()
    }
}
