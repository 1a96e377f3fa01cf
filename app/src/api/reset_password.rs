use leptos::prelude::*;

use super::AppError;

/// Sets a new password with a reset link's token; the token works once, for 30 minutes, and every session of the
/// account ends.
#[server(prefix = "/sf", endpoint = "reset-password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use super::account_flows::{check_throttle, count_failure, throttle_keys};
    use super::context::{app_context, event, fail, go_to, internal, record};
    use crate::auth::tokens;
    use crate::domain::{NewPassword, SecurityEventKind};

    let context = app_context()?;
    // Guessing tokens is hopeless (256 bits), but each try costs a password hash: bound how often one address may.
    let keys = throttle_keys("reset-token", "any");
    check_throttle(&context, &keys[1..]).await?;
    let password = match NewPassword::parse(&password) {
        Ok(password) => password,
        Err(invalid) => return fail(invalid.into()),
    };
    let hash = context.hasher.hash(&password).await.map_err(internal)?;
    let token_hash = tokens::hash_secret(token.trim());
    let now = context.clock.now();
    let Some(account) = context
        .store
        .complete_password_reset(&token_hash, &hash, now)
        .await
        .map_err(internal)?
    else {
        count_failure(&context, &keys[1..]).await?;
        return fail(AppError::LinkExpired);
    };
    let mut completed = event(SecurityEventKind::PasswordResetCompleted, &context);
    completed.account = Some(account);
    record(&context, completed).await?;
    go_to("/login?reset=1");
    Ok(())
}
