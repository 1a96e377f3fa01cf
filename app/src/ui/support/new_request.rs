//! Asking a customer for consent. Reached from a support case with the customer and the case filled in.

use leptos::prelude::*;

use super::SupportNav;
use crate::api::RequestConsent;
use crate::i18n::*;
use crate::ui::consent_parts::{reason_options, ActionChoices, Choice, Input, TextArea};
use crate::ui::forms::{form_error, query_flag, ErrorSummary};
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let request = ServerAction::<RequestConsent>::new();
    let error = form_error(request.value());
    let customer = query_flag("customer").get_untracked();
    let case = query_flag("case").get_untracked();
    let resource = query_flag("resource").get_untracked();
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), staff.new_request.title)/>
        <h1>{t!(i18n, staff.new_request.title)}</h1>
        <SupportNav/>
        <p>{t!(i18n, staff.new_request.lead)}</p>
        <ActionForm action=request attr:class="form" attr:id="request-form">
            <ErrorSummary error/>
            <Input
                name="customer_number"
                label=td_string!(locale, staff.fields.customer_number)
                value=customer
                hint=td_string!(locale, staff.fields.customer_number_hint)
                error
            />
            <Input
                name="resource"
                label=td_string!(locale, staff.fields.resource)
                value=resource
                hint=td_string!(locale, staff.new_request.resource_hint)
                error
            />
            <ActionChoices error/>
            <Choice
                name="reason_code"
                label=td_string!(locale, staff.new_request.reason)
                options=reason_options()
                error
            />
            <TextArea name="reason_text" label=td_string!(locale, staff.new_request.reason_text) error/>
            <Input
                name="case"
                label=td_string!(locale, staff.fields.case)
                kind="number"
                required=false
                value=case
                min=Some(1)
                hint=td_string!(locale, staff.new_request.case_hint)
                error
            />
            <Input
                name="duration_minutes"
                label=td_string!(locale, staff.new_request.duration)
                kind="number"
                value=Some("120".to_owned())
                min=Some(1)
                max=Some(43_200)
                error
            />
            <button type="submit" class="button">{t!(i18n, staff.new_request.send)}</button>
        </ActionForm>
    }
}
