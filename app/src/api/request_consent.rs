use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

/// The request form's fields, as named in the page; each action is a checkbox, present only when ticked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRequestForm {
    pub customer_number: String,
    pub resource: String,
    pub action_list: Option<String>,
    pub action_read: Option<String>,
    pub action_write: Option<String>,
    pub action_restore: Option<String>,
    pub reason_code: String,
    pub reason_text: String,
    pub case: Option<String>,
    pub duration_minutes: String,
}

/// Support or a system administrator asks a customer for access to one backup space or mailbox: the actions
/// ticked, why (a code and their own words), for how long in minutes, and for a mailbox the open case it is for.
/// The customer is told by mail and answers in the portal.
#[server(prefix = "/sf", endpoint = "request-consent")]
pub async fn request_consent(#[server(flatten)] form: ConsentRequestForm) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::domain::consent::{
        ConsentDraft, ConsentRequest, Reason, ReasonCode, ReasonText, RequestError,
    };
    use crate::domain::AuditEvent;

    let ConsentRequestForm {
        customer_number,
        resource,
        action_list,
        action_read,
        action_write,
        action_restore,
        reason_code,
        reason_text,
        case,
        duration_minutes,
    } = form;
    let context = app_context()?;
    let staff = require_operational(&context).await?;
    let customer = customer_by_number(&context, &customer_number).await?;
    let resource = resource_of(&context, customer.id, &resource).await?;
    let actions = ticked_actions([action_list, action_read, action_write, action_restore])?;
    let reason = Reason {
        code: parsed("reason_code", ReasonCode::parse(&reason_code))?,
        text: parsed("reason_text", ReasonText::parse(&reason_text))?,
    };
    let case = open_case_of(&context, customer.id, case).await?;
    let duration = minutes("duration_minutes", &duration_minutes)?;
    let now = context.clock.now();
    let draft = ConsentDraft {
        resource: resource.clone(),
        case,
        actions,
        duration,
    };
    let request = match ConsentRequest::open(
        staff.roles(),
        draft,
        reason.clone(),
        context.consent_answer_window,
        now,
    ) {
        Ok(request) => request,
        Err(RequestError::RequesterNotEntitled) => {
            return forbid(&context, Some(staff.account()), "requester not entitled").await
        }
        Err(RequestError::Scope(error)) => return fail(scope_error(error)),
    };
    let audit = audit_entry(
        now,
        AuditEvent::RequestOpened,
        staff_actor(&staff),
        customer.id,
        Some(resource.clone()),
        crate::log_detail!(
            "{actions} for {minutes} min, {code}",
            minutes = duration.get().num_minutes(),
            code = reason.code
        ),
    );
    // The customer is told in the same transaction: a request nobody hears of could only expire unanswered.
    let notice = crate::usecases::consent_notices::request_notice(
        &customer,
        &request,
        &context.auth.public_origin,
    );
    let id = context
        .store
        .create_request(customer.id, staff.staff(), &request, &audit, &notice)
        .await
        .map_err(internal)?;
    go_to(&format!("/staff/consents?done=requested&request={id}"));
    Ok(())
}
