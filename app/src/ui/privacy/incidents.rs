//! The privacy officer's communications: declaring an incident to the customers it concerns (by service or by
//! list), the incidents declared so far, and announcing a new service. Sending is the mail worker's: these forms
//! only record and queue.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{list_incidents, AnnounceNewService, DeclareIncident};
use crate::i18n::*;
use crate::ui::consent_parts::{action_error, returned_error, when, Input, TextArea};
use crate::ui::forms::{form_error, query_flag, ErrorSummary, ErrorText, Outcome};
use crate::ui::locale::{count, current_locale};
use crate::ui::messages::service_name;
use crate::ui::title::PageTitle;

#[component]
fn CommunicationsNav() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav aria-label=move || t_string!(i18n, privacy.communications.label) class="sub-nav">
            <A href="/privacy/incidents">{t!(i18n, privacy.communications.incidents)}</A>
            <A href="/privacy/announcements">{t!(i18n, privacy.communications.announce)}</A>
        </nav>
    }
}

/// Which notice a redirect reports as queued: each has its own sentence.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sent {
    Incident,
    Announcement,
}

/// "Sent to N customers" after a redirect, from the `done` and `customers` query flags.
#[component]
fn Queued(done: &'static str, sent: Sent) -> impl IntoView {
    let i18n = use_i18n();
    let flag = query_flag("done");
    let customers = query_flag("customers");
    let customers = move || customers.get().unwrap_or_default();
    move || {
        (flag.get().as_deref() == Some(done)).then(|| {
            let text = match sent {
                Sent::Incident => t!(
                    i18n,
                    privacy.incidents.done_declared,
                    <count> = <strong id="queued-count"/>,
                    customers
                )
                .into_any(),
                Sent::Announcement => t!(
                    i18n,
                    privacy.announcements.done_announced,
                    <count> = <strong id="queued-count"/>,
                    customers
                )
                .into_any(),
            };
            view! { <Outcome id=Some("done-notice")>{text}</Outcome> }
        })
    }
}

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let declare = ServerAction::<DeclareIncident>::new();
    let incidents = Resource::new(|| (), |_| list_incidents());
    let error = form_error(declare.value());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), privacy.incidents.title)/>
        <h1>{t!(i18n, privacy.incidents.title)}</h1>
        <CommunicationsNav/>
        <Queued done="declared" sent=Sent::Incident/>
        <ErrorSummary error=returned_error()/>
        <section aria-labelledby="declare-heading">
            <h2 id="declare-heading">{t!(i18n, privacy.incidents.declare_heading)}</h2>
            <ActionForm action=declare attr:class="form" attr:id="declare-incident-form">
                <ErrorSummary error=action_error(declare.value())/>
                <Input
                    name="title"
                    label=td_string!(locale, privacy.incidents.title_label)
                    hint=td_string!(locale, privacy.incidents.title_hint)
                    error=error
                />
                <TextArea name="what_happened" label=td_string!(locale, privacy.incidents.what_happened_label) error=error/>
                <TextArea name="what_it_means" label=td_string!(locale, privacy.incidents.what_it_means_label) error=error/>
                <fieldset class="field choices">
                    <legend>{t!(i18n, privacy.incidents.services_legend)}</legend>
                    <label class="choice">
                        <input type="checkbox" name="web_space" value="on"/> " " {t!(i18n, privacy.incidents.web_space)}
                    </label>
                    <label class="choice">
                        <input type="checkbox" name="backup_space" value="on"/> " " {t!(i18n, privacy.incidents.backup_space)}
                    </label>
                    <label class="choice">
                        <input type="checkbox" name="mailbox" value="on"/> " " {t!(i18n, privacy.incidents.mailbox)}
                    </label>
                </fieldset>
                <fieldset class="field choices">
                    <legend>{t!(i18n, privacy.incidents.audience_legend)}</legend>
                    <label class="choice">
                        <input type="radio" name="audience" value="services" checked=true/>
                        " " {t!(i18n, privacy.incidents.audience_services)}
                    </label>
                    <label class="choice">
                        <input type="radio" name="audience" value="list"/> " " {t!(i18n, privacy.incidents.audience_list)}
                    </label>
                </fieldset>
                <Input
                    name="customer_numbers"
                    label=td_string!(locale, privacy.incidents.customer_numbers_label)
                    required=false
                    hint=td_string!(locale, privacy.incidents.customer_numbers_hint)
                    error=error
                />
                <button type="submit" class="button">{t!(i18n, privacy.incidents.declare_button)}</button>
            </ActionForm>
        </section>
        <section aria-labelledby="incidents-heading">
            <h2 id="incidents-heading">{t!(i18n, privacy.incidents.list_heading)}</h2>
            <Suspense fallback=move || view! { <p>{t!(i18n, privacy.loading)}</p> }>
                {move || {
                    incidents
                        .get()
                        .map(|result| match result {
                            Ok(list) if list.is_empty() => {
                                view! { <p class="muted" id="incidents">{t!(i18n, privacy.incidents.none)}</p> }.into_any()
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
                                                let customers = count(locale, incident.customers);
                                                view! {
                                                    <li class="card" data-incident=incident.id.to_string()>
                                                        <h3>{incident.title}</h3>
                                                        <p class="muted">
                                                            {when(incident.declared_at)} " · " {services} " · "
                                                            {t!(i18n, privacy.incidents.customers, customers)}
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
                            Err(error) => view! { <ErrorText error/> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
pub fn AnnouncementsPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let announce = ServerAction::<AnnounceNewService>::new();
    let error = form_error(announce.value());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), privacy.announcements.title)/>
        <h1>{t!(i18n, privacy.announcements.title)}</h1>
        <CommunicationsNav/>
        <Queued done="announced" sent=Sent::Announcement/>
        <ErrorSummary error=returned_error()/>
        <p class="lead">{t!(i18n, privacy.announcements.lead)}</p>
        <ActionForm action=announce attr:class="form" attr:id="announce-form">
            <ErrorSummary error=action_error(announce.value())/>
            <Input
                name="title"
                label=td_string!(locale, privacy.announcements.name_label)
                hint=td_string!(locale, privacy.announcements.name_hint)
                error=error
            />
            <TextArea name="description" label=td_string!(locale, privacy.announcements.description_label) error=error/>
            <button type="submit" class="button">{t!(i18n, privacy.announcements.announce_button)}</button>
        </ActionForm>
    }
}
