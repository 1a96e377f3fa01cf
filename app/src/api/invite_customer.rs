use leptos::prelude::*;

use super::AppError;

/// Support sends a customer who has no login, once identified on the phone, the link to choose a password. It goes
/// to the customer's address of record, never to one the caller gives.
#[server(prefix = "/sf", endpoint = "invite-customer")]
pub async fn invite_customer(customer_number: String) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::auth::guard::AsSupport;
    use crate::ports::{EventSource, Invitation};
    use crate::usecases::invitations;

    let context = app_context()?;
    let support = require_role::<AsSupport>(&context).await?;
    let customer = customer_by_number(&context, &customer_number).await?;
    let sent = invitations::invite_customer(
        context.store.as_ref(),
        &customer,
        &context.auth.public_origin,
        staff_actor(support.staff()),
        EventSource::Portal,
        context.clock.now(),
    )
    .await
    .map_err(internal)?;
    if sent == Invitation::HasLogin {
        return refuse("customer_number", "This customer already has a login.");
    }
    go_to(&format!(
        "/staff/contacts?invited={}",
        customer.details.number
    ));
    Ok(())
}
