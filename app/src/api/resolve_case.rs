use leptos::prelude::*;

use super::AppError;

/// Support resolves a case, which ends every mailbox access given for it.
#[server(prefix = "/sf", endpoint = "resolve-case")]
pub async fn resolve_case(case: String) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::auth::guard::AsSupport;
    use crate::domain::consent::SupportCaseId;
    use crate::domain::AuditEvent;

    let context = app_context()?;
    let support = require_role::<AsSupport>(&context).await?;
    let staff = support.staff();
    let Ok(id) = SupportCaseId::parse(&case) else {
        return fail(AppError::NotFound);
    };
    let Some(found) = context.store.support_case(id).await.map_err(internal)? else {
        return fail(AppError::NotFound);
    };
    if found.resolved_at.is_some() {
        return refuse("case", "This support case is already resolved.");
    }
    let now = context.clock.now();
    let audit = audit_entry(
        now,
        AuditEvent::CaseResolved,
        staff_actor(staff),
        found.customer,
        None,
        crate::log_detail!("case {id}"),
    );
    if context
        .store
        .resolve_case(id, staff.staff(), &audit)
        .await
        .map_err(internal)?
        .is_none()
    {
        return fail(AppError::NotFound);
    }
    go_to(&format!("/staff/cases?done=resolved&case={id}"));
    Ok(())
}
