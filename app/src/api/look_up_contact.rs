use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

/// What support sees to identify a caller: the contact data the charter names for it (§1), nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCard {
    pub customer_number: String,
    pub name: String,
    pub company: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub city: String,
    pub language: String,
}

/// Support reads a customer's contact data, by customer number or email, giving the reason (the call or ticket).
/// Each lookup that shows data is an audit entry the customer sees; an empty query shows nothing and records
/// nothing.
#[server(prefix = "/sf", endpoint = "look-up-contact")]
pub async fn look_up_contact(
    query: String,
    reason: String,
) -> Result<Option<ContactCard>, AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::auth::guard::AsSupport;
    use crate::domain::consent::LookupReason;
    use crate::domain::{AuditEvent, CustomerNumber, EmailAddress};

    let context = app_context()?;
    let support = require_role::<AsSupport>(&context).await?;
    let query = query.trim();
    if query.is_empty() {
        return Ok(None);
    }
    let reason = parsed("reason", LookupReason::parse(&reason))?;
    let found = if query.contains('@') {
        let email = parsed("query", EmailAddress::parse(query))?;
        context.store.customer_by_email(&email).await
    } else {
        let number = parsed("query", CustomerNumber::parse(query))?;
        context.store.customer_by_number(&number).await
    }
    .map_err(internal)?;
    let Some(customer) = found else {
        return refuse("query", "There is no customer with this number or email.");
    };
    let audit = audit_entry(
        context.clock.now(),
        AuditEvent::ContactDataViewed,
        staff_actor(support.staff()),
        customer.id,
        None,
        reason.to_string(),
    );
    // Recorded before anything is shown: a lookup the log could not keep shows nothing.
    context
        .store
        .record_audit(std::slice::from_ref(&audit))
        .await
        .map_err(internal)?;
    let details = customer.details;
    Ok(Some(ContactCard {
        customer_number: details.number.to_string(),
        name: format!("{} {}", details.first_name, details.last_name),
        company: details.company,
        email: details.email.to_string(),
        phone: details.phone.map(|phone| phone.as_str().to_owned()),
        mobile: details.mobile.map(|mobile| mobile.as_str().to_owned()),
        city: details.city,
        language: details.language.code().to_owned(),
    }))
}
