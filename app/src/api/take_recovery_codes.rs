use leptos::prelude::*;

use super::AppError;

/// The recovery codes generated at the last enrolment, once: they are gone from the session after this call.
#[server(prefix = "/sf", endpoint = "take-recovery-codes")]
pub async fn take_recovery_codes() -> Result<Vec<String>, AppError> {
    use super::context::{app_context, fail, internal, session, signed_in};
    use crate::auth::session::FRESH_RECOVERY_CODES_KEY;

    let context = app_context()?;
    // A password alone, before the second factor, is not a sign-in.
    if !signed_in(&context)
        .await?
        .is_some_and(|auth| auth.state.stage == crate::auth::session::Stage::Complete)
    {
        return fail(AppError::SignInRequired);
    }
    let session = session().await?;
    let codes: Option<Vec<String>> = session
        .remove(FRESH_RECOVERY_CODES_KEY)
        .await
        .map_err(internal)?;
    Ok(codes.unwrap_or_default())
}
