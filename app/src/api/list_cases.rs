use leptos::prelude::*;

use super::consent_views::CaseView;
use super::AppError;

/// The support team's unresolved cases, oldest first.
#[server(prefix = "/sf", endpoint = "list-cases")]
pub async fn list_cases() -> Result<Vec<CaseView>, AppError> {
    use super::consent_flows::*;
    use super::context::*;

    let context = app_context()?;
    require_operational(&context).await?;
    let cases = context.store.open_cases().await.map_err(internal)?;
    let now = context.clock.now();
    let mut labels = Labels::new(context.store.as_ref());
    let mut views = Vec::with_capacity(cases.len());
    for case in cases {
        views.push(CaseView {
            id: case.id,
            customer: labels.customer(case.customer).await.map_err(internal)?,
            opened_by: labels.staff(case.opened_by).await.map_err(internal)?,
            subject: case.subject.to_string(),
            opened_at: case.opened_at,
            reference: case.reference.as_ref().map(ToString::to_string),
            idle_days: case.activity().idle_days(context.idle_case_after, now),
        });
    }
    Ok(views)
}
