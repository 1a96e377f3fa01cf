use leptos::prelude::*;

use super::AppError;

/// Completes a sign-in with a code from the authenticator app, or with one of the recovery codes.
#[server(prefix = "/sf", endpoint = "verify-second-factor")]
pub async fn verify_second_factor(code: String) -> Result<(), AppError> {
    use super::account_flows::{check_throttle, clear_throttle, count_failure, home_of};
    use super::context::{app_context, event, fail, go_to, internal, record, session};
    use crate::auth::session::{AuthState, Stage, AUTH_KEY};
    use crate::auth::{tokens, totp};
    use crate::domain::SecurityEventKind;

    let context = app_context()?;
    let now = context.clock.now();
    let session = session().await?;
    let Some(mut state) = session.get::<AuthState>(AUTH_KEY).await.map_err(internal)? else {
        return fail(AppError::SignInRequired);
    };
    if state.stage != Stage::NeedsSecondFactor {
        return fail(AppError::SignInRequired);
    }
    let Some(account) = context
        .store
        .account(state.account)
        .await
        .map_err(internal)?
    else {
        return fail(AppError::SignInRequired);
    };
    let keys = vec![format!("second-factor:{}", account.id.0)];
    check_throttle(&context, &keys).await?;

    let secret = account.totp_secret.as_deref().unwrap_or_default();
    let by_app = match totp::accept(secret, &code, now, account.totp_last_step).map_err(internal)? {
        Some(step) => context
            .store
            .use_totp_step(account.id, step)
            .await
            .map_err(internal)?,
        None => false,
    };
    let by_recovery = !by_app
        && context
            .store
            .use_recovery_code(account.id, &tokens::hash_recovery_code(&code), now)
            .await
            .map_err(internal)?;
    if !by_app && !by_recovery {
        count_failure(&context, &keys).await?;
        let mut failed = event(SecurityEventKind::SecondFactorFailed, &context);
        failed.account = Some(account.id);
        record(&context, failed).await?;
        return fail(AppError::BadCode);
    }
    clear_throttle(&context, &keys).await?;

    session.cycle_id().await.map_err(internal)?;
    state.stage = Stage::Complete;
    state.second_factor_at = Some(now);
    state.last_seen_at = now;
    session.insert(AUTH_KEY, &state).await.map_err(internal)?;
    let kind = if by_app {
        SecurityEventKind::SecondFactorSucceeded
    } else {
        SecurityEventKind::RecoveryCodeUsed
    };
    let mut succeeded = event(kind, &context);
    succeeded.account = Some(account.id);
    record(&context, succeeded).await?;
    go_to(home_of(account.principal));
    Ok(())
}
