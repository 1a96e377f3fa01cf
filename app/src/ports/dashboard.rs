//! What a customer's dashboard reads, read together: the records behind the glance, fetched on one database
//! connection instead of four (each read otherwise borrows and returns a connection, and on SQLite every borrow and
//! return is a hand-off to the connection's thread and back). What the records mean stays the domain's to say.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{AuditLine, CustomerId, GrantRecord, IncidentRecord, RequestRecord, StorageError};

/// A customer's records as the dashboard needs them, each list newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlanceRecords {
    /// Every consent request of the customer: which are pending is the domain's to say.
    pub requests: Vec<RequestRecord>,
    /// Every grant of the customer: which are running is the domain's to say.
    pub grants: Vec<GrantRecord>,
    /// The latest entries of the customer's own log, as their access-log page shows them (court-order deferrals
    /// applied at `now`).
    pub recent: Vec<AuditLine>,
    pub incidents: Vec<IncidentRecord>,
}

#[async_trait]
pub trait DashboardStore: Send + Sync {
    /// The same records as `requests_of_customer`, `grants_of_customer`, the customer's first log page of `recent`
    /// entries and `incidents_of`, read at `now`.
    async fn glance_records(
        &self,
        customer: CustomerId,
        recent: u32,
        now: DateTime<Utc>,
    ) -> Result<GlanceRecords, StorageError>;
}
