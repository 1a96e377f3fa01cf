use leptos::prelude::*;

use super::AppError;

/// Removes a customer's second factor, which needs the password. Staff cannot: for them it is mandatory.
#[server(prefix = "/sf", endpoint = "disable-second-factor")]
pub async fn disable_second_factor(password: String) -> Result<(), AppError> {
    use super::context::*;
    use crate::domain::SecurityEventKind;
    use crate::ports::EndSessions;

    let context = app_context()?;
    let customer = require_customer(&context).await?;
    let auth = require_signed_in(&context).await?;
    confirm_password(&context, &auth, &password, "password").await?;
    let session = session().await?;
    let current = session.id().map(|id| id.to_string()).unwrap_or_default();
    context
        .store
        .set_second_factor(
            customer.account(),
            None,
            None,
            &[],
            EndSessions::AllBut(&current),
            context.clock.now(),
        )
        .await
        .map_err(internal)?;
    session.cycle_id().await.map_err(internal)?;
    let mut disabled = event(SecurityEventKind::SecondFactorDisabled, &context);
    disabled.account = Some(customer.account());
    record(&context, disabled).await?;
    go_to("/security?changed=second-factor");
    Ok(())
}
