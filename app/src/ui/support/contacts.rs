//! Identifying a caller: support looks up a customer's contact data by customer number or email, saying why.
//! The form is a plain GET, so the page works without JavaScript; each page that shows a card is one lookup,
//! recorded in the customer's access log.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use super::SupportNav;
use crate::api::{look_up_contact, ContactCard};
use crate::ui::forms::{ErrorSummary, Field, ShownError};

#[component]
pub fn ContactsPage() -> impl IntoView {
    let query = use_query_map();
    let asked = move || {
        query.with(|query| {
            (
                query.get("query").unwrap_or_default(),
                query.get("reason").unwrap_or_default(),
            )
        })
    };
    let card = Resource::new(asked, |(query, reason)| look_up_contact(query, reason));
    let error = Signal::derive(move || match card.get() {
        Some(Err(error)) => Some(ShownError {
            field: error.field().map(str::to_owned),
            message: error.to_string(),
        }),
        _ => None,
    });
    view! {
        <Title text="Identifier un appelant"/>
        <h1>"Identifier un appelant"</h1>
        <SupportNav/>
        <p class="lead">
            "Chaque consultation est inscrite dans le journal du client, avec le motif que vous donnez."
        </p>
        // The error is read from the resource: outside a transition, server rendering would not wait for it.
        <Transition fallback=|| ()>
        <Form method="GET" action="/staff/contacts" attr:class="stacked" attr:id="contact-lookup">
            <ErrorSummary error=error/>
            <Field
                name="query"
                label="Numéro de client ou adresse e-mail"
                value=asked().0
                error=error
            />
            <Field
                name="reason"
                label="Motif (appel ou ticket)"
                hint="Par exemple : appel entrant, ticket T-2026-1187."
                value=asked().1
                error=error
            />
            <button type="submit">"Consulter"</button>
        </Form>
            {move || card.get().and_then(Result::ok).flatten().map(|card| view! { <Card card/> })}
        </Transition>
    }
}

#[component]
fn Card(card: ContactCard) -> impl IntoView {
    let row = |label: &'static str, value: Option<String>| {
        value.map(|value| view! { <dt>{label}</dt><dd>{value}</dd> })
    };
    view! {
        <section class="card" id="contact-card" aria-labelledby="contact-card-title">
            <h2 id="contact-card-title">{card.name.clone()}</h2>
            <dl>
                {row("Numéro de client", Some(card.customer_number))}
                {row("Entreprise", card.company)}
                {row("E-mail", Some(card.email))}
                {row("Téléphone", card.phone)}
                {row("Mobile", card.mobile)}
                {row("Localité", Some(card.city))}
                {row("Langue", Some(card.language))}
            </dl>
        </section>
    }
}
