use leptos::prelude::*;

use super::AppError;

/// Changes the password of the signed-in account, which needs the current one; every other session of the account
/// ends and this one gets a new id.
#[server(prefix = "/sf", endpoint = "change-password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use super::context::*;
    use crate::domain::{NewPassword, SecurityEventKind};
    use crate::ports::EndSessions;

    let context = app_context()?;
    let auth = require_signed_in(&context).await?;
    confirm_password(&context, &auth, &current_password, "current_password").await?;
    let new_password = match NewPassword::parse(&new_password) {
        Ok(password) => password,
        Err(_) => {
            return fail(AppError::invalid(
                "new_password",
                "The new password must be 12 to 128 characters long.",
            ))
        }
    };
    let hash = context.hasher.hash(&new_password).await.map_err(internal)?;
    let session = session().await?;
    let current = session.id().map(|id| id.to_string()).unwrap_or_default();
    let now = context.clock.now();
    context
        .store
        .set_password_hash(
            auth.account.id,
            &hash,
            Some(EndSessions::AllBut(&current)),
            now,
        )
        .await
        .map_err(internal)?;
    session.cycle_id().await.map_err(internal)?;
    let mut changed = event(SecurityEventKind::PasswordChanged, &context);
    changed.account = Some(auth.account.id);
    record(&context, changed).await?;
    go_to("/security?changed=password");
    Ok(())
}
