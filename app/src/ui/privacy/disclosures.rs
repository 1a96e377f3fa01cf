//! The court-order ledger: record a disclosure ordered by a Swiss court (authority, reference, date and scope all
//! required; an optional date before which the customer must not be told), and the list of every disclosure.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use super::log::PrivacyNav;
use crate::api::{list_disclosures, DisclosureView, RecordDisclosure};
use crate::ui::consent_parts::{self as parts, returned_error, DoneNotice, Input, TextArea};
use crate::ui::forms::{form_error, ErrorSummary, Field};

fn done_text(flag: &str) -> Option<&'static str> {
    match flag {
        "recorded" => Some("La communication est inscrite au registre et au journal du client."),
        _ => None,
    }
}

#[component]
pub fn DisclosuresPage() -> impl IntoView {
    let record = ServerAction::<RecordDisclosure>::new();
    let location = use_location();
    let ledger = Resource::new(
        move || (location.search.get(), record.version().get()),
        |_| list_disclosures(),
    );
    let error = form_error(record.value());
    view! {
        <Title text="Registre des décisions judiciaires"/>
        <h1>"Registre des décisions judiciaires"</h1>
        <PrivacyNav/>
        <p class="lead">
            "Les données d’un client ne sont communiquées que sur décision d’un tribunal suisse (charte §3). Chaque communication est inscrite ici et dans le journal du client, dès la date fixée par la décision si elle en impose une."
        </p>
        <DoneNotice text=done_text/>
        <section aria-labelledby="record-heading">
            <h2 id="record-heading">"Inscrire une communication"</h2>
            <ActionForm action=record attr:class="form" attr:id="disclosure-form">
                <ErrorSummary error/>
                <Field name="customer_number" label="Numéro de client" hint="Par exemple C-100001." error/>
                <Input name="authority" label="Autorité" hint="Le tribunal ou l’autorité qui a rendu la décision." error/>
                <Input name="reference" label="Référence de la décision" error/>
                <Input name="ordered_on" label="Date de la décision" kind="date" error/>
                <TextArea name="scope" label="Étendue" hint="Les données que la décision ordonne de communiquer." error/>
                <Input
                    name="notify_after"
                    label="Ne pas informer le client avant le (facultatif)"
                    kind="date"
                    required=false
                    hint="Seulement si la décision impose de différer l’information du client."
                    error
                />
                <button type="submit" class="button">"Inscrire"</button>
            </ActionForm>
        </section>
        <section aria-labelledby="ledger-heading">
            <h2 id="ledger-heading">"Communications inscrites"</h2>
            <ErrorSummary error=returned_error()/>
            <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    ledger
                        .get()
                        .map(|result| match result {
                            Ok(list) if list.is_empty() => view! { <p class="muted" id="ledger">"Aucune communication."</p> }.into_any(),
                            Ok(list) => view! {
                                <ul class="cards" id="ledger">
                                    {list.into_iter().map(|disclosure| view! { <LedgerEntry disclosure/> }).collect_view()}
                                </ul>
                            }
                                .into_any(),
                            Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn LedgerEntry(disclosure: DisclosureView) -> impl IntoView {
    let date = |day: chrono::NaiveDate| day.format("%d.%m.%Y").to_string();
    let visibility = match (disclosure.notify_after, disclosure.visible_to_customer) {
        (None, _) => "visible par le client".to_owned(),
        (Some(day), true) => format!("visible par le client depuis le {}", date(day)),
        (Some(day), false) => format!("cachée au client jusqu’au {}", date(day)),
    };
    view! {
        <li class="card" data-disclosure=disclosure.id.to_string()>
            <h3>
                "n° " {disclosure.id.to_string()} " — " {disclosure.customer.number.clone()} " "
                {disclosure.customer.name.clone()}
            </h3>
            <dl class="facts">
                <dt>"Autorité"</dt>
                <dd>{disclosure.authority.clone()}</dd>
                <dt>"Référence"</dt>
                <dd>{disclosure.reference.clone()}</dd>
                <dt>"Date de la décision"</dt>
                <dd>{date(disclosure.ordered_on)}</dd>
                <dt>"Étendue"</dt>
                <dd class="scope">{disclosure.scope.clone()}</dd>
                <dt>"Information du client"</dt>
                <dd class="visibility">{visibility}</dd>
                <dt>"Inscrite par"</dt>
                <dd>{parts::staff(&disclosure.recorded_by)} " le " {parts::when(disclosure.recorded_at)}</dd>
            </dl>
        </li>
    }
}
