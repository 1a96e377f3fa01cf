use leptos::prelude::*;

use super::access_log_views::AccessLog;
use super::AppError;

/// The signed-in customer's own log: who accessed their data, what, when and why. The customer is the session's,
/// never one named in the request; a disclosure whose notification is deferred stays hidden until its date.
#[server(prefix = "/sf", endpoint = "list-my-access-log")]
pub async fn list_my_access_log(
    resource: Option<String>,
    role: Option<String>,
    from: Option<String>,
    until: Option<String>,
    outcome: Option<String>,
    before: Option<String>,
) -> Result<AccessLog, AppError> {
    use super::access_log_flows::*;
    use super::consent_flows::resource_label;
    use super::context::*;
    use crate::domain::consent::ResourceId;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let input = FilterInput {
        resource,
        role,
        from,
        until,
        outcome,
    };
    let filter = filter(input, Some(me.customer()))?;
    let mut log = page(&context, &filter, Some(me.customer()), cursor(before)?).await?;
    log.resources = context
        .store
        .services_of(me.customer())
        .await
        .map_err(internal)?
        .into_iter()
        .filter_map(|service| {
            ResourceId::parse(&format!("{}:{}", service.kind.as_str(), service.name)).ok()
        })
        .map(|resource| resource_label(&resource))
        .collect();
    let ids: Vec<i64> = log.entries.iter().map(|entry| entry.id).collect();
    log.inclusion = context
        .log_prover
        .prove_included(&ids)
        .await
        .map_err(internal)?
        .map(|check| super::access_log_views::InclusionView {
            signed_at: check.signed_at,
            proved: check.proved.len(),
            pending: ids.len() - check.proved.len() - check.failed.len(),
            failed: check.failed,
        });
    Ok(log)
}
