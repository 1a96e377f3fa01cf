use leptos::prelude::*;

use super::AppError;

/// Sends a single-use reset link, valid 30 minutes, to the address if it belongs to an account. The answer and its
/// timing are the same either way: the work is done after the response.
#[server(prefix = "/sf", endpoint = "request-password-reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use super::account_flows::{check_throttle, count_failure, throttle_keys};
    use super::context::{app_context, client_addr, go_to};
    use crate::auth::tokens;
    use crate::domain::{EmailAddress, Language, SecurityEventKind};
    use crate::ports::{MailKind, OutgoingMail, SecurityEvent};

    let context = app_context()?;
    // Each request counts as a failure for the address, so the form cannot be used to flood someone's inbox.
    let keys = throttle_keys("reset", &email.trim().to_lowercase());
    check_throttle(&context, &keys).await?;
    count_failure(&context, &keys).await?;
    let client_ip = client_addr();
    if let Ok(address) = EmailAddress::parse(&email) {
        tokio::spawn(async move {
            let now = context.clock.now();
            let account = match context.store.account_by_email(&address).await {
                Ok(Some(account)) if account.disabled_at.is_none() => account,
                Ok(_) => return,
                Err(error) => return tracing::error!(%error, "password reset lookup failed"),
            };
            let language = match context.store.account_profile(account.id).await {
                Ok(Some((_, language))) => language,
                _ => Language::Fr,
            };
            let (token, hash) = tokens::new_link_token();
            let link = format!("{}/password-reset/{token}", context.auth.public_origin);
            let (subject, body_text) = match language {
                Language::Fr => (
                    "Réinitialisation de votre mot de passe".to_owned(),
                    format!(
                        "Bonjour,\n\nPour choisir un nouveau mot de passe, ouvrez ce lien dans les 30 minutes :\n{link}\n\n\
                         Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.\n"
                    ),
                ),
                Language::En => (
                    "Resetting your password".to_owned(),
                    format!(
                        "Hello,\n\nTo choose a new password, open this link within 30 minutes:\n{link}\n\n\
                         If you did not ask for this, ignore this message: your password stays as it is.\n"
                    ),
                ),
            };
            let mail = OutgoingMail {
                kind: MailKind::AccountSecurity,
                to: account.email.clone(),
                customer: account.principal.customer(),
                language,
                subject,
                body_text,
            };
            let expires_at = now + chrono::Duration::minutes(30);
            if let Err(error) = context
                .store
                .create_password_reset(account.id, &hash, expires_at, &mail, now)
                .await
            {
                return tracing::error!(%error, "password reset could not be stored");
            }
            let event = SecurityEvent {
                kind: SecurityEventKind::PasswordResetRequested,
                at: now,
                account: Some(account.id),
                email: None,
                client_ip,
                detail: None,
            };
            if let Err(error) = context.store.record_security_event(&event).await {
                tracing::error!(%error, "security event lost");
            }
        });
    }
    go_to("/password-reset?sent=1");
    Ok(())
}
