use leptos::prelude::*;

use super::AppError;

/// A customer invited by the operator chooses their password: the invitation's link works once, for 7 days, and only
/// while they have no login.
#[server(prefix = "/sf", endpoint = "accept-invitation")]
pub async fn accept_invitation(token: String, password: String) -> Result<(), AppError> {
    use super::account_flows::{check_throttle, count_failure, throttle_keys};
    use super::context::{app_context, event, fail, go_to, internal, record};
    use crate::auth::tokens;
    use crate::domain::{NewPassword, SecurityEventKind};

    let context = app_context()?;
    // As for reset links: guessing is hopeless, but each try costs a password hash.
    let keys = throttle_keys("invitation-token", "any");
    check_throttle(&context, &keys[1..]).await?;
    let password = match NewPassword::parse(&password) {
        Ok(password) => password,
        Err(invalid) => return fail(invalid.into()),
    };
    let hash = context.hasher.hash(&password).await.map_err(internal)?;
    let now = context.clock.now();
    let Some(account) = context
        .store
        .accept_invitation(&tokens::hash_secret(token.trim()), &hash, now)
        .await
        .map_err(internal)?
    else {
        count_failure(&context, &keys[1..]).await?;
        return fail(AppError::LinkExpired);
    };
    let mut created = event(SecurityEventKind::AccountCreated, &context);
    created.account = Some(account);
    record(&context, created).await?;
    go_to("/login?welcome=1");
    Ok(())
}
