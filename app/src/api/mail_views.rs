//! What the mail screens receive: plain, serialisable snapshots of the ledger, the preferences and incidents.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One message of the customer's communications ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    /// `incident`, `new-service`, `terms-change`, `consent`, `account-security` or `data-request`.
    pub kind: String,
    pub subject: String,
    /// The text of the portal's own communications; transactional mail is listed without its body.
    pub body: Option<String>,
    /// `queued`, `sent` or `dead`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentView {
    pub id: i64,
    pub title: String,
    pub what_happened: String,
    pub what_it_means: String,
    /// Service kinds, as `web-space`, `backup-space`, `mailbox`.
    pub services: Vec<String>,
    pub declared_at: DateTime<Utc>,
    pub customers: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyMessages {
    pub messages: Vec<MessageView>,
    pub incidents: Vec<IncidentView>,
    pub new_service_announcements: bool,
}

#[cfg(feature = "ssr")]
mod convert {
    use super::{IncidentView, MessageView};
    use crate::ports::{IncidentRecord, LedgerEntry};

    impl From<LedgerEntry> for MessageView {
        fn from(entry: LedgerEntry) -> Self {
            Self {
                id: entry.id,
                kind: entry.kind.as_str().to_owned(),
                subject: entry.subject,
                body: entry.body_text,
                status: entry.status.as_str().to_owned(),
                created_at: entry.created_at,
                sent_at: entry.sent_at,
            }
        }
    }

    impl From<IncidentRecord> for IncidentView {
        fn from(record: IncidentRecord) -> Self {
            Self {
                id: record.id,
                title: record.title,
                what_happened: record.what_happened,
                what_it_means: record.what_it_means,
                services: record
                    .services
                    .into_iter()
                    .map(|kind| kind.as_str().to_owned())
                    .collect(),
                declared_at: record.declared_at,
                customers: record.customers,
            }
        }
    }
}
