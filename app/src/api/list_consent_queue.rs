use leptos::prelude::*;

use super::consent_views::ConsentQueue;
use super::AppError;

/// The consent requests of the support team, the caller's own marked, each with its state as it is now.
#[server(prefix = "/sf", endpoint = "list-consent-queue")]
pub async fn list_consent_queue() -> Result<ConsentQueue, AppError> {
    use super::consent_flows::*;
    use super::context::*;

    /// The pending requests are always among the newest; beyond them the queue is history.
    const QUEUE_LENGTH: u32 = 200;

    let context = app_context()?;
    let staff = require_operational(&context).await?;
    let now = context.clock.now();
    let records = context
        .store
        .requests_by_staff(None, QUEUE_LENGTH)
        .await
        .map_err(internal)?;
    let mut labels = Labels::new(context.store.as_ref());
    let mut requests = Vec::with_capacity(records.len());
    for record in &records {
        requests.push(
            labels
                .request(record, Some(staff.staff()), now)
                .await
                .map_err(internal)?,
        );
    }
    Ok(ConsentQueue { now, requests })
}
