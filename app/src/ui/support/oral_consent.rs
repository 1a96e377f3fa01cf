//! Recording consent a customer gave on the phone, after identifying them and reading the scope back.

use leptos::prelude::*;

use super::SupportNav;
use crate::api::RecordOralConsent;
use crate::i18n::*;
use crate::ui::consent_parts::{ActionChoices, Input, TextArea};
use crate::ui::forms::{form_error, query_flag, ErrorSummary};
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

#[component]
pub fn OralConsentPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let record = ServerAction::<RecordOralConsent>::new();
    let error = form_error(record.value());
    let customer = query_flag("customer").get_untracked();
    let case = query_flag("case").get_untracked();
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), staff.oral_consent.title)/>
        <h1>{t!(i18n, staff.oral_consent.title)}</h1>
        <SupportNav/>
        <p>{t!(i18n, staff.oral_consent.lead)}</p>
        <ActionForm action=record attr:class="form" attr:id="oral-consent-form">
            <ErrorSummary error/>
            <Input
                name="customer_number"
                label=td_string!(locale, staff.fields.customer_number)
                value=customer
                error
            />
            <Input
                name="resource"
                label=td_string!(locale, staff.fields.resource)
                value=None
                hint=td_string!(locale, staff.oral_consent.resource_hint)
                error
            />
            <ActionChoices error/>
            <Input
                name="case"
                label=td_string!(locale, staff.fields.case)
                kind="number"
                required=false
                value=case
                min=Some(1)
                hint=td_string!(locale, staff.oral_consent.case_hint)
                error
            />
            <Input
                name="duration_minutes"
                label=td_string!(locale, staff.oral_consent.duration)
                kind="number"
                value=Some("60".to_owned())
                min=Some(1)
                max=Some(43_200)
                error
            />
            <TextArea
                name="identification"
                label=td_string!(locale, staff.oral_consent.identification)
                hint=td_string!(locale, staff.oral_consent.identification_hint)
                error
            />
            <Input name="call_reference" label=td_string!(locale, staff.oral_consent.call_reference) error/>
            <TextArea name="scope_read_back" label=td_string!(locale, staff.oral_consent.scope_read_back) error/>
            <button type="submit" class="button">{t!(i18n, staff.oral_consent.record)}</button>
        </ActionForm>
    }
}
