use leptos::prelude::*;

use super::AppError;

/// A privacy officer records a disclosure ordered by a Swiss court: the only disclosure there can be (charter §3).
/// Authority, reference, date and scope are all required; the deferral date is optional. The disclosure and its
/// audit entry in the customer's log are written together.
#[server(prefix = "/sf", endpoint = "record-disclosure")]
pub async fn record_disclosure(
    customer_number: String,
    authority: String,
    reference: String,
    ordered_on: String,
    scope: String,
    notify_after: Option<String>,
) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;
    use crate::domain::disclosure::CourtOrder;
    use crate::domain::AuditEvent;

    let context = app_context()?;
    let officer = require_role::<AsPrivacyOfficer>(&context).await?;
    let staff = officer.staff();
    let customer = customer_by_number(&context, &customer_number).await?;
    let now = context.clock.now();
    // The domain names the part that is wrong, and the form shows the error next to that field.
    let order = CourtOrder::parse(
        &authority,
        &reference,
        &ordered_on,
        &scope,
        notify_after.as_deref().unwrap_or_default(),
        now.date_naive(),
    )
    .or_else(|invalid| fail(AppError::from(invalid)))?;
    // What the customer reads in their log once they may: who ordered what, and what was disclosed.
    let detail = crate::log_detail!(
        "ordered by {authority} on {date} (reference {reference}): {scope}",
        authority = order.authority(),
        date = order.ordered_on().format("%Y-%m-%d"),
        reference = order.reference(),
        scope = order.scope()
    );
    let audit = audit_entry(
        now,
        AuditEvent::DisclosureRecorded,
        staff_actor(staff),
        customer.id,
        None,
        detail,
    );
    let id = context
        .store
        .record_disclosure(customer.id, &order, staff.staff(), &audit)
        .await
        .map_err(internal)?;
    go_to(&format!(
        "/privacy/disclosures?done=recorded&disclosure={id}"
    ));
    Ok(())
}
