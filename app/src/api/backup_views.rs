//! What the backup and mailbox supervision screens receive: plain, serialisable snapshots.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One snapshot as its customer (or staff, on the dashboard) sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupView {
    pub id: String,
    /// The resource it copies, as `web-space:<domain>`, `backup-space:<name>` or `mailbox:<address>`.
    pub holds: String,
    pub customer_number: String,
    pub contract: String,
    pub contract_terminated_at: Option<DateTime<Utc>>,
    pub taken_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// The seconds left before its destruction is due; none once due or destroyed.
    pub seconds_left: Option<i64>,
    pub destroyed_at: Option<DateTime<Utc>>,
    pub overdue_flagged_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyBackups {
    pub now: DateTime<Utc>,
    pub snapshots: Vec<BackupView>,
}

/// A customer as the supervision search finds them, with their mailboxes' addresses only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisedCustomer {
    pub customer_number: String,
    pub name: String,
    pub mailboxes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderView {
    pub name: String,
    pub messages: i64,
}

/// Exactly the aggregates the charter allows (§5); `as_of` is none when the mail platform never sent any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxStatsView {
    pub customer_number: String,
    pub mailbox: String,
    pub as_of: Option<DateTime<Utc>>,
    pub messages: i64,
    pub bytes: i64,
    pub folders: Vec<FolderView>,
}

#[cfg(feature = "ssr")]
mod convert {
    use super::BackupView;
    use crate::domain::backup::seconds_left;
    use crate::ports::SnapshotRecord;

    impl BackupView {
        pub fn of(record: SnapshotRecord, now: chrono::DateTime<chrono::Utc>) -> Self {
            Self {
                id: record.id.to_string(),
                holds: record.holds.to_string(),
                customer_number: record.customer_number.to_string(),
                contract: record.contract_number,
                contract_terminated_at: record.contract_terminated_at,
                taken_at: record.taken_at,
                due_at: record.due_at,
                seconds_left: record
                    .destroyed_at
                    .is_none()
                    .then(|| seconds_left(record.due_at, now))
                    .flatten(),
                destroyed_at: record.destroyed_at,
                overdue_flagged_at: record.overdue_flagged_at,
            }
        }
    }
}

/// Who may supervise mailboxes: support with a second factor from the last 12 hours. A stale second factor is
/// refused like any other authorization, and on record as such.
#[cfg(feature = "ssr")]
pub async fn require_supervisor(
    context: &crate::api::context::AppContext,
) -> Result<crate::auth::guard::AsSupervisor, crate::api::AppError> {
    use crate::api::context::{forbid_with, require_role};
    use crate::api::AppError;
    use crate::auth::guard::{AsSupervisor, AsSupport};

    let support = require_role::<AsSupport>(context).await?;
    let account = support.staff().account();
    match AsSupervisor::new(support, context.clock.now()) {
        Ok(supervisor) => Ok(supervisor),
        Err(_) => {
            forbid_with(
                context,
                Some(account),
                "second factor too old",
                AppError::SecondFactorTooOld,
            )
            .await
        }
    }
}
