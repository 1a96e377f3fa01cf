use leptos::prelude::*;

use super::AppError;

/// Follows a confirmation link: the new address replaces the customer's contact and sign-in address, the old
/// address is told, and the change is an account security event in the log. Posted from the link's page (a button),
/// never on the GET itself, so that a mail scanner opening the link changes nothing. The link alone is enough: it
/// proves the new mailbox, and the request behind it was made with the password.
#[server(prefix = "/sf", endpoint = "confirm-email-change")]
pub async fn confirm_email_change(token: String) -> Result<(), AppError> {
    use super::context::*;
    use crate::auth::tokens::hash_secret;
    use crate::domain::{Language, SecurityEventKind};
    use crate::ports::{ConfirmEmailOutcome, MailKind, OutgoingMail};

    let context = app_context()?;
    let now = context.clock.now();
    let Some(change) = context
        .store
        .email_change_by_token(&hash_secret(token.trim()), now)
        .await
        .map_err(internal)?
    else {
        return fail(AppError::LinkExpired);
    };
    let customer = context
        .store
        .customer(change.customer)
        .await
        .map_err(internal)?
        .ok_or_else(|| internal("an email change names no customer"))?;
    let new_email = &change.new_email;
    let text = match customer.details.language {
        Language::Fr => (
            "Votre adresse électronique a changé".to_owned(),
            format!("Bonjour,\n\nVotre adresse auprès de nous et de connexion au portail est désormais {new_email}.\nSi ce n'est pas vous, contactez notre support immédiatement.\n"),
        ),
        Language::En => (
            "Your email address has changed".to_owned(),
            format!("Hello,\n\nYour address with us and for signing in to the portal is now {new_email}.\nIf this was not you, contact our support at once.\n"),
        ),
    };
    let notice = OutgoingMail::to_customer(MailKind::AccountSecurity, &customer, text);
    let account = context
        .store
        .account_by_email(&customer.details.email)
        .await
        .map_err(internal)?
        .filter(|account| account.principal.customer() == Some(customer.id));
    let mut changed = event(SecurityEventKind::EmailChanged, &context);
    changed.account = account.map(|account| account.id);
    changed.detail = Some(crate::log_detail!(
        "confirmed by the link sent to the new address"
    ));
    match context
        .store
        .confirm_email_change(change.id, &notice, &changed, now)
        .await
        .map_err(internal)?
    {
        ConfirmEmailOutcome::Confirmed => {}
        ConfirmEmailOutcome::NoLongerValid => return fail(AppError::LinkExpired),
        ConfirmEmailOutcome::AddressTaken => {
            return fail(AppError::invalid(
                "token",
                "This address has been taken by another account in the meantime.",
            ))
        }
    }
    go_to("/account/data?done=email-changed");
    Ok(())
}
