//! Consent requests and their one answer.

use chrono::{DateTime, Utc};

use super::grants::insert_grant;
use super::rows::{select_requests, RequestRow, StateColumns};
use crate::storage::audit::{append_audit, AuditValues};
use crate::storage::events::{customer_number, events_written, insert_event};
use crate::storage::held::{on_connection, HeldConnection};
use crate::storage::{in_write_tx, insert_mail, map_error, on_pool, SqlStore};
use app::domain::consent::{
    ConsentEvent, ConsentRequest, ConsentRequestId, Grant, GrantId, GrantTerms, RequestStateKind,
};
use app::ports::{
    AuditBasis, AuditEntry, CustomerId, OutgoingMail, RequestRecord, SettleError, StaffId,
    StorageError,
};

impl SqlStore {
    pub(super) async fn create_request_impl(
        &self,
        customer: CustomerId,
        requested_by: StaffId,
        request: &ConsentRequest,
        audit: &AuditEntry,
        notice: &OutgoingMail,
    ) -> Result<ConsentRequestId, StorageError> {
        let scope = request.scope();
        let state = StateColumns::of(request.recorded_state());
        let id: i64 = in_write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO consent_requests (customer_id, requested_by, resource, case_id, actions, reason_code, \
                 reason_text, duration_seconds, created_at, answer_by, state, closed_at, approved_seconds, \
                 deny_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            )
            .bind(customer.0)
            .bind(requested_by.0)
            .bind(scope.resource().to_string())
            .bind(scope.case().map(|case| case.0))
            .bind(request.actions().to_string())
            .bind(request.reason().code.as_str())
            .bind(request.reason().text.as_str())
            .bind(i64::from(request.requested_duration()))
            .bind(request.created_at())
            .bind(request.answer_by())
            .bind(state.state)
            .bind(state.closed_at)
            .bind(state.approved_seconds)
            .bind(state.deny_reason)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_error)?;
            insert_mail!(&mut *tx, notice, request.created_at());
            if let Some(case) = scope.case() {
                sqlx::query("UPDATE support_cases SET touched_at = $1 WHERE id = $2 AND touched_at < $1")
                    .bind(request.created_at())
                    .bind(case.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_error)?;
            }
            append_audit!(tx, [AuditValues::of(audit)]);
            let number = customer_number!(tx, customer.0);
            let event = ConsentEvent::request_changed(ConsentRequestId(id), request, &number, None);
            insert_event!(tx, &event, audit.at);
            id
        });
        events_written();
        Ok(ConsentRequestId(id))
    }

    pub(super) async fn consent_request_impl(
        &self,
        id: ConsentRequestId,
    ) -> Result<Option<RequestRecord>, StorageError> {
        let row: Option<RequestRow> = on_pool!(self, pool => {
            sqlx::query_as(select_requests!("WHERE r.id = $1")).bind(id.0).fetch_optional(pool).await
        })
        .map_err(map_error)?;
        row.map(RequestRecord::try_from).transpose()
    }

    pub(super) async fn requests_by_staff_impl(
        &self,
        requested_by: Option<StaffId>,
        limit: u32,
    ) -> Result<Vec<RequestRecord>, StorageError> {
        let limit = i64::from(limit);
        let rows: Vec<RequestRow> = on_pool!(self, pool => match requested_by {
            Some(staff) => sqlx::query_as(select_requests!("WHERE r.requested_by = $1 ORDER BY r.id DESC LIMIT $2"))
                .bind(staff.0)
                .bind(limit)
                .fetch_all(pool)
                .await,
            None => sqlx::query_as(select_requests!("ORDER BY r.id DESC LIMIT $1"))
                .bind(limit)
                .fetch_all(pool)
                .await,
        })
        .map_err(map_error)?;
        rows.into_iter().map(RequestRecord::try_from).collect()
    }

    pub(super) async fn look_at_queue_impl(
        &self,
        staff: StaffId,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StorageError> {
        Ok(in_write_tx!(self, tx => {
            let before: Option<DateTime<Utc>> =
                sqlx::query_scalar("SELECT consent_queue_seen_at FROM staff WHERE id = $1")
                    .bind(staff.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_error)?
                    .flatten();
            sqlx::query("UPDATE staff SET consent_queue_seen_at = $1 WHERE id = $2")
                .bind(now)
                .bind(staff.0)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            before
        }))
    }

    pub(super) async fn requests_past_their_window_impl(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RequestRecord>, StorageError> {
        let rows: Vec<RequestRow> = on_pool!(self, pool => {
            sqlx::query_as(select_requests!(
                "WHERE r.state = 'pending' AND r.answer_by <= $1 ORDER BY r.answer_by, r.id LIMIT $2"
            ))
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.into_iter().map(RequestRecord::try_from).collect()
    }

    pub(super) async fn requests_unseen_unreminded_impl(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RequestRecord>, StorageError> {
        let rows: Vec<RequestRow> = on_pool!(self, pool => {
            sqlx::query_as(select_requests!(
                "WHERE r.state = 'pending' AND r.seen_at IS NULL AND r.reminded_at IS NULL AND r.answer_by > $1 \
                 ORDER BY r.id LIMIT $2"
            ))
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.into_iter().map(RequestRecord::try_from).collect()
    }

    pub(super) async fn remind_of_request_impl(
        &self,
        id: ConsentRequestId,
        notice: &OutgoingMail,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        Ok(in_write_tx!(self, tx => {
            // Compare-and-set: of two instances reminding, one queues the mail; a request seen meanwhile is left.
            let marked = sqlx::query(
                "UPDATE consent_requests SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL \
                 AND seen_at IS NULL AND state = 'pending'",
            )
            .bind(now)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?
            .rows_affected();
            if marked == 1 {
                insert_mail!(&mut *tx, notice, now);
            }
            marked == 1
        }))
    }

    pub(super) async fn see_pending_requests_impl(
        &self,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE consent_requests SET seen_at = $1 WHERE customer_id = $2 AND state = 'pending' \
                 AND seen_at IS NULL",
            )
            .bind(now)
            .bind(customer.0)
            .execute(pool)
            .await
            .map(drop)
        })
        .map_err(map_error)
    }

    pub(super) async fn settle_request_impl(
        &self,
        id: ConsentRequestId,
        next: &ConsentRequest,
        grant: Option<&GrantTerms>,
        audit: &AuditEntry,
        notice: Option<&OutgoingMail>,
    ) -> Result<Option<GrantId>, SettleError> {
        let approved = next.recorded_state().kind() == RequestStateKind::Approved;
        if next.recorded_state().kind() == RequestStateKind::Pending || approved != grant.is_some()
        {
            return Err(StorageError::Internal(
                "a settled request is closed, and only an approval comes with a grant".into(),
            )
            .into());
        }
        let state = StateColumns::of(next.recorded_state());
        let settled = in_write_tx!(self, tx => {
            // Compare-and-set: of two answers racing, the second finds the request no longer pending.
            let customer: Option<i64> = sqlx::query_scalar(
                "UPDATE consent_requests SET state = $1, closed_at = $2, approved_seconds = $3, deny_reason = $4 \
                 WHERE id = $5 AND state = 'pending' RETURNING customer_id",
            )
            .bind(state.state)
            .bind(state.closed_at)
            .bind(state.approved_seconds)
            .bind(state.deny_reason)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            let Some(customer) = customer else {
                return Err(SettleError::NoLongerPending);
            };
            let grant_id = match grant {
                Some(terms) => Some(GrantId(insert_grant!(&mut *tx, customer, terms, Some(id.0), None::<i64>))),
                None => None,
            };
            if let Some(notice) = notice {
                insert_mail!(&mut *tx, notice, audit.at);
            }
            let basis = grant_id.map_or(audit.basis, AuditBasis::Grant);
            append_audit!(tx, [AuditValues::with_basis(audit, basis)]);
            let number = customer_number!(tx, customer);
            insert_event!(tx, &ConsentEvent::request_changed(id, next, &number, grant_id), audit.at);
            if let (Some(grant_id), Some(terms)) = (grant_id, grant) {
                let created = Grant::new(grant_id, terms.clone());
                insert_event!(tx, &ConsentEvent::grant_created(&created, Some(id), &number, audit.at), audit.at);
            }
            grant_id
        });
        events_written();
        Ok(settled)
    }
}

/// A customer's requests, newest first.
pub(crate) async fn requests_of_customer(
    held: &mut HeldConnection,
    customer: CustomerId,
) -> Result<Vec<RequestRecord>, StorageError> {
    let rows: Vec<RequestRow> = on_connection!(held, connection => {
        sqlx::query_as(select_requests!("WHERE r.customer_id = $1 ORDER BY r.id DESC"))
            .bind(customer.0)
            .fetch_all(connection)
            .await
    })
    .map_err(map_error)?;
    rows.into_iter().map(RequestRecord::try_from).collect()
}
