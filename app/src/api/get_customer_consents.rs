use leptos::prelude::*;

use super::consent_views::CustomerConsents;
use super::AppError;

/// The consents of the customer of a support case, for the staff member working on it (on the phone with the
/// customer, say): every grant, whoever gave or recorded it, with who may use it and how it ended, and every
/// request with its state. Each look is on record, in the customer's log, before it is answered.
#[server(prefix = "/sf", endpoint = "get-customer-consents")]
pub async fn get_customer_consents(case: String) -> Result<CustomerConsents, AppError> {
    use super::consent_flows::*;
    use super::consent_views::CaseView;
    use super::context::*;
    use crate::domain::consent::SupportCaseId;
    use crate::domain::AuditEvent;
    use crate::ports::{AuditBasis, AuditEntry};

    let context = app_context()?;
    let staff = require_operational(&context).await?;
    let Ok(id) = SupportCaseId::parse(&case) else {
        return fail(AppError::NotFound);
    };
    let Some(case) = context.store.support_case(id).await.map_err(internal)? else {
        return fail(AppError::NotFound);
    };
    let now = context.clock.now();
    let look = AuditEntry::in_portal(
        now,
        AuditEvent::ConsentStateViewed,
        staff_actor(&staff),
        Some(case.customer),
        AuditBasis::StaffRole,
        crate::log_detail!("while working on case {id}"),
    );
    context
        .store
        .record_audit(&[look])
        .await
        .map_err(internal)?;
    let mut labels = Labels::new(context.store.as_ref());
    let state = labels
        .consent_state(case.customer, Some(staff.staff()), now)
        .await
        .map_err(internal)?;
    Ok(CustomerConsents {
        now,
        case: CaseView {
            id,
            customer: labels.customer(case.customer).await.map_err(internal)?,
            subject: case.subject.to_string(),
            opened_by: labels.staff(case.opened_by).await.map_err(internal)?,
            opened_at: case.opened_at,
        },
        case_resolved_at: case.resolved_at,
        state,
    })
}
