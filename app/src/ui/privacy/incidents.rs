//! The privacy officer's communications: declaring an incident to the customers it concerns (by service or by
//! list), the incidents declared so far, and announcing a new service. Sending is the mail worker's: these forms
//! only record and queue.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_location};

use crate::api::{list_incidents, AnnounceNewService, DeclareIncident};
use crate::ui::consent_parts::{action_error, returned_error, when, Input, TextArea};
use crate::ui::forms::{form_error, query_flag, ErrorSummary};
use crate::ui::messages::service_name;

#[component]
fn CommunicationsNav() -> impl IntoView {
    view! {
        <nav aria-label="Communications" class="sub-nav">
            <A href="/privacy/incidents">"Incidents"</A>
            <A href="/privacy/announcements">"Annoncer un nouveau service"</A>
        </nav>
    }
}

/// "Sent to N customers" after a redirect, from the `done` and `customers` query flags.
#[component]
fn Queued(done: &'static str, text: &'static str) -> impl IntoView {
    let flag = query_flag("done");
    let customers = query_flag("customers");
    move || {
        (flag.get().as_deref() == Some(done)).then(|| {
            view! {
                <p class="notice" role="status" id="done-notice">
                    {text} " " <strong id="queued-count">{customers.get().unwrap_or_default()}</strong> " client(s)."
                </p>
            }
        })
    }
}

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let declare = ServerAction::<DeclareIncident>::new();
    let location = use_location();
    let incidents = Resource::new(
        move || (location.search.get(), declare.version().get()),
        |_| list_incidents(),
    );
    let error = form_error(declare.value());
    view! {
        <Title text="Incidents"/>
        <h1>"Incidents"</h1>
        <CommunicationsNav/>
        <Queued done="declared" text="Incident déclaré ; avis mis en file d’envoi pour"/>
        <ErrorSummary error=returned_error()/>
        <section aria-labelledby="declare-heading">
            <h2 id="declare-heading">"Déclarer un incident"</h2>
            <ActionForm action=declare attr:class="form" attr:id="declare-incident-form">
                <ErrorSummary error=action_error(declare.value())/>
                <Input name="title" label="Titre" hint="Une ligne ; c’est l’objet du courriel." error=error/>
                <TextArea name="what_happened" label="Ce qui s’est passé" error=error/>
                <TextArea name="what_it_means" label="Ce que cela signifie pour le client" error=error/>
                <fieldset class="field choices">
                    <legend>"Services touchés"</legend>
                    <label class="choice"><input type="checkbox" name="web_space" value="on"/> " Hébergement web"</label>
                    <label class="choice"><input type="checkbox" name="backup_space" value="on"/> " Espace de backup"</label>
                    <label class="choice"><input type="checkbox" name="mailbox" value="on"/> " Boîtes mail"</label>
                </fieldset>
                <fieldset class="field choices">
                    <legend>"Clients concernés"</legend>
                    <label class="choice">
                        <input type="radio" name="audience" value="services" checked=true/>
                        " Tous les clients ayant un des services touchés"
                    </label>
                    <label class="choice"><input type="radio" name="audience" value="list"/> " Seulement les clients suivants"</label>
                </fieldset>
                <Input
                    name="customer_numbers"
                    label="Numéros de client"
                    required=false
                    hint="Séparés par des espaces, des virgules ou des retours à la ligne, par exemple C-100001 C-100003."
                    error=error
                />
                <button type="submit" class="button">"Déclarer et informer les clients"</button>
            </ActionForm>
        </section>
        <section aria-labelledby="incidents-heading">
            <h2 id="incidents-heading">"Incidents déclarés"</h2>
            <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    incidents
                        .get()
                        .map(|result| match result {
                            Ok(list) if list.is_empty() => {
                                view! { <p class="muted" id="incidents">"Aucun incident déclaré."</p> }.into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <ul class="cards" id="incidents">
                                        {list
                                            .into_iter()
                                            .map(|incident| {
                                                let services = incident
                                                    .services
                                                    .iter()
                                                    .map(|kind| service_name(kind))
                                                    .collect::<Vec<_>>()
                                                    .join(", ");
                                                view! {
                                                    <li class="card" data-incident=incident.id.to_string()>
                                                        <h3>{incident.title}</h3>
                                                        <p class="muted">
                                                            {when(incident.declared_at)} " · " {services} " · "
                                                            {incident.customers} " client(s)"
                                                        </p>
                                                        <p class="prewrap">{incident.what_happened}</p>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
pub fn AnnouncementsPage() -> impl IntoView {
    let announce = ServerAction::<AnnounceNewService>::new();
    let error = form_error(announce.value());
    view! {
        <Title text="Annoncer un nouveau service"/>
        <h1>"Annoncer un nouveau service"</h1>
        <CommunicationsNav/>
        <Queued done="announced" text="Annonce mise en file d’envoi pour"/>
        <ErrorSummary error=returned_error()/>
        <p class="lead">
            "L’annonce part à chaque client qui ne l’a pas désactivée dans ses messages ; elle y reste consultable."
        </p>
        <ActionForm action=announce attr:class="form" attr:id="announce-form">
            <ErrorSummary error=action_error(announce.value())/>
            <Input name="title" label="Nom du service" hint="Une ligne ; il figure dans l’objet du courriel." error=error/>
            <TextArea name="description" label="Description" error=error/>
            <button type="submit" class="button">"Annoncer"</button>
        </ActionForm>
    }
}
