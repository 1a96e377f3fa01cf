use leptos::prelude::*;

use super::backup_views::MyBackups;
use super::AppError;

/// Every backup snapshot of the signed-in customer, terminated contracts included, with its due date and, once the
/// backup system confirmed it, when it was destroyed.
#[server(prefix = "/sf", endpoint = "list-my-backups")]
pub async fn list_my_backups() -> Result<MyBackups, AppError> {
    use super::backup_views::BackupView;
    use super::context::*;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let now = context.clock.now();
    let snapshots = context
        .store
        .snapshots_of(me.customer())
        .await
        .map_err(internal)?;
    Ok(MyBackups {
        now,
        snapshots: snapshots
            .into_iter()
            .map(|record| BackupView::of(record, now))
            .collect(),
    })
}
