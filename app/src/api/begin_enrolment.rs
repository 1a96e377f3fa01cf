use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

/// What a person needs to add the portal to their authenticator app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// Base32, for typing in by hand.
    pub secret: String,
    pub qr_svg: String,
    pub account: String,
}

/// Starts (or resumes) second-factor enrolment: a new secret kept in the session until a code confirms it.
#[server(prefix = "/sf", endpoint = "begin-enrolment")]
pub async fn begin_enrolment() -> Result<Enrolment, AppError> {
    use super::context::{app_context, fail, forbid, internal, session};
    use crate::auth::session::{AuthState, Stage, AUTH_KEY};
    use crate::auth::totp;

    let context = app_context()?;
    let session = session().await?;
    let Some(mut state) = session.get::<AuthState>(AUTH_KEY).await.map_err(internal)? else {
        return fail(AppError::SignInRequired);
    };
    if !matches!(state.stage, Stage::NeedsEnrolment | Stage::Complete) {
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
    // Replacing an enrolled factor from a signed-in session would let a stolen session lock the owner out: customers
    // disable theirs first (which takes the password), staff ask an administrator.
    if account.totp_secret.is_some() {
        return forbid(&context, Some(account.id), "second factor already enrolled").await;
    }
    let secret = match &state.pending_totp_secret {
        Some(secret) => secret.clone(),
        None => {
            let secret = totp::new_secret();
            state.pending_totp_secret = Some(secret.clone());
            session.insert(AUTH_KEY, &state).await.map_err(internal)?;
            secret
        }
    };
    let (_, qr_svg) = totp::enrolment(&secret, account.email.as_str()).map_err(internal)?;
    Ok(Enrolment {
        secret,
        qr_svg,
        account: account.email.to_string(),
    })
}
