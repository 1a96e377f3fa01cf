//! The court-order ledger: a disclosure and its one audit entry are written in the same transaction, so that the
//! customer's log can never miss a recorded disclosure. The table refuses UPDATE and DELETE (migration 0005).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::{append_audit, AuditValues};
use crate::storage::consent::rows::corrupt;
use crate::storage::{in_write_tx, map_error, on_pool, SqlStore};
use app::domain::disclosure::{Authority, CourtOrder, CourtReference, DisclosureScope};
use app::domain::DisclosureId;
use app::ports::{
    AuditBasis, AuditEntry, CustomerId, Disclosure, DisclosureStore, StaffId, StorageError,
};

#[derive(Debug, sqlx::FromRow)]
struct DisclosureRow {
    id: i64,
    customer_id: i64,
    authority: String,
    reference: String,
    ordered_on: NaiveDate,
    scope: String,
    notify_after: Option<DateTime<Utc>>,
    recorded_by: i64,
    recorded_at: DateTime<Utc>,
}

impl DisclosureRow {
    fn disclosure(self) -> Result<Disclosure, StorageError> {
        let order = CourtOrder::new(
            Authority::parse(&self.authority)?,
            CourtReference::parse(&self.reference)?,
            self.ordered_on,
            DisclosureScope::parse(&self.scope)?,
            self.notify_after.map(|at| at.date_naive()),
        )?;
        if order.visible_from() != self.notify_after {
            return Err(corrupt(
                "disclosure",
                "has a deferral that is not the start of a day",
            ));
        }
        Ok(Disclosure {
            id: DisclosureId(self.id),
            customer: CustomerId(self.customer_id),
            order,
            recorded_by: StaffId(self.recorded_by),
            recorded_at: self.recorded_at,
        })
    }
}

#[async_trait]
impl DisclosureStore for SqlStore {
    async fn record_disclosure(
        &self,
        customer: CustomerId,
        order: &CourtOrder,
        recorded_by: StaffId,
        audit: &AuditEntry,
    ) -> Result<DisclosureId, StorageError> {
        Ok(in_write_tx!(self, tx => {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO disclosures (customer_id, authority, reference, ordered_on, scope, notify_after, \
                 recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(customer.0)
            .bind(order.authority().as_str())
            .bind(order.reference().as_str())
            .bind(order.ordered_on())
            .bind(order.scope().as_str())
            .bind(order.visible_from())
            .bind(recorded_by.0)
            .bind(audit.at)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_error)?;
            let disclosure = DisclosureId(id);
            // Last in the transaction, as the chain's writer requires; the entry names the disclosure it records.
            append_audit!(tx, [AuditValues::with_basis(audit, AuditBasis::CourtOrder(disclosure))]);
            disclosure
        }))
    }

    async fn disclosures(
        &self,
        before: Option<DisclosureId>,
        limit: u32,
    ) -> Result<Vec<Disclosure>, StorageError> {
        let rows: Vec<DisclosureRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, customer_id, authority, reference, ordered_on, scope, notify_after, recorded_by, \
                 recorded_at FROM disclosures WHERE id < $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(before.map_or(i64::MAX, |id| id.0))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.into_iter().map(DisclosureRow::disclosure).collect()
    }
}
