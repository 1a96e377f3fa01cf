use leptos::prelude::*;

use super::mail_views::MyMessages;
use super::AppError;

/// The signed-in customer's communications ledger (every message ever addressed to them, newest first), the
/// incidents that concern them, and whether they receive new-service announcements.
#[server(prefix = "/sf", endpoint = "list-my-messages")]
pub async fn list_my_messages() -> Result<MyMessages, AppError> {
    use super::context::*;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let store = context.store.as_ref();
    let messages = store.ledger_of(me.customer()).await.map_err(internal)?;
    let incidents = store.incidents_of(me.customer()).await.map_err(internal)?;
    let preferences = store
        .mail_preferences(me.customer())
        .await
        .map_err(internal)?;
    Ok(MyMessages {
        messages: messages.into_iter().map(Into::into).collect(),
        incidents: incidents.into_iter().map(Into::into).collect(),
        new_service_announcements: preferences.new_service_announcements,
    })
}
