use leptos::prelude::*;

use super::AppError;

/// Checks an email and password and starts a session. Unknown emails, wrong passwords and disabled accounts get the
/// same answer after the same work, so the form says nothing about who has an account.
#[server(prefix = "/sf", endpoint = "log-in")]
pub async fn log_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use super::account_flows::{
        check_throttle, clear_throttle, count_failure, safe_next, throttle_keys,
    };
    use super::context::{
        app_context, chosen_language, event, fail, go_to, header, internal, record, session,
    };
    use crate::auth::session::{AuthState, Stage, AUTH_KEY};
    use crate::domain::{EmailAddress, NewPassword, SecurityEventKind};
    use crate::ports::Principal;

    let context = app_context()?;
    let now = context.clock.now();
    let keys = throttle_keys("account", &email.trim().to_lowercase());
    if let Err(error) = check_throttle(&context, &keys).await {
        let mut throttled = event(SecurityEventKind::LoginThrottled, &context);
        throttled.email = Some(email.trim().chars().take(254).collect());
        record(&context, throttled).await?;
        return Err(error);
    }

    let account = match EmailAddress::parse(&email) {
        Ok(address) => context
            .store
            .account_by_email(&address)
            .await
            .map_err(internal)?,
        Err(_) => None,
    };
    let stored_hash = account
        .as_ref()
        .map(|account| account.password_hash.as_str());
    let verification = context
        .hasher
        .verify(&password, stored_hash)
        .await
        .map_err(internal)?;
    let account = match account {
        Some(account) if verification.matches && account.disabled_at.is_none() => account,
        other => {
            count_failure(&context, &keys).await?;
            let mut failed = event(SecurityEventKind::LoginFailed, &context);
            failed.account = other.map(|account| account.id);
            failed.email = Some(email.trim().chars().take(254).collect());
            record(&context, failed).await?;
            return fail(AppError::BadCredentials);
        }
    };

    if verification.needs_rehash {
        if let Ok(password) = NewPassword::parse(&password) {
            let hash = context.hasher.hash(&password).await.map_err(internal)?;
            context
                .store
                .set_password_hash(account.id, &hash, None, now)
                .await
                .map_err(internal)?;
        }
    }
    // Only the account's own counter: clearing the address's would let someone with one valid account reset it
    // between guesses at others.
    clear_throttle(&context, &keys[..1]).await?;

    let stage = match (account.principal, &account.totp_secret) {
        (_, Some(_)) => Stage::NeedsSecondFactor,
        (Principal::Staff(_), None) => Stage::NeedsEnrolment,
        (Principal::Customer(_), None) => Stage::Complete,
    };
    let session = session().await?;
    // Nothing a previous session of this browser held (fresh recovery codes, someone else's sign-in) carries over.
    session.clear().await;
    // A fresh id at every privilege change: an id planted before login is worth nothing after it.
    session.cycle_id().await.map_err(internal)?;
    let state = AuthState::new(
        account.id,
        stage,
        now,
        header("user-agent"),
        context.auth.idle,
        context.auth.absolute,
    );
    session.insert(AUTH_KEY, &state).await.map_err(internal)?;
    // The customer's language of record, unless this browser has chosen one with the switch.
    if let (None, Some(customer)) = (chosen_language(), account.principal.customer()) {
        if let Some(customer) = context.store.customer(customer).await.map_err(internal)? {
            super::set_language::remember_language(&context, customer.details.language);
        }
    }
    let mut succeeded = event(SecurityEventKind::LoginSucceeded, &context);
    succeeded.account = Some(account.id);
    succeeded.detail = Some(match stage {
        Stage::NeedsSecondFactor => crate::log_detail!("password accepted, second factor due"),
        Stage::NeedsEnrolment => {
            crate::log_detail!("password accepted, a second factor to enrol")
        }
        Stage::Complete => crate::log_detail!("sign-in complete"),
    });
    record(&context, succeeded).await?;

    match stage {
        Stage::NeedsSecondFactor => go_to("/login/second-factor"),
        Stage::NeedsEnrolment => go_to("/login/enrol"),
        Stage::Complete => go_to(&safe_next(next.as_deref(), account.principal)),
    }
    Ok(())
}
