use leptos::prelude::*;

use super::backup_views::BackupView;
use super::AppError;

/// Snapshots whose destruction is overdue (flagged by the job, not yet confirmed), for the staff dashboard.
#[server(prefix = "/sf", endpoint = "list-overdue-destructions")]
pub async fn list_overdue_destructions() -> Result<Vec<BackupView>, AppError> {
    use super::context::*;

    let context = app_context()?;
    require_staff(&context).await?;
    let now = context.clock.now();
    let overdue = context
        .store
        .overdue_destructions()
        .await
        .map_err(internal)?;
    Ok(overdue
        .into_iter()
        .map(|record| BackupView::of(record, now))
        .collect())
}
