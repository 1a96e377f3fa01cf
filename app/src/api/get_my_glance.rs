use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::access_log_views::LogEntryView;
use super::consent_views::GrantSummary;
use super::mail_views::IncidentView;
use super::AppError;

/// What the customer's dashboard shows at a glance: the incidents that concern them, how many requests wait for an
/// answer, the access that runs now, and the latest entries of their log. Only that: one reading for the whole page,
/// where the consents, log and messages pages each read all they have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Glance {
    pub incidents: Vec<IncidentView>,
    pub pending: usize,
    pub active: Vec<GrantSummary>,
    pub recent: Vec<LogEntryView>,
}

#[server(prefix = "/sf", endpoint = "get-my-glance")]
pub async fn get_my_glance() -> Result<Glance, AppError> {
    use super::access_log_flows::{filter, latest, FilterInput};
    use super::consent_flows::Labels;
    use super::context::*;
    /// How many of the latest log entries the dashboard shows; the whole log is one link away.
    const RECENT_ENTRIES: u32 = 5;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let now = context.clock.now();
    let state = Labels::new(context.store.as_ref())
        .consent_state(me.customer(), None, now)
        .await
        .map_err(internal)?;
    let mine = filter(FilterInput::default(), Some(me.customer()))?;
    let recent = latest(&context, &mine, Some(me.customer()), RECENT_ENTRIES).await?;
    let incidents = context
        .store
        .incidents_of(me.customer())
        .await
        .map_err(internal)?;
    Ok(Glance {
        incidents: incidents.into_iter().map(Into::into).collect(),
        pending: state.pending.len(),
        active: state.active,
        recent,
    })
}
