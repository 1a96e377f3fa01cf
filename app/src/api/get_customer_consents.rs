use leptos::prelude::*;

use super::consent_views::CustomerConsents;
use super::AppError;

/// A customer's consents for support or a sysadmin, named by one of the customer's support cases (`case`, from the
/// case they work on) or by the customer's number (`customer_number`, e.g. once a caller is identified): every
/// grant, whoever gave or recorded it, with who may use it and how it ended, and every request with its state.
/// Each look is on record, in the customer's log, before it is answered.
#[server(prefix = "/sf", endpoint = "get-customer-consents")]
pub async fn get_customer_consents(
    case: Option<String>,
    customer_number: Option<String>,
) -> Result<CustomerConsents, AppError> {
    use super::consent_flows::*;
    use super::consent_views::CaseView;
    use super::context::*;
    use crate::domain::consent::SupportCaseId;
    use crate::domain::{AuditEvent, CustomerNumber};
    use crate::ports::{AuditBasis, AuditEntry};

    let context = app_context()?;
    let staff = require_operational(&context).await?;
    let store = context.store.as_ref();
    let (customer, case) = match (given(case), given(customer_number)) {
        (Some(case), None) => {
            let Ok(id) = SupportCaseId::parse(&case) else {
                return fail(AppError::NotFound);
            };
            match store.support_case(id).await.map_err(internal)? {
                Some(case) => (case.customer, Some(case)),
                None => return fail(AppError::NotFound),
            }
        }
        (None, Some(number)) => {
            let Ok(number) = CustomerNumber::parse(&number) else {
                return fail(AppError::NotFound);
            };
            match store.customer_by_number(&number).await.map_err(internal)? {
                Some(customer) => (customer.id, None),
                None => return fail(AppError::NotFound),
            }
        }
        _ => return refuse("case", "Name either a support case or a customer number."),
    };
    let now = context.clock.now();
    let look = AuditEntry::in_portal(
        now,
        AuditEvent::ConsentStateViewed,
        staff_actor(&staff),
        Some(customer),
        AuditBasis::StaffRole,
        match &case {
            Some(case) => crate::log_detail!("while working on case {id}", id = case.id),
            None => crate::log_detail!("from the customer's page"),
        },
    );
    store.record_audit(&[look]).await.map_err(internal)?;
    let mut labels = Labels::new(store);
    let state = labels
        .consent_state(customer, Some(staff.staff()), now)
        .await
        .map_err(internal)?;
    let case_view = match &case {
        Some(case) => Some(CaseView {
            id: case.id,
            customer: labels.customer(case.customer).await.map_err(internal)?,
            subject: case.subject.to_string(),
            opened_by: labels.staff(case.opened_by).await.map_err(internal)?,
            opened_at: case.opened_at,
            reference: case.reference.as_ref().map(ToString::to_string),
            idle_days: case.activity().idle_days(context.idle_case_after, now),
        }),
        None => None,
    };
    Ok(CustomerConsents {
        now,
        customer: labels.customer(customer).await.map_err(internal)?,
        case: case_view,
        case_resolved_at: case.and_then(|case| case.resolved_at),
        state,
    })
}
