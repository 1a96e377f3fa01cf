//! Identifying a caller: support looks up a customer's contact data by customer number or email, saying why.
//! The form is a plain GET, so the page works without JavaScript; each page that shows a card is one lookup,
//! recorded in the customer's access log.

use leptos::prelude::*;
use leptos_router::{
    components::{Form, A},
    hooks::use_query_map,
};

use super::SupportNav;
use crate::api::{look_up_contact, ContactCard, InviteCustomer};
use crate::i18n::*;
use crate::ui::forms::{form_error, query_flag, ErrorSummary, Field, Outcome, ShownError};
use crate::ui::locale::{current_locale, error_message};
use crate::ui::title::PageTitle;

#[component]
pub fn ContactsPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let query = use_query_map();
    let asked = move || {
        query.with(|query| {
            (
                query.get("query").unwrap_or_default(),
                query.get("reason").unwrap_or_default(),
            )
        })
    };
    let asked_now = asked();
    let shown = asked_now.clone();
    let invited = query_flag("invited");
    let card = Resource::new(
        move || asked_now.clone(),
        |(query, reason)| look_up_contact(query, reason),
    );
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), staff.contacts.title)/>
        <h1>{t!(i18n, staff.contacts.title)}</h1>
        <SupportNav/>
        <p class="lead">{t!(i18n, staff.contacts.lead)}</p>
        <Show when=move || invited.get().is_some()>
            <Outcome id=Some("invited")>{t!(i18n, staff.contacts.invited)}</Outcome>
        </Show>
        // The answer is awaited, not read as a signal: see the supervision page.
        <Transition fallback=|| ()>
            {move || {
                let (query, reason) = shown.clone();
                Suspend::new(async move {
                let card = card.await;
                let error = Signal::stored(match &card {
                    Err(error) => Some(ShownError {
                        field: error.field().map(str::to_owned),
                        message: error_message(i18n.get_locale_untracked(), error),
                    }),
                    Ok(_) => None,
                });
                view! {
                    <Form method="GET" action="/staff/contacts" attr:class="stacked" attr:id="contact-lookup">
                        <ErrorSummary error=error/>
                        <Field
                            name="query"
                            label=td_string!(locale, staff.fields.customer_or_email)
                            value=query
                            error=error
                        />
                        <Field
                            name="reason"
                            label=td_string!(locale, staff.contacts.reason)
                            hint=td_string!(locale, staff.contacts.reason_hint)
                            value=reason
                            error=error
                        />
                        <button type="submit">{t!(i18n, staff.contacts.look_up)}</button>
                    </Form>
                    {card.ok().flatten().map(|card| view! { <Card card/> })}
                }
            })
            }}
        </Transition>
    }
}

#[component]
fn Card(card: ContactCard) -> impl IntoView {
    let locale = current_locale();
    let invite = ServerAction::<InviteCustomer>::new();
    let invite_error = form_error(invite.value());
    let number = card.customer_number.clone();
    let consents = format!("/staff/customers/{}", card.customer_number);
    let row = |label: &'static str, value: Option<String>| {
        value.map(|value| view! { <dt>{label}</dt><dd>{value}</dd> })
    };
    view! {
        <section class="card" id="contact-card" aria-labelledby="contact-card-title">
            <h2 id="contact-card-title">{card.name.clone()}</h2>
            <dl>
                {row(td_string!(locale, staff.fields.customer_number), Some(card.customer_number))}
                {row(td_string!(locale, staff.contacts.company), card.company)}
                {row(td_string!(locale, staff.contacts.email), Some(card.email))}
                {row(td_string!(locale, staff.contacts.phone), card.phone)}
                {row(td_string!(locale, staff.contacts.mobile), card.mobile)}
                {row(td_string!(locale, staff.contacts.city), Some(card.city))}
                {row(
                    td_string!(locale, staff.contacts.language),
                    Some(crate::ui::my_data::language_name(locale, &card.language).to_owned()),
                )}
            </dl>
            <p><A href=consents attr:id="customer-consents">{td_string!(locale, staff.cases.customer_consents)}</A></p>
            // Sent to the address of record above, never to one the caller gives: a caller is not yet a login.
            <ActionForm action=invite attr:class="inline-form" attr:id="invite-form">
                <ErrorSummary error=invite_error/>
                <input type="hidden" name="customer_number" value=number/>
                <button type="submit" class="button secondary">{td_string!(locale, staff.contacts.invite)}</button>
            </ActionForm>
        </section>
    }
}
