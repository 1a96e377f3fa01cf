use leptos::prelude::*;

use super::my_data_views::OpenRequestView;
use super::AppError;

/// Every unanswered request about a customer's data, the one due first at the top: the privacy officer's list.
#[server(prefix = "/sf", endpoint = "list-open-data-requests")]
pub async fn list_open_data_requests() -> Result<Vec<OpenRequestView>, AppError> {
    use super::context::*;
    use super::my_data_flows::request_view;
    use crate::auth::guard::AsPrivacyOfficer;

    let context = app_context()?;
    require_role::<AsPrivacyOfficer>(&context).await?;
    let now = context.clock.now();
    let open = context.store.open_data_requests().await.map_err(internal)?;
    Ok(open
        .into_iter()
        .map(|open| OpenRequestView {
            request: request_view(open.request, now),
            customer_number: open.customer_number.to_string(),
            customer_name: open.customer_name,
        })
        .collect())
}
