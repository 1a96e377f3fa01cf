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
    use super::access_log_flows::entries;
    use super::consent_flows::Labels;
    use super::context::*;
    use crate::domain::consent::RequestState;
    /// How many of the latest log entries the dashboard shows; the whole log is one link away.
    const RECENT_ENTRIES: u32 = 5;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let now = context.clock.now();
    let store = context.store.as_ref();
    let records = store
        .glance_records(me.customer(), RECENT_ENTRIES, now)
        .await
        .map_err(internal)?;
    // A count and the running grants only: naming every past request and grant, as the consents page does, would
    // read their cases and staff for nothing.
    let pending = records
        .requests
        .iter()
        .filter(|record| record.request.state_at(now) == RequestState::Pending)
        .count();
    let mut labels = Labels::new(store);
    let mut active = Vec::new();
    for record in records
        .grants
        .iter()
        .filter(|record| record.grant.is_active(now, record.case_resolved_at))
    {
        active.push(labels.grant(record, now).await.map_err(internal)?);
    }
    let recent = entries(&context, records.recent, Some(me.customer())).await?;
    Ok(Glance {
        incidents: records.incidents.into_iter().map(Into::into).collect(),
        pending,
        active,
        recent,
    })
}
