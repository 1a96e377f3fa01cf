use leptos::prelude::*;

use super::AppError;

/// The privacy officer declares an incident: what happened, what it means for the customer, the services affected,
/// and who it concerns (`audience` = `services`: every customer with one of the ticked services; `list`: the customer
/// numbers given, separated by spaces, commas or lines). Each of them sees it in the portal and is mailed a notice.
#[server(prefix = "/sf", endpoint = "declare-incident")]
#[allow(clippy::too_many_arguments)] // one argument per form field
pub async fn declare_incident(
    title: String,
    what_happened: String,
    what_it_means: String,
    web_space: Option<String>,
    backup_space: Option<String>,
    mailbox: Option<String>,
    audience: String,
    customer_numbers: Option<String>,
) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;
    use crate::domain::CustomerNumber;
    use crate::ports::{Affected, ServiceKind};
    use crate::usecases::notices::{self, IncidentText, NoticeError};

    /// More than this and the privacy officer should choose by service.
    const MAX_LISTED: usize = 1000;

    let context = app_context()?;
    let officer = require_role::<AsPrivacyOfficer>(&context).await?;
    let services: Vec<ServiceKind> = [
        (web_space, ServiceKind::WebSpace),
        (backup_space, ServiceKind::BackupSpace),
        (mailbox, ServiceKind::Mailbox),
    ]
    .into_iter()
    .filter_map(|(ticked, kind)| ticked.map(|_| kind))
    .collect();
    let text = match IncidentText::parse(&title, &what_happened, &what_it_means, services) {
        Ok(text) => text,
        Err(invalid) => return fail(on_field(invalid.field, invalid)),
    };
    let affected = match audience.as_str() {
        "services" => Affected::ByService(text.services.clone()),
        "list" => {
            let raw = given(customer_numbers).unwrap_or_default();
            let numbers: Vec<&str> = raw
                .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .filter(|number| !number.is_empty())
                .collect();
            if numbers.is_empty() {
                return refuse("customer_numbers", "Give at least one customer number.");
            }
            if numbers.len() > MAX_LISTED {
                return refuse(
                    "customer_numbers",
                    "Too many customers: choose by service instead.",
                );
            }
            let mut customers = Vec::with_capacity(numbers.len());
            for raw in numbers {
                let number = parsed("customer_numbers", CustomerNumber::parse(raw))?;
                match context
                    .store
                    .customer_by_number(&number)
                    .await
                    .map_err(internal)?
                {
                    Some(customer) => customers.push(customer.id),
                    None => {
                        return refuse(
                            "customer_numbers",
                            &format!("There is no customer with the number {number}."),
                        )
                    }
                }
            }
            Affected::Customers(customers)
        }
        _ => return refuse("audience", "Choose who the incident concerns."),
    };
    let declared = notices::declare_incident(
        context.store.as_ref(),
        text,
        affected,
        officer.staff().staff(),
        &context.auth.public_origin,
        context.clock.now(),
    )
    .await;
    match declared {
        Ok((incident, customers)) => {
            go_to(&format!(
                "/privacy/incidents?done=declared&incident={incident}&customers={customers}"
            ));
            Ok(())
        }
        Err(NoticeError::Invalid(invalid)) => fail(on_field(invalid.field, invalid)),
        Err(NoticeError::Storage(error)) => Err(internal(error)),
    }
}
