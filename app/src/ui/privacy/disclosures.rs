//! The court-order ledger: record a disclosure ordered by a Swiss court (authority, reference, date and scope all
//! required; an optional date before which the customer must not be told), and the list of every disclosure.

use leptos::prelude::*;

use super::log::PrivacyNav;
use crate::api::{list_disclosures, DisclosureView, RecordDisclosure};
use crate::i18n::*;
use crate::ui::consent_parts::{self as parts, returned_error, DoneNotice, Input, TextArea};
use crate::ui::forms::{form_error, ErrorSummary, ErrorText, Field};
use crate::ui::locale::{current_locale, day};
use crate::ui::title::PageTitle;

fn done_text(flag: &str) -> Option<&'static str> {
    match flag {
        "recorded" => Some(td_string!(
            current_locale(),
            privacy.disclosures.done_recorded
        )),
        _ => None,
    }
}

#[component]
pub fn DisclosuresPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let record = ServerAction::<RecordDisclosure>::new();
    let ledger = Resource::new(|| (), |_| list_disclosures());
    let error = form_error(record.value());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), privacy.disclosures.title)/>
        <h1>{t!(i18n, privacy.disclosures.title)}</h1>
        <PrivacyNav/>
        <p class="lead">{t!(i18n, privacy.disclosures.lead)}</p>
        <DoneNotice text=done_text/>
        <section aria-labelledby="record-heading">
            <h2 id="record-heading">{t!(i18n, privacy.disclosures.record_heading)}</h2>
            <ActionForm action=record attr:class="form" attr:id="disclosure-form">
                <ErrorSummary error/>
                <Field
                    name="customer_number"
                    label=td_string!(locale, privacy.disclosures.customer_number_label)
                    hint=td_string!(locale, privacy.disclosures.customer_number_hint)
                    error
                />
                <Input
                    name="authority"
                    label=td_string!(locale, privacy.disclosures.authority_label)
                    hint=td_string!(locale, privacy.disclosures.authority_hint)
                    error
                />
                <Input name="reference" label=td_string!(locale, privacy.disclosures.reference_label) error/>
                <Input name="ordered_on" label=td_string!(locale, privacy.disclosures.ordered_on_label) kind="date" error/>
                <TextArea
                    name="scope"
                    label=td_string!(locale, privacy.disclosures.scope_label)
                    hint=td_string!(locale, privacy.disclosures.scope_hint)
                    error
                />
                <Input
                    name="notify_after"
                    label=td_string!(locale, privacy.disclosures.notify_after_label)
                    kind="date"
                    required=false
                    hint=td_string!(locale, privacy.disclosures.notify_after_hint)
                    error
                />
                <button type="submit" class="button">{t!(i18n, privacy.disclosures.record_button)}</button>
            </ActionForm>
        </section>
        <section aria-labelledby="ledger-heading">
            <h2 id="ledger-heading">{t!(i18n, privacy.disclosures.ledger_heading)}</h2>
            <ErrorSummary error=returned_error()/>
            <Suspense fallback=move || view! { <p>{t!(i18n, privacy.loading)}</p> }>
                {move || {
                    ledger
                        .get()
                        .map(|result| match result {
                            Ok(list) if list.is_empty() => view! { <p class="muted" id="ledger">{t!(i18n, privacy.disclosures.none)}</p> }.into_any(),
                            Ok(list) => view! {
                                <ul class="cards" id="ledger">
                                    {list.into_iter().map(|disclosure| view! { <LedgerEntry disclosure/> }).collect_view()}
                                </ul>
                            }
                                .into_any(),
                            Err(error) => view! { <ErrorText error/> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn LedgerEntry(disclosure: DisclosureView) -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let visibility = match (disclosure.notify_after, disclosure.visible_to_customer) {
        (None, _) => td_string!(locale, privacy.disclosures.visible).to_owned(),
        (Some(date), true) => {
            let day = day(locale, date);
            td_string!(locale, privacy.disclosures.visible_since, day).to_string()
        }
        (Some(date), false) => {
            let day = day(locale, date);
            td_string!(locale, privacy.disclosures.hidden_until, day).to_string()
        }
    };
    let number =
        td_string!(locale, privacy.disclosures.entry_number, id = disclosure.id).to_string();
    let recorded = td_string!(
        locale,
        privacy.disclosures.recorded_by_at,
        by = parts::staff(&disclosure.recorded_by),
        at = parts::when(disclosure.recorded_at)
    )
    .to_string();
    view! {
        <li class="card" data-disclosure=disclosure.id.to_string()>
            <h3>
                {number} " — " {disclosure.customer.number.clone()} " "
                {disclosure.customer.name.clone()}
            </h3>
            <dl class="facts">
                <dt>{t!(i18n, privacy.disclosures.authority)}</dt>
                <dd>{disclosure.authority.clone()}</dd>
                <dt>{t!(i18n, privacy.disclosures.reference)}</dt>
                <dd>{disclosure.reference.clone()}</dd>
                <dt>{t!(i18n, privacy.disclosures.ordered_on)}</dt>
                <dd>{day(locale, disclosure.ordered_on)}</dd>
                <dt>{t!(i18n, privacy.disclosures.scope)}</dt>
                <dd class="scope">{disclosure.scope.clone()}</dd>
                <dt>{t!(i18n, privacy.disclosures.visibility)}</dt>
                <dd class="visibility">{visibility}</dd>
                <dt>{t!(i18n, privacy.disclosures.recorded_by)}</dt>
                <dd>{recorded}</dd>
            </dl>
        </li>
    }
}
