use leptos::prelude::*;

use super::AppError;

/// The customer refuses one of their pending requests, optionally saying why. Another customer's request is not
/// found.
#[server(prefix = "/sf", endpoint = "deny-request")]
pub async fn deny_request(request: String, reason: Option<String>) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::domain::consent::{ConsentRequestId, ReasonText};
    use crate::domain::AuditEvent;
    use crate::usecases::consent_notices::Answer;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let Ok(id) = ConsentRequestId::parse(&request) else {
        return fail(AppError::NotFound);
    };
    let Some(record) = context
        .store
        .consent_request(id)
        .await
        .map_err(internal)?
        .filter(|record| record.customer == me.customer())
    else {
        return fail(AppError::NotFound);
    };
    let reason = given(reason)
        .map(|raw| parsed("reason", ReasonText::parse(&raw)))
        .transpose()?;
    let now = context.clock.now();
    let denied = record
        .request
        .deny(now, reason.clone())
        .or_else(|error| fail(transition_error(error)))?;
    let audit = audit_entry(
        now,
        AuditEvent::RequestDenied,
        customer_actor(&me),
        me.customer(),
        Some(record.request.scope().resource()),
        match reason {
            Some(text) => crate::log_detail!("request {id}: {text}"),
            None => crate::log_detail!("request {id}"),
        },
    );
    let notice = requester_notice_of(&context, &record, Answer::Denied).await?;
    context
        .store
        .settle_request(id, &denied, None, &audit, notice.as_ref())
        .await
        .or_else(|error| fail(settle_error(error)))?;
    go_to(&format!("/account/consents?done=denied&request={id}"));
    Ok(())
}
