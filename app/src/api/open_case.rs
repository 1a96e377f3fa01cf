use leptos::prelude::*;

use super::AppError;

/// Support opens a case for a customer's problem; a mailbox consent is only ever valid for one.
#[server(prefix = "/sf", endpoint = "open-case")]
pub async fn open_case(customer_number: String, subject: String) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::auth::guard::AsSupport;
    use crate::domain::consent::CaseSubject;
    use crate::domain::AuditEvent;
    use crate::ports::NewSupportCase;

    let context = app_context()?;
    let support = require_role::<AsSupport>(&context).await?;
    let staff = support.staff();
    let customer = customer_by_number(&context, &customer_number).await?;
    let subject = parsed("subject", CaseSubject::parse(&subject))?;
    let now = context.clock.now();
    let audit = audit_entry(
        now,
        AuditEvent::CaseOpened,
        staff_actor(staff),
        customer.id,
        None,
        subject.to_string(),
    );
    let case = context
        .store
        .open_case(
            &NewSupportCase {
                customer: customer.id,
                subject,
                opened_by: staff.staff(),
            },
            &audit,
        )
        .await
        .map_err(internal)?;
    go_to(&format!(
        "/staff/cases?done=opened&case={}&customer={}",
        case.id, customer.details.number
    ));
    Ok(())
}
