use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

/// One attempt to deliver a consent event to one of the infrastructure's endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAttemptView {
    pub at: chrono::DateTime<chrono::Utc>,
    pub service: String,
    pub url: String,
    pub event: String,
    pub event_type: String,
    pub attempt: i64,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub millis: i64,
    pub delivery_state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDeliveries {
    pub queued: i64,
    pub delivered: i64,
    pub dead: i64,
    /// Newest first.
    pub attempts: Vec<WebhookAttemptView>,
}

/// Every recent attempt to tell the infrastructure about a consent event, for a privacy officer. Events carry
/// identifiers only, and the page shows none of them but the event's id and type: there is no customer's data to
/// audit a look at.
#[server(prefix = "/sf", endpoint = "list-webhook-attempts")]
pub async fn list_webhook_attempts() -> Result<WebhookDeliveries, AppError> {
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;

    /// The page shows the newest attempts; older ones stay in the database.
    const SHOWN: u32 = 200;

    let context = app_context()?;
    require_role::<AsPrivacyOfficer>(&context).await?;
    let store = context.store.as_ref();
    let counts = store.delivery_counts().await.map_err(internal)?;
    let attempts = store
        .delivery_attempts(SHOWN)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|attempt| WebhookAttemptView {
            at: attempt.at,
            service: attempt.service,
            url: attempt.url,
            event: attempt.event,
            event_type: attempt.event_type,
            attempt: attempt.attempt,
            http_status: attempt.http_status,
            error: attempt.error,
            millis: attempt.millis,
            delivery_state: attempt.delivery_state,
        })
        .collect();
    Ok(WebhookDeliveries {
        queued: counts.queued,
        delivered: counts.delivered,
        dead: counts.dead,
        attempts,
    })
}
