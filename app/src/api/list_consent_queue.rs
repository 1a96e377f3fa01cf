use leptos::prelude::*;

use super::consent_views::ConsentQueue;
use super::AppError;

/// The consent requests of the support team, the caller's own marked, each with its state as it is now; the
/// caller's own that were answered or expired since they last opened the queue are marked as news.
#[server(prefix = "/sf", endpoint = "list-consent-queue")]
pub async fn list_consent_queue() -> Result<ConsentQueue, AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::domain::consent::RequestStateKind;

    /// The pending requests are always among the newest; beyond them the queue is history.
    const QUEUE_LENGTH: u32 = 200;

    let context = app_context()?;
    let staff = require_operational(&context).await?;
    let now = context.clock.now();
    let last_look = context
        .store
        .look_at_queue(staff.staff(), now)
        .await
        .map_err(internal)?;
    let records = context
        .store
        .requests_by_staff(None, QUEUE_LENGTH)
        .await
        .map_err(internal)?;
    let mut labels = Labels::new(context.store.as_ref());
    let mut requests = Vec::with_capacity(records.len());
    for record in &records {
        let mut view = labels
            .request(record, Some(staff.staff()), now)
            .await
            .map_err(internal)?;
        // Their own withdrawal is no news to them.
        view.news = view.mine
            && view.state != RequestStateKind::Withdrawn
            && view
                .closed_at
                .is_some_and(|closed| last_look.is_none_or(|looked| closed > looked));
        requests.push(view);
    }
    let answer_mail = context
        .store
        .staff_member(staff.staff())
        .await
        .map_err(internal)?
        .is_none_or(|member| member.answer_mail);
    Ok(ConsentQueue {
        now,
        requests,
        answer_mail,
    })
}
