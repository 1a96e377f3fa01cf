//! Grants: given, revoked, and read by every access check.

use chrono::{DateTime, Utc};

use super::rows::{select_grants, GrantRow};
use crate::storage::audit::{append_audit, AuditValues};
use crate::storage::events::{customer_number, events_written, insert_event};
use crate::storage::held::{on_connection, HeldConnection};
use crate::storage::{in_write_tx, insert_mail, map_error, on_pool, SqlStore};
use app::domain::consent::{ConsentEvent, Grant, GrantId, GrantTerms, ResourceId};
use app::ports::{
    AuditBasis, AuditEntry, CustomerId, GrantRecord, OutgoingMail, Receipt, StaffId, StorageError,
};

/// Inserts a grant through `$executor` and evaluates to its id; `$request` and `$recorded_by` are the raw ids of
/// the approved request and of the staff member who recorded an oral consent.
macro_rules! insert_grant {
    ($executor:expr, $customer:expr, $terms:expr, $request:expr, $recorded_by:expr) => {{
        let terms: &app::domain::consent::GrantTerms = $terms;
        let origin = $crate::storage::consent::rows::OriginColumns::of(terms.origin());
        let (usable_by_staff, usable_by_teams) =
            $crate::storage::consent::rows::holder_columns(terms.holder());
        let id: i64 = sqlx::query_scalar(
            // The charter version in force when the grant is given is recorded with it (charter §7).
            "INSERT INTO grants (customer_id, resource, case_id, actions, origin, oral_identification, \
             oral_call_reference, oral_scope_read_back, request_id, recorded_by, starts_at, limit_at, \
             usable_by_staff, usable_by_teams, charter_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             (SELECT MAX(number) FROM charter_versions WHERE effective_at <= $11)) RETURNING id",
        )
        .bind($customer)
        .bind(terms.scope().resource().to_string())
        .bind(terms.scope().case().map(|case| case.0))
        .bind(terms.actions().to_string())
        .bind(origin.origin)
        .bind(origin.identification)
        .bind(origin.call_reference)
        .bind(origin.scope_read_back)
        .bind($request)
        .bind($recorded_by)
        .bind(terms.starts_at())
        .bind(terms.limit())
        .bind(usable_by_staff)
        .bind(usable_by_teams)
        .fetch_one($executor)
        .await
        .map_err($crate::storage::map_error)?;
        id
    }};
}
pub(super) use insert_grant;

impl SqlStore {
    pub(super) async fn create_grant_impl(
        &self,
        customer: CustomerId,
        terms: &GrantTerms,
        recorded_by: Option<StaffId>,
        receipt: Option<Receipt<'_>>,
        audit: &AuditEntry,
    ) -> Result<GrantId, StorageError> {
        let id = in_write_tx!(self, tx => {
            let id = GrantId(insert_grant!(&mut *tx, customer.0, terms, None::<i64>, recorded_by.map(|staff| staff.0)));
            append_audit!(tx, [AuditValues::with_basis(audit, AuditBasis::Grant(id))]);
            if let Some(receipt) = receipt {
                let mail = receipt(id);
                insert_mail!(&mut *tx, &mail, audit.at);
            }
            let number = customer_number!(tx, customer.0);
            let grant = Grant::new(id, terms.clone());
            insert_event!(tx, &ConsentEvent::grant_created(&grant, None, &number, audit.at), audit.at);
            id
        });
        events_written();
        Ok(id)
    }

    pub(super) async fn grant_impl(
        &self,
        id: GrantId,
    ) -> Result<Option<GrantRecord>, StorageError> {
        let row: Option<GrantRow> = on_pool!(self, pool => {
            sqlx::query_as(select_grants!("WHERE g.id = $1")).bind(id.0).fetch_optional(pool).await
        })
        .map_err(map_error)?;
        row.map(GrantRecord::try_from).transpose()
    }

    pub(super) async fn grants_ended_untold_impl(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GrantRecord>, StorageError> {
        let rows: Vec<GrantRow> = on_pool!(self, pool => {
            sqlx::query_as(select_grants!(
                "WHERE g.end_notified_at IS NULL AND (g.limit_at <= $1 OR g.revoked_at IS NOT NULL \
                 OR (c.resolved_at IS NOT NULL AND g.resource LIKE 'mailbox:%')) ORDER BY g.id LIMIT $2"
            ))
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.into_iter().map(GrantRecord::try_from).collect()
    }

    pub(super) async fn tell_grant_end_impl(
        &self,
        grant: GrantId,
        notice: &OutgoingMail,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        Ok(in_write_tx!(self, tx => {
            // Compare-and-set: of two instances telling the same end, one queues the mail.
            let marked = sqlx::query("UPDATE grants SET end_notified_at = $1 WHERE id = $2 AND end_notified_at IS NULL")
                .bind(now)
                .bind(grant.0)
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

    pub(super) async fn revoke_grant_impl(
        &self,
        id: GrantId,
        customer: CustomerId,
        audit: &AuditEntry,
    ) -> Result<bool, StorageError> {
        let revoked = in_write_tx!(self, tx => {
            let row: Option<GrantRow> = sqlx::query_as(select_grants!("WHERE g.id = $1 AND g.customer_id = $2"))
                .bind(id.0)
                .bind(customer.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_error)?;
            let Some(record) = row.map(GrantRecord::try_from).transpose()? else {
                return Ok(false);
            };
            // The domain says whether the grant still runs (its limit, and for a mailbox its case); the condition
            // on revoked_at settles two revocations racing.
            let Ok(ended) = record.grant.revoke(audit.at, record.case_resolved_at) else {
                return Ok(false);
            };
            let revoked = sqlx::query("UPDATE grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(audit.at)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?
                .rows_affected();
            if revoked == 0 {
                return Ok(false);
            }
            append_audit!(tx, [AuditValues::of(audit)]);
            let number = customer_number!(tx, customer.0);
            let end = ended.end(record.case_resolved_at);
            insert_event!(tx, &ConsentEvent::grant_ended(&ended, record.request, &number, end), audit.at);
            true
        });
        if revoked {
            // After the commit: woken earlier, the worker would look before the event is there to be seen.
            events_written();
        }
        Ok(revoked)
    }

    pub(super) async fn grants_at_limit_unpublished_impl(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GrantRecord>, StorageError> {
        let rows: Vec<GrantRow> = on_pool!(self, pool => {
            sqlx::query_as(select_grants!(
                "WHERE g.limit_published_at IS NULL AND g.limit_at <= $1 ORDER BY g.limit_at, g.id LIMIT $2"
            ))
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.into_iter().map(GrantRecord::try_from).collect()
    }

    pub(super) async fn publish_grant_limit_impl(
        &self,
        grant: GrantId,
        event: Option<&ConsentEvent>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let published = in_write_tx!(self, tx => {
            // Compare-and-set: of two instances reaching the same limit, one publishes it.
            let marked = sqlx::query(
                "UPDATE grants SET limit_published_at = $1 WHERE id = $2 AND limit_published_at IS NULL",
            )
            .bind(now)
            .bind(grant.0)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?
            .rows_affected();
            if let (1, Some(event)) = (marked, event) {
                insert_event!(tx, event, now);
            }
            marked == 1
        });
        if published && event.is_some() {
            events_written();
        }
        Ok(published)
    }

    pub(super) async fn live_grants_on_impl(
        &self,
        resource: &ResourceId,
        now: DateTime<Utc>,
    ) -> Result<Vec<GrantRecord>, StorageError> {
        let rows: Vec<GrantRow> = on_pool!(self, pool => {
            sqlx::query_as(select_grants!(
                "WHERE g.resource = $1 AND g.revoked_at IS NULL AND g.limit_at > $2 ORDER BY g.id"
            ))
            .bind(resource.to_string())
            .bind(now)
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.into_iter().map(GrantRecord::try_from).collect()
    }
}

/// A customer's grants, newest first.
pub(crate) async fn grants_of_customer(
    held: &mut HeldConnection,
    customer: CustomerId,
) -> Result<Vec<GrantRecord>, StorageError> {
    let rows: Vec<GrantRow> = on_connection!(held, connection => {
        sqlx::query_as(select_grants!("WHERE g.customer_id = $1 ORDER BY g.id DESC"))
            .bind(customer.0)
            .fetch_all(connection)
            .await
    })
    .map_err(map_error)?;
    rows.into_iter().map(GrantRecord::try_from).collect()
}
