use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

/// The oral-consent form's fields, as named in the page; each action is a checkbox, present only when ticked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OralConsentForm {
    pub customer_number: String,
    pub resource: String,
    pub action_list: Option<String>,
    pub action_read: Option<String>,
    pub action_write: Option<String>,
    pub action_restore: Option<String>,
    pub case: Option<String>,
    pub duration_minutes: String,
    pub identification: String,
    pub call_reference: String,
    pub scope_read_back: String,
}

/// Support or a system administrator records consent the customer gave on the phone: how the caller was
/// identified, the call's reference and the scope as it was read back. The customer gets a receipt by mail with a
/// link that revokes it in one click.
#[server(prefix = "/sf", endpoint = "record-oral-consent")]
pub async fn record_oral_consent(#[server(flatten)] form: OralConsentForm) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::domain::consent::{
        CallReference, CallerIdentification, ConsentDraft, GrantError, GrantId, GrantTerms,
        OralConsent, ScopeReadBack,
    };
    use crate::domain::AuditEvent;

    let OralConsentForm {
        customer_number,
        resource,
        action_list,
        action_read,
        action_write,
        action_restore,
        case,
        duration_minutes,
        identification,
        call_reference,
        scope_read_back,
    } = form;
    let context = app_context()?;
    let staff = require_operational(&context).await?;
    let customer = customer_by_number(&context, &customer_number).await?;
    let resource = resource_of(&context, customer.id, &resource).await?;
    let actions = ticked_actions([action_list, action_read, action_write, action_restore])?;
    let case = open_case_of(&context, customer.id, case).await?;
    let duration = minutes("duration_minutes", &duration_minutes)?;
    let oral = OralConsent {
        identification: parsed(
            "identification",
            CallerIdentification::parse(&identification),
        )?,
        call_reference: parsed("call_reference", CallReference::parse(&call_reference))?,
        scope_read_back: parsed("scope_read_back", ScopeReadBack::parse(&scope_read_back))?,
    };
    let now = context.clock.now();
    let draft = ConsentDraft {
        resource: resource.clone(),
        case,
        actions,
        duration,
    };
    let terms = match GrantTerms::oral(staff.staff(), staff.roles(), draft, oral.clone(), now) {
        Ok(terms) => terms,
        Err(GrantError::RecorderNotEntitled) => {
            return forbid(&context, Some(staff.account()), "recorder not entitled").await
        }
        Err(GrantError::Scope(error)) => return fail(scope_error(error)),
        Err(error @ GrantError::AlreadyEnded(_)) => return Err(internal(error)),
    };
    let audit = audit_entry(
        now,
        AuditEvent::GrantRecordedOrally,
        staff_actor(&staff),
        customer.id,
        Some(resource.clone()),
        crate::log_detail!(
            "call {call}: {actions} for {minutes} min",
            call = oral.call_reference,
            minutes = duration.get().num_minutes()
        ),
    );
    let recorder = context
        .store
        .staff_member(staff.staff())
        .await
        .map_err(internal)?
        .map(|member| member.display_name)
        .unwrap_or_default();
    let origin = &context.auth.public_origin;
    let until = terms.limit().format("%d.%m.%Y %H:%M UTC");
    let call = &oral.call_reference;
    let read_back = &oral.scope_read_back;
    // The revoke link names the grant, whose id the storage assigns inside the transaction that queues the receipt.
    let receipt = |id: GrantId| {
        let revoke = format!("{origin}/account/consents/grants/{id}/revoke");
        mail_to(
            &customer,
            (
                "Reçu : votre accord donné par téléphone".to_owned(),
                format!(
                    "Bonjour,\n\nLors de l’appel {call}, vous avez donné votre accord à {recorder}, et à personne d’autre, pour accéder à {resource} ({actions}) jusqu’au {until} au plus tard.\nCe qui vous a été relu : {read_back}\n\nPour retirer cet accord en un clic :\n{revoke}\n\nTous vos accords : {origin}/account/consents\n"
                ),
            ),
            (
                "Receipt: the consent you gave on the phone".to_owned(),
                format!(
                    "Hello,\n\nDuring call {call} you allowed {recorder}, and no one else, to access {resource} ({actions}) until {until} at the latest.\nWhat was read back to you: {read_back}\n\nTo revoke this consent in one click:\n{revoke}\n\nAll your consents: {origin}/account/consents\n"
                ),
            ),
        )
    };
    let id = context
        .store
        .create_grant(
            customer.id,
            &terms,
            Some(staff.staff()),
            Some(&receipt),
            &audit,
        )
        .await
        .map_err(internal)?;
    go_to(&format!("/staff/consents?done=recorded&grant={id}"));
    Ok(())
}
