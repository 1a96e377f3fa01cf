use leptos::prelude::*;

use super::AppError;

/// The customer asks to change their email address (the contact address, which is also their sign-in). Nothing
/// changes yet: a link is sent to the new address (account-security mail), and the change takes effect only when it
/// is followed, so a mistyped address can never take over the account's mail. The current password is asked again.
#[server(prefix = "/sf", endpoint = "request-email-change")]
pub async fn request_email_change(password: String, email: String) -> Result<(), AppError> {
    use super::consent_flows::{audit_entry, customer_actor};
    use super::context::*;
    use crate::auth::tokens::new_link_token;
    use crate::domain::my_data::EMAIL_CONFIRMATION_HOURS;
    use crate::domain::{AuditEvent, EmailAddress, Language};
    use crate::ports::{MailKind, OutgoingMail, StorageError};

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let auth = require_signed_in(&context).await?;
    confirm_password(&context, &auth, &password, "password").await?;
    let new_email = EmailAddress::parse(&email).or_else(|invalid| fail(invalid.into()))?;
    let customer = context
        .store
        .customer(me.customer())
        .await
        .map_err(internal)?
        .ok_or_else(|| internal("the signed-in customer does not exist"))?;
    if customer.details.email == new_email {
        return fail(AppError::invalid("email", "This is already your address."));
    }
    let now = context.clock.now();
    let expires_at = now + chrono::Duration::hours(EMAIL_CONFIRMATION_HOURS);
    let (token, token_hash) = new_link_token();
    let link = format!("{}/email-confirmation/{token}", context.auth.public_origin);
    let language = customer.details.language;
    let (subject, body_text) = match language {
        Language::Fr => (
            "Confirmez votre nouvelle adresse électronique".to_owned(),
            format!(
                "Bonjour,\n\nPour que {new_email} devienne votre adresse auprès de nous (et votre adresse de connexion au portail), ouvrez ce lien dans les {EMAIL_CONFIRMATION_HOURS} heures :\n\n{link}\n\nSi vous n'avez rien demandé, ignorez ce message : rien ne change.\n"
            ),
        ),
        Language::En => (
            "Confirm your new email address".to_owned(),
            format!(
                "Hello,\n\nTo make {new_email} your address with us (and your sign-in address for the portal), open this link within {EMAIL_CONFIRMATION_HOURS} hours:\n\n{link}\n\nIf you did not ask for this, ignore this message: nothing changes.\n"
            ),
        ),
    };
    let mail = OutgoingMail {
        kind: MailKind::AccountSecurity,
        to: new_email.clone(),
        customer: Some(customer.id),
        language,
        subject,
        body_text,
    };
    // The log names no address: it is kept for as long as the log, which a corrected address should not be.
    let audit = audit_entry(
        now,
        AuditEvent::EmailChangeRequested,
        customer_actor(&me),
        me.customer(),
        None,
        crate::log_detail!("link sent to the new address"),
    );
    match context
        .store
        .request_email_change(
            me.customer(),
            &new_email,
            &token_hash,
            expires_at,
            &mail,
            &audit,
        )
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
    go_to("/account/data?done=email-link-sent");
    Ok(())
}
