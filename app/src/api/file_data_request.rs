use leptos::prelude::*;

use super::AppError;

/// The customer files a request about their data (access, correction, erasure or a question). It is recorded with
/// its answer deadline, 30 days later (Swiss FADP), which the customer's page counts down.
#[server(prefix = "/sf", endpoint = "file-data-request")]
pub async fn file_data_request(kind: String, body: String) -> Result<(), AppError> {
    use super::consent_flows::{audit_entry, customer_actor};
    use super::context::*;
    use crate::domain::my_data::{answer_due, request_text, DataRequestKind};
    use crate::domain::AuditEvent;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let kind = DataRequestKind::parse(&kind).or_else(|invalid| fail(invalid.into()))?;
    let body = request_text("body", &body).or_else(|invalid| fail(invalid.into()))?;
    let now = context.clock.now();
    let audit = audit_entry(
        now,
        AuditEvent::DataRequestFiled,
        customer_actor(&me),
        me.customer(),
        None,
        String::new(),
    );
    let request = context
        .store
        .file_data_request(me.customer(), kind, &body, answer_due(now), &audit)
        .await
        .map_err(internal)?;
    // No `#requests` fragment: a page loaded at a fragment ignores `autofocus`, and the confirmation, which takes
    // the focus, is where the reader continues.
    go_to(&format!(
        "/account/data?done=request-filed&request={}",
        request.id
    ));
    Ok(())
}
