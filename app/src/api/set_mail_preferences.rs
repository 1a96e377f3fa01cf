use leptos::prelude::*;

use super::AppError;

/// Turns new-service announcements on (the box ticked) or off. Incident and terms-change notices cannot be turned
/// off: there is nothing to ask for them.
#[server(prefix = "/sf", endpoint = "set-mail-preferences")]
pub async fn set_mail_preferences(new_service: Option<String>) -> Result<(), AppError> {
    use super::context::*;
    use crate::ports::MailPreferences;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let preferences = MailPreferences {
        new_service_announcements: new_service.is_some(),
    };
    context
        .store
        .set_mail_preferences(me.customer(), preferences, context.clock.now())
        .await
        .map_err(internal)?;
    go_to("/account/messages?done=preferences");
    Ok(())
}
