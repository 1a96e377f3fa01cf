use leptos::prelude::*;

use super::backup_views::BackupView;
use super::AppError;

/// Snapshots whose destruction is overdue (flagged by the job, not yet confirmed), for system administrators and
/// privacy officers. Each look is on record before it is answered, in the log of every customer it shows.
#[server(prefix = "/sf", endpoint = "list-overdue-destructions")]
pub async fn list_overdue_destructions() -> Result<Vec<BackupView>, AppError> {
    use super::consent_flows::staff_actor;
    use super::context::*;
    use crate::auth::guard::AsBackupOverseer;
    use crate::domain::AuditEvent;
    use crate::ports::{AuditBasis, AuditEntry};
    use std::collections::BTreeMap;

    let context = app_context()?;
    let overseer = require_role::<AsBackupOverseer>(&context).await?;
    let now = context.clock.now();
    let overdue = context
        .store
        .overdue_destructions()
        .await
        .map_err(internal)?;
    let mut per_customer = BTreeMap::new();
    for record in &overdue {
        *per_customer.entry(record.customer).or_insert(0_usize) += 1;
    }
    let entry = |customer, snapshots: usize| {
        AuditEntry::in_portal(
            now,
            AuditEvent::OverdueDestructionsViewed,
            staff_actor(overseer.staff()),
            customer,
            AuditBasis::StaffRole,
            crate::log_detail!("{snapshots} overdue snapshots shown"),
        )
    };
    let entries: Vec<AuditEntry> = if per_customer.is_empty() {
        vec![entry(None, 0)]
    } else {
        per_customer
            .into_iter()
            .map(|(customer, snapshots)| entry(Some(customer), snapshots))
            .collect()
    };
    context
        .store
        .record_audit(&entries)
        .await
        .map_err(internal)?;
    Ok(overdue
        .into_iter()
        .map(|record| BackupView::of(record, now))
        .collect())
}
