use leptos::prelude::*;

use super::AppError;

/// Support opens a case for a customer's problem; a mailbox consent is only ever valid for one.
#[server(prefix = "/sf", endpoint = "open-case")]
pub async fn open_case(customer_number: String, subject: String) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::auth::guard::AsSupport;
    use crate::domain::consent::CaseSubject;
    use crate::ports::EventSource;
    use crate::usecases::cases::{self, CaseOpening};

    let context = app_context()?;
    let support = require_role::<AsSupport>(&context).await?;
    let customer = customer_by_number(&context, &customer_number).await?;
    let opening = CaseOpening {
        customer: customer.id,
        subject: parsed("subject", CaseSubject::parse(&subject))?,
        reference: None,
    };
    let opened = cases::open_case(
        context.store.as_ref(),
        case_handler(support.staff()),
        opening,
        EventSource::Portal,
        context.clock.now(),
    )
    .await
    .or_else(case_refusal)?;
    go_to(&format!(
        "/staff/cases?done=opened&case={}&customer={}",
        opened.case().id,
        customer.details.number
    ));
    Ok(())
}
