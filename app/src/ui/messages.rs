//! The customer's messages (charter §3): the incidents that concern them, every message the portal ever sent or
//! will send them with its kind and state, and the one communication they may turn off.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::api::{list_my_messages, IncidentView, MessageView, SetMailPreferences};
use crate::ui::consent_parts::{action_error, returned_error, when, DoneNotice};
use crate::ui::forms::{ErrorSummary, ErrorText};

pub fn kind_name(kind: &str) -> &'static str {
    match kind {
        "incident" => "Incident",
        "new-service" => "Nouveau service",
        "terms-change" => "Changement de la charte",
        "consent" => "Consentement",
        "account-security" => "Sécurité du compte",
        _ => "Autre",
    }
}

fn status_name(status: &str) -> &'static str {
    match status {
        "sent" => "envoyé",
        "queued" => "en cours d’envoi",
        "dead" => "non distribuable",
        _ => "inconnu",
    }
}

pub fn service_name(kind: &str) -> &'static str {
    match kind {
        "web-space" => "hébergement web",
        "backup-space" => "espace de backup",
        "mailbox" => "boîtes mail",
        _ => "autre service",
    }
}

fn done_text(flag: &str) -> Option<&'static str> {
    (flag == "preferences").then_some("Vos préférences sont enregistrées.")
}

#[component]
pub fn MessagesPage() -> impl IntoView {
    let save = ServerAction::<SetMailPreferences>::new();
    let location = use_location();
    let mine = Resource::new(
        move || (location.search.get(), save.version().get()),
        |_| list_my_messages(),
    );
    view! {
        <Title text="Mes messages"/>
        <h1>"Mes messages"</h1>
        <p class="lead">
            "Nous ne vous écrivons qu’au sujet d’incidents qui vous concernent, de nouveaux services et de changements de notre charte, "
            "ainsi que pour vos demandes de consentement et la sécurité de votre compte. Voici chaque message que nous vous avons adressé."
        </p>
        <DoneNotice text=done_text/>
        <ErrorSummary error=returned_error()/>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || {
                mine.get()
                    .map(|result| match result {
                        Ok(mine) => {
                            view! {
                                <Incidents incidents=mine.incidents/>
                                <section aria-labelledby="preferences-heading">
                                    <h2 id="preferences-heading">"Ce que vous recevez"</h2>
                                    <ActionForm action=save attr:class="form" attr:id="preferences-form">
                                        <ErrorSummary error=action_error(save.value())/>
                                        <div class="field checkbox">
                                            <input
                                                type="checkbox"
                                                id="field-new_service"
                                                name="new_service"
                                                value="on"
                                                checked=mine.new_service_announcements
                                            />
                                            <label for="field-new_service">"Annonces de nouveaux services"</label>
                                        </div>
                                        <p class="hint">
                                            "Les avis d’incident et de changement de la charte vous sont toujours envoyés : ils ne peuvent pas être désactivés."
                                        </p>
                                        <button type="submit" class="button">"Enregistrer"</button>
                                    </ActionForm>
                                </section>
                                <Ledger messages=mine.messages/>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// The incidents that concern the customer, as a notice at the top of their messages and their account page.
#[component]
pub fn Incidents(incidents: Vec<IncidentView>) -> impl IntoView {
    (!incidents.is_empty()).then(|| {
        view! {
            <section class="incident-notices" aria-labelledby="incidents-heading" id="my-incidents">
                <h2 id="incidents-heading">"Incidents qui vous concernent"</h2>
                {incidents
                    .into_iter()
                    .map(|incident| {
                        let services = incident
                            .services
                            .iter()
                            .map(|kind| service_name(kind))
                            .collect::<Vec<_>>()
                            .join(", ");
                        view! {
                            <article class="card incident" data-incident=incident.id.to_string()>
                                <h3>{incident.title}</h3>
                                <p class="muted">"Déclaré le " {when(incident.declared_at)} " · " {services}</p>
                                <h4>"Ce qui s’est passé"</h4>
                                <p class="prewrap">{incident.what_happened}</p>
                                <h4>"Ce que cela signifie pour vous"</h4>
                                <p class="prewrap">{incident.what_it_means}</p>
                            </article>
                        }
                    })
                    .collect_view()}
            </section>
        }
    })
}

#[component]
fn Ledger(messages: Vec<MessageView>) -> impl IntoView {
    view! {
        <section aria-labelledby="ledger-heading">
            <h2 id="ledger-heading">"Tous les messages"</h2>
            {if messages.is_empty() {
                view! { <p class="muted" id="messages-ledger">"Aucun message pour l’instant."</p> }.into_any()
            } else {
                view! {
                    <ul class="cards" id="messages-ledger">
                        {messages
                            .into_iter()
                            .map(|message| {
                                let sent = message
                                    .sent_at
                                    .map(|at| format!(" · envoyé le {}", when(at)))
                                    .unwrap_or_default();
                                view! {
                                    <li class="card message" data-kind=message.kind.clone() data-status=message.status.clone()>
                                        <p class="muted">
                                            <span class="badge">{kind_name(&message.kind)}</span>
                                            " " {when(message.created_at)} " · " {status_name(&message.status)} {sent}
                                        </p>
                                        <h3>{message.subject}</h3>
                                        {message
                                            .body
                                            .map(|body| {
                                                view! {
                                                    <details>
                                                        <summary>"Lire le message"</summary>
                                                        <p class="prewrap">{body}</p>
                                                    </details>
                                                }
                                            })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

/// On the customer's account page: the incidents that concern them, and the way to all their messages.
#[component]
pub fn IncidentsNotice() -> impl IntoView {
    let mine = Resource::new(|| (), |_| list_my_messages());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                mine.get()
                    .and_then(Result::ok)
                    .map(|mine| view! { <Incidents incidents=mine.incidents/> })
            }}
        </Suspense>
    }
}
