use leptos::prelude::*;

use super::AppError;

/// A privacy officer records the answer given to a customer's request about their data, which closes it; the
/// customer sees the answer on their page, and the log has the entry.
#[server(prefix = "/sf", endpoint = "answer-data-request")]
pub async fn answer_data_request(request: String, answer: String) -> Result<(), AppError> {
    use super::consent_flows::{audit_entry, staff_actor};
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;
    use crate::domain::my_data::request_text;
    use crate::domain::AuditEvent;
    use crate::ports::CustomerId;

    let context = app_context()?;
    let officer = require_role::<AsPrivacyOfficer>(&context).await?;
    let staff = officer.staff();
    let Ok(id) = request.trim().parse::<i64>() else {
        return fail(AppError::invalid("request", "There is no such request."));
    };
    let answer = request_text("answer", &answer).or_else(|invalid| fail(invalid.into()))?;
    // The storage sets the entry's customer to the request's.
    let audit = audit_entry(
        context.clock.now(),
        AuditEvent::DataRequestAnswered,
        staff_actor(staff),
        CustomerId(0),
        None,
        String::new(),
    );
    match context
        .store
        .answer_data_request(id, &answer, staff.staff(), &audit)
        .await
        .map_err(internal)?
    {
        Some(_) => {}
        None => {
            return fail(AppError::invalid(
                "request",
                "This request does not exist or was answered already.",
            ))
        }
    }
    go_to("/privacy/data-requests?done=answered");
    Ok(())
}
