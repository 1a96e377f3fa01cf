use leptos::prelude::*;

use super::AppError;

/// The customer agrees to one of their pending requests, for the requested duration or a shorter one given in
/// minutes, and for the staff member who asked unless `usable_by` opens it to a team; the grant starts now.
/// Another customer's request is not found.
#[server(prefix = "/sf", endpoint = "approve-request")]
pub async fn approve_request(
    request: String,
    approved_minutes: Option<String>,
    usable_by: Option<String>,
) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::domain::consent::{Audience, ConsentRequestId};
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
    let shorter = given(approved_minutes)
        .map(|raw| minutes("approved_minutes", &raw))
        .transpose()?;
    let audience = parsed("usable_by", Audience::parse(usable_by.as_deref()))?;
    let now = context.clock.now();
    let approval = record
        .request
        .approve(now, shorter, audience.holder(record.requested_by))
        .or_else(|error| fail(transition_error(error)))?;
    // A mailbox grant ends with its case: approving after the case was resolved would give nothing but a record.
    if let Some(case) = approval.grant.scope().bound_case() {
        let resolved = context
            .store
            .support_case(case)
            .await
            .map_err(internal)?
            .is_none_or(|case| case.resolved_at.is_some());
        if resolved {
            return refuse(
                "request",
                "The support case of this request is already resolved.",
            );
        }
    }
    let granted_minutes = (approval.grant.limit() - approval.grant.starts_at()).num_minutes();
    let audit = audit_entry(
        now,
        AuditEvent::RequestApproved,
        customer_actor(&me),
        me.customer(),
        Some(approval.grant.scope().resource()),
        crate::log_detail!(
            "request {id}: {actions} for {minutes} min, usable by {holder}",
            actions = approval.grant.actions(),
            minutes = granted_minutes,
            holder = holder_word(approval.grant.holder())
        ),
    );
    let notice = requester_notice_of(&context, &record, Answer::Approved).await?;
    context
        .store
        .settle_request(
            id,
            &approval.request,
            Some(&approval.grant),
            &audit,
            notice.as_ref(),
        )
        .await
        .or_else(|error| fail(settle_error(error)))?;
    go_to(&format!("/account/consents?done=approved&request={id}"));
    Ok(())
}
