use leptos::prelude::*;

use super::access_log_views::DisclosureView;
use super::AppError;

/// The court-order ledger, newest first, for a privacy officer.
#[server(prefix = "/sf", endpoint = "list-disclosures")]
pub async fn list_disclosures() -> Result<Vec<DisclosureView>, AppError> {
    use super::consent_flows::Labels;
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;

    /// The ledger holds few entries a year; beyond this many, older ones would need a page of their own.
    const LEDGER_LENGTH: u32 = 500;

    let context = app_context()?;
    require_role::<AsPrivacyOfficer>(&context).await?;
    let now = context.clock.now();
    let disclosures = context
        .store
        .disclosures(None, LEDGER_LENGTH)
        .await
        .map_err(internal)?;
    let mut labels = Labels::new(context.store.as_ref());
    let mut views = Vec::with_capacity(disclosures.len());
    for disclosure in disclosures {
        let order = &disclosure.order;
        views.push(DisclosureView {
            id: disclosure.id,
            customer: labels
                .customer(disclosure.customer)
                .await
                .map_err(internal)?,
            authority: order.authority().to_string(),
            reference: order.reference().to_string(),
            ordered_on: order.ordered_on(),
            scope: order.scope().to_string(),
            notify_after: order.notify_after(),
            visible_to_customer: order.visible_at(now),
            recorded_by: labels
                .staff(disclosure.recorded_by)
                .await
                .map_err(internal)?,
            recorded_at: disclosure.recorded_at,
        });
    }
    Ok(views)
}
