use leptos::prelude::*;

use super::AppError;

/// A privacy officer records the answer given to a customer's request about their data, which closes it; the
/// customer sees the answer on their page, is told by mail that there is one (the mail carries a link, not the
/// answer: the portal is where their data is shown), and the log has the entry.
#[server(prefix = "/sf", endpoint = "answer-data-request")]
pub async fn answer_data_request(request: String, answer: String) -> Result<(), AppError> {
    use super::consent_flows::{audit_entry, staff_actor};
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;
    use crate::domain::my_data::request_text;
    use crate::domain::{AuditEvent, Language};
    use crate::ports::{CustomerId, MailKind, OutgoingMail};

    let context = app_context()?;
    let officer = require_role::<AsPrivacyOfficer>(&context).await?;
    let staff = officer.staff();
    let Ok(id) = request.trim().parse::<i64>() else {
        return fail(AppError::invalid("request", "There is no such request."));
    };
    let answer = request_text("answer", &answer).or_else(|invalid| fail(invalid.into()))?;
    let answered_already = || {
        fail(AppError::invalid(
            "request",
            "This request does not exist or was answered already.",
        ))
    };
    let Some(open) = context
        .store
        .open_data_request(id)
        .await
        .map_err(internal)?
    else {
        return answered_already();
    };
    let customer = context
        .store
        .customer(open.request.customer)
        .await
        .map_err(internal)?
        .ok_or_else(|| internal("a data request names no customer"))?;
    let link = format!("{}/account/data#requests", context.auth.public_origin);
    let text = match customer.details.language {
        Language::Fr => (
            "Réponse à votre demande concernant vos données".to_owned(),
            format!("Bonjour,\n\nNotre délégué à la protection des données a répondu à votre demande du {}. Vous trouverez la réponse dans le portail :\n\n{link}\n", open.request.filed_at.format("%d.%m.%Y")),
        ),
        Language::En => (
            "Your request about your data has been answered".to_owned(),
            format!("Hello,\n\nOur data protection officer has answered your request of {}. You will find the answer in the portal:\n\n{link}\n", open.request.filed_at.format("%Y-%m-%d")),
        ),
    };
    let notice = OutgoingMail::to_customer(MailKind::DataRequest, &customer, text);
    // The storage sets the entry's customer to the request's.
    let audit = audit_entry(
        context.clock.now(),
        AuditEvent::DataRequestAnswered,
        staff_actor(staff),
        CustomerId(0),
        None,
        String::new(),
    );
    match context
        .store
        .answer_data_request(id, &answer, staff.staff(), &notice, &audit)
        .await
        .map_err(internal)?
    {
        Some(_) => {}
        None => return answered_already(),
    }
    go_to("/privacy/data-requests?done=answered");
    Ok(())
}
