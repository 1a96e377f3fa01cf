use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

/// The incident form's fields, as named in the page; each service is a checkbox, present only when ticked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentForm {
    pub title: String,
    pub what_happened: String,
    pub what_it_means: String,
    pub web_space: Option<String>,
    pub backup_space: Option<String>,
    pub mailbox: Option<String>,
    /// `services`: every customer with one of the ticked services; `list`: the customers in `customer_numbers`.
    pub audience: String,
    /// Customer numbers separated by spaces, commas or lines.
    pub customer_numbers: Option<String>,
}

/// The privacy officer declares an incident: what happened, what it means for the customer, the services affected,
/// and who it concerns. Each of them sees it in the portal and is mailed a notice.
#[server(prefix = "/sf", endpoint = "declare-incident")]
pub async fn declare_incident(#[server(flatten)] form: IncidentForm) -> Result<(), AppError> {
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
    let IncidentForm {
        title,
        what_happened,
        what_it_means,
        web_space,
        backup_space,
        mailbox,
        audience,
        customer_numbers,
    } = form;
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
        officer.staff().roles(),
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
