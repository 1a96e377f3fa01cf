use leptos::prelude::*;

use super::AppError;

/// The customer corrects the fields that are theirs to change: phone, mobile, postal address, language. Each is
/// checked (phones in E.164 against the numbering plans, Swiss when no country code is given); the first wrong one
/// is shown next to its field and nothing is written. Only the fields that differ are written, with one audit entry.
#[server(prefix = "/sf", endpoint = "correct-my-data")]
#[allow(clippy::too_many_arguments)]
pub async fn correct_my_data(
    phone: Option<String>,
    mobile: Option<String>,
    street: String,
    postcode: String,
    city: String,
    country: String,
    language: String,
) -> Result<(), AppError> {
    use super::consent_flows::{audit_entry, customer_actor, given};
    use super::context::*;
    use crate::domain::my_data::{checked_phone, PostalAddress};
    use crate::domain::{AuditEvent, Language};
    use crate::ports::Correction;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let phone = match given(phone) {
        Some(raw) => Some(checked_phone("phone", &raw).or_else(|invalid| fail(invalid.into()))?),
        None => None,
    };
    let mobile = match given(mobile) {
        Some(raw) => Some(checked_phone("mobile", &raw).or_else(|invalid| fail(invalid.into()))?),
        None => None,
    };
    let address = PostalAddress::parse(&street, &postcode, &city, &country)
        .or_else(|invalid| fail(invalid.into()))?;
    let language = Language::parse(&language).or_else(|invalid| fail(invalid.into()))?;
    let correction = Correction {
        phone,
        mobile,
        address,
        language,
    };
    let audit = audit_entry(
        context.clock.now(),
        AuditEvent::PersonalDataCorrected,
        customer_actor(&me),
        me.customer(),
        None,
        String::new(),
    );
    let changed = context
        .store
        .correct_personal_data(me.customer(), &correction, &audit)
        .await
        .map_err(internal)?;
    // A new language of record is also this browser's from now on; an unchanged one leaves the browser's choice alone.
    if changed.contains(&crate::domain::my_data::PersonalField::Language) {
        super::set_language::remember_language(&context, language);
    }
    go_to(if changed.is_empty() {
        "/account/data?done=unchanged"
    } else {
        "/account/data?done=corrected"
    });
    Ok(())
}
