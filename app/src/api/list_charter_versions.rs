use leptos::prelude::*;

use super::charter_views::HistoryEntry;
use super::AppError;

/// Every published version with its date of effect and what changed, oldest first. Public.
#[server(prefix = "/sf", endpoint = "list-charter-versions")]
pub async fn list_charter_versions() -> Result<Vec<HistoryEntry>, AppError> {
    use super::charter_views::convert;
    use super::context::*;

    let context = app_context()?;
    let versions = context.store.charter_versions().await.map_err(internal)?;
    Ok(convert::history(&versions, context.clock.now()))
}
