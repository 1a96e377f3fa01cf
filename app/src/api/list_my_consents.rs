use leptos::prelude::*;

use super::consent_views::MyConsents;
use super::AppError;

/// The signed-in customer's consents: requests waiting for an answer, access they gave that still runs, and what
/// happened before; with their backup spaces, mailboxes and open support cases for a grant of their own.
#[server(prefix = "/sf", endpoint = "list-my-consents")]
pub async fn list_my_consents() -> Result<MyConsents, AppError> {
    use super::consent_flows::*;
    use super::consent_views::ConsentState;
    use super::context::*;
    use crate::domain::consent::ResourceId;
    use crate::ports::ServiceKind;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let now = context.clock.now();
    let store = context.store.as_ref();
    let mut labels = Labels::new(store);

    let ConsentState {
        pending,
        active,
        past_requests,
        ended,
    } = labels
        .consent_state(me.customer(), None, now)
        .await
        .map_err(internal)?;
    // Shown the requests waiting for them, the customer needs no reminder of those (usecases::consent_timers).
    if !pending.is_empty() {
        store
            .see_pending_requests(me.customer(), now)
            .await
            .map_err(internal)?;
    }

    let resources = store
        .services_of(me.customer())
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|service| {
            matches!(
                service.kind,
                ServiceKind::BackupSpace | ServiceKind::Mailbox
            )
        })
        .filter_map(|service| {
            ResourceId::parse(&format!("{}:{}", service.kind.as_str(), service.name)).ok()
        })
        .map(|resource| resource_label(&resource))
        .collect();
    let open_cases = store
        .cases_of(me.customer())
        .await
        .map_err(internal)?
        .iter()
        .filter(|case| case.resolved_at.is_none())
        .map(case_ref)
        .collect();

    Ok(MyConsents {
        now,
        pending,
        active,
        past_requests,
        ended,
        resources,
        open_cases,
    })
}
