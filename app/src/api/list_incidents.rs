use leptos::prelude::*;

use super::mail_views::IncidentView;
use super::AppError;

/// Every declared incident, newest first, with how many customers each concerns. Privacy officer only.
#[server(prefix = "/sf", endpoint = "list-incidents")]
pub async fn list_incidents() -> Result<Vec<IncidentView>, AppError> {
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;

    let context = app_context()?;
    require_role::<AsPrivacyOfficer>(&context).await?;
    let incidents = context.store.incidents().await.map_err(internal)?;
    Ok(incidents.into_iter().map(Into::into).collect())
}
