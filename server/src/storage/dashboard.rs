//! The customer's dashboard: its four reads on one held connection (see [`super::held`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::audit::audit_lines;
use super::consent::{grants_of_customer, requests_of_customer};
use super::mail::incidents_of_customer;
use super::SqlStore;
use app::ports::{AuditFilter, CustomerId, DashboardStore, GlanceRecords, StorageError};

#[async_trait]
impl DashboardStore for SqlStore {
    async fn glance_records(
        &self,
        customer: CustomerId,
        recent: u32,
        now: DateTime<Utc>,
    ) -> Result<GlanceRecords, StorageError> {
        let mut held = self.hold().await?;
        let own_log = AuditFilter {
            customer: Some(customer),
            ..AuditFilter::default()
        };
        Ok(GlanceRecords {
            requests: requests_of_customer(&mut held, customer).await?,
            grants: grants_of_customer(&mut held, customer).await?,
            recent: audit_lines(&mut held, &own_log, true, None, recent, now).await?,
            incidents: incidents_of_customer(&mut held, customer).await?,
        })
    }
}
