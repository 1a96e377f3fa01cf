use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub handle: String,
    pub device: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub current: bool,
}

/// The signed-in account's active sessions, this one marked.
#[server(prefix = "/sf", endpoint = "list-sessions")]
pub async fn list_sessions() -> Result<Vec<SessionView>, AppError> {
    use super::context::*;
    use crate::auth::session::session_handle;

    let context = app_context()?;
    let auth = require_signed_in(&context).await?;
    let current = session()
        .await?
        .id()
        .map(|id| session_handle(&id.to_string()));
    let sessions = context
        .store
        .sessions_of(auth.account.id, context.clock.now())
        .await
        .map_err(internal)?;
    Ok(sessions
        .into_iter()
        .map(|summary| SessionView {
            current: current.as_deref() == Some(summary.handle.as_str()),
            device: summary.user_agent.unwrap_or_else(|| "?".into()),
            handle: summary.handle,
            created_at: summary.created_at,
            last_seen_at: summary.last_seen_at,
        })
        .collect())
}
