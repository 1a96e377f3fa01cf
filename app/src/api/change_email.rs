use leptos::prelude::*;

use super::AppError;

/// Changes the sign-in email of the signed-in account, which needs the current password. The old address is told.
#[server(prefix = "/sf", endpoint = "change-email")]
pub async fn change_email(password: String, email: String) -> Result<(), AppError> {
    use super::context::*;
    use crate::domain::{EmailAddress, Language, SecurityEventKind};
    use crate::ports::{MailKind, OutgoingMail, StorageError};

    let context = app_context()?;
    let auth = require_signed_in(&context).await?;
    confirm_password(&context, &auth, &password, "password").await?;
    let new_email = match EmailAddress::parse(&email) {
        Ok(address) => address,
        Err(invalid) => return fail(invalid.into()),
    };
    let now = context.clock.now();
    match context
        .store
        .set_email(auth.account.id, &new_email, now)
        .await
    {
        Ok(()) => {}
        Err(StorageError::Conflict(_)) => {
            return fail(AppError::invalid(
                "email",
                "This address is already used by another account.",
            ))
        }
        Err(error) => return Err(internal(error)),
    }
    let language = context
        .store
        .account_profile(auth.account.id)
        .await
        .map_err(internal)?
        .map_or(Language::Fr, |p| p.1);
    let (subject, body_text) = match language {
        Language::Fr => (
            "Votre adresse de connexion a changé".to_owned(),
            format!("Bonjour,\n\nVotre adresse de connexion au portail est désormais {new_email}.\nSi ce n'est pas vous, contactez notre support immédiatement.\n"),
        ),
        Language::En => (
            "Your sign-in address has changed".to_owned(),
            format!("Hello,\n\nYour sign-in address for the portal is now {new_email}.\nIf this was not you, contact our support at once.\n"),
        ),
    };
    let notice = OutgoingMail {
        kind: MailKind::AccountSecurity,
        to: auth.account.email.clone(),
        customer: auth.account.principal.customer(),
        language,
        subject,
        body_text,
    };
    context
        .store
        .queue_mail(&notice, now)
        .await
        .map_err(internal)?;
    let mut changed = event(SecurityEventKind::EmailChanged, &context);
    changed.account = Some(auth.account.id);
    changed.detail = Some(format!("{} -> {new_email}", auth.account.email));
    record(&context, changed).await?;
    go_to("/security?changed=email");
    Ok(())
}
