use leptos::prelude::*;

use super::AppError;

/// The staff member who asked takes a pending request back; a colleague may not.
#[server(prefix = "/sf", endpoint = "withdraw-request")]
pub async fn withdraw_request(request: String) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::domain::consent::ConsentRequestId;
    use crate::domain::AuditEvent;

    let context = app_context()?;
    let staff = require_operational(&context).await?;
    let Ok(id) = ConsentRequestId::parse(&request) else {
        return fail(AppError::NotFound);
    };
    let Some(record) = context.store.consent_request(id).await.map_err(internal)? else {
        return fail(AppError::NotFound);
    };
    if record.requested_by != staff.staff() {
        return forbid(
            &context,
            Some(staff.account()),
            "withdrawing a colleague's request",
        )
        .await;
    }
    let now = context.clock.now();
    let withdrawn = record
        .request
        .withdraw(now)
        .or_else(|error| fail(transition_error(error)))?;
    let audit = audit_entry(
        now,
        AuditEvent::RequestWithdrawn,
        staff_actor(&staff),
        record.customer,
        Some(record.request.scope().resource()),
        crate::log_detail!("request {id}"),
    );
    context
        .store
        .settle_request(id, &withdrawn, None, &audit, None)
        .await
        .or_else(|error| fail(settle_error(error)))?;
    go_to(&format!("/staff/consents?done=withdrawn&request={id}"));
    Ok(())
}
