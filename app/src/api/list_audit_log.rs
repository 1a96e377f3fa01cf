use leptos::prelude::*;

use super::access_log_views::AccessLog;
use super::AppError;

/// The whole audit log for a privacy officer, with the customers' filters and one more: a customer number.
#[server(prefix = "/sf", endpoint = "list-audit-log")]
pub async fn list_audit_log(
    customer_number: Option<String>,
    resource: Option<String>,
    role: Option<String>,
    from: Option<String>,
    until: Option<String>,
    outcome: Option<String>,
    before: Option<String>,
) -> Result<AccessLog, AppError> {
    use super::access_log_flows::*;
    use super::consent_flows::{customer_by_number, given};
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;

    use super::consent_flows::staff_actor;
    use crate::domain::AuditEvent;
    use crate::ports::{AuditBasis, AuditEntry};

    let context = app_context()?;
    let officer = require_role::<AsPrivacyOfficer>(&context).await?;
    let customer = match given(customer_number) {
        Some(raw) => Some(customer_by_number(&context, &raw).await?.id),
        None => None,
    };
    let input = FilterInput {
        resource,
        role,
        from,
        until,
        outcome,
    };
    let filter = filter(input, customer)?;
    // The look is on record before the log is shown; in the customer's own log when it is theirs that is read.
    let read = AuditEntry::in_portal(
        context.clock.now(),
        AuditEvent::AuditLogRead,
        staff_actor(officer.staff()),
        customer,
        AuditBasis::StaffRole,
        match customer {
            Some(_) => crate::log_detail!("entries of one customer"),
            None => crate::log_detail!("entries of all customers"),
        },
    );
    context
        .store
        .record_audit(&[read])
        .await
        .map_err(internal)?;
    let mut log = page(&context, &filter, None, cursor(before)?).await?;
    log.can_verify = true;
    Ok(log)
}
