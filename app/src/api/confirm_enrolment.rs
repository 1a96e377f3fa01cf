use leptos::prelude::*;

use super::AppError;

/// Confirms enrolment with a first code: the secret becomes the account's, ten recovery codes replace any old ones,
/// and every other session of the account ends.
#[server(prefix = "/sf", endpoint = "confirm-enrolment")]
pub async fn confirm_enrolment(code: String) -> Result<(), AppError> {
    use super::account_flows::{check_throttle, clear_throttle, count_failure};
    use super::context::{app_context, event, fail, forbid, go_to, internal, record, session};
    use crate::auth::session::{AuthState, Stage, AUTH_KEY, FRESH_RECOVERY_CODES_KEY};
    use crate::auth::{tokens, totp};
    use crate::domain::SecurityEventKind;
    use crate::ports::EndSessions;

    let context = app_context()?;
    let now = context.clock.now();
    let session = session().await?;
    let Some(mut state) = session.get::<AuthState>(AUTH_KEY).await.map_err(internal)? else {
        return fail(AppError::SignInRequired);
    };
    if !matches!(state.stage, Stage::NeedsEnrolment | Stage::Complete) {
        return fail(AppError::SignInRequired);
    }
    // Replacing an enrolled factor from a session is refused, as in `begin_enrolment`.
    let enrolled = context
        .store
        .account(state.account)
        .await
        .map_err(internal)?
        .and_then(|a| a.totp_secret);
    if enrolled.is_some() {
        return forbid(
            &context,
            Some(state.account),
            "second factor already enrolled",
        )
        .await;
    }
    let Some(secret) = state.pending_totp_secret.clone() else {
        return fail(AppError::SignInRequired);
    };
    let keys = vec![format!("second-factor:{}", state.account.0)];
    check_throttle(&context, &keys).await?;
    let Some(step) = totp::accept(&secret, &code, now, None).map_err(internal)? else {
        count_failure(&context, &keys).await?;
        return fail(AppError::BadCode);
    };
    clear_throttle(&context, &keys).await?;

    let codes = tokens::new_recovery_codes();
    let hashes: Vec<String> = codes
        .iter()
        .map(|code| tokens::hash_recovery_code(code))
        .collect();
    context
        .store
        .set_second_factor(
            state.account,
            Some(&secret),
            Some(step),
            &hashes,
            EndSessions::All,
            now,
        )
        .await
        .map_err(internal)?;
    session.cycle_id().await.map_err(internal)?;
    state.stage = Stage::Complete;
    state.second_factor_at = Some(now);
    state.pending_totp_secret = None;
    session.insert(AUTH_KEY, &state).await.map_err(internal)?;
    session
        .insert(FRESH_RECOVERY_CODES_KEY, &codes)
        .await
        .map_err(internal)?;
    let mut enrolled = event(SecurityEventKind::SecondFactorEnrolled, &context);
    enrolled.account = Some(state.account);
    record(&context, enrolled).await?;
    go_to("/login/recovery-codes");
    Ok(())
}
