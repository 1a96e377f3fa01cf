use leptos::prelude::*;

use super::backup_views::SupervisedCustomer;
use super::AppError;

/// Mailbox supervision: support finds a customer by number or email and sees their mailboxes' addresses. Nothing
/// about a mailbox's contents is shown here (opening one is [`super::view_mailbox_stats`]), but the addresses are
/// the customer's data, so the search that shows them is an audit entry the customer sees.
#[server(prefix = "/sf", endpoint = "find-mailboxes")]
pub async fn find_mailboxes(query: String) -> Result<Option<SupervisedCustomer>, AppError> {
    use super::backup_views::require_supervisor;
    use super::consent_flows::*;
    use super::context::*;
    use crate::domain::{AuditEvent, CustomerNumber, EmailAddress};
    use crate::ports::ServiceKind;

    let context = app_context()?;
    let supervisor = require_supervisor(&context).await?;
    let query = query.trim();
    if query.is_empty() {
        return Ok(None);
    }
    let found = if query.contains('@') {
        let email = parsed("query", EmailAddress::parse(query))?;
        context.store.customer_by_email(&email).await
    } else {
        let number = parsed("query", CustomerNumber::parse(query))?;
        context.store.customer_by_number(&number).await
    }
    .map_err(internal)?;
    let Some(customer) = found else {
        return refuse("query", "No customer has this number or address.");
    };
    let audit = audit_entry(
        context.clock.now(),
        AuditEvent::MailboxesListed,
        staff_actor(supervisor.staff()),
        customer.id,
        None,
        crate::log_detail!("mailbox list (supervision)"),
    );
    // Recorded before anything is shown: a search the log could not keep shows nothing.
    context
        .store
        .record_audit(std::slice::from_ref(&audit))
        .await
        .map_err(internal)?;
    let services = context
        .store
        .services_of(customer.id)
        .await
        .map_err(internal)?;
    let details = customer.details;
    Ok(Some(SupervisedCustomer {
        customer_number: details.number.to_string(),
        name: details
            .company
            .unwrap_or_else(|| format!("{} {}", details.first_name, details.last_name)),
        mailboxes: services
            .into_iter()
            .filter(|service| service.kind == ServiceKind::Mailbox)
            .map(|service| service.name)
            .collect(),
    }))
}
