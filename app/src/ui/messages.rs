//! The customer's messages (charter §3): the incidents that concern them, every message the portal ever sent or
//! will send them with its kind and state, and the one communication they may turn off.

use leptos::prelude::*;

use crate::api::{
    list_my_messages, AppError, Glance, IncidentView, MessageView, SetMailPreferences,
};
use crate::i18n::*;
use crate::ui::consent_parts::{action_error, returned_error, when, DoneNotice};
use crate::ui::forms::{ErrorSummary, ErrorText};
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

pub fn kind_name(kind: &str) -> &'static str {
    let locale = current_locale();
    match kind {
        "incident" => td_string!(locale, log.messages.kind.incident),
        "new-service" => td_string!(locale, log.messages.kind.new_service),
        "terms-change" => td_string!(locale, log.messages.kind.terms_change),
        "consent" => td_string!(locale, log.messages.kind.consent),
        "account-security" => td_string!(locale, log.messages.kind.account_security),
        "data-request" => td_string!(locale, log.messages.kind.data_request),
        _ => td_string!(locale, log.messages.kind.other),
    }
}

fn status_name(status: &str) -> &'static str {
    let locale = current_locale();
    match status {
        "sent" => td_string!(locale, log.messages.status.sent),
        "queued" => td_string!(locale, log.messages.status.queued),
        "dead" => td_string!(locale, log.messages.status.dead),
        _ => td_string!(locale, log.messages.status.unknown),
    }
}

pub fn service_name(kind: &str) -> &'static str {
    let locale = current_locale();
    match kind {
        "web-space" => td_string!(locale, log.messages.service.web_space),
        "backup-space" => td_string!(locale, log.messages.service.backup_space),
        "mailbox" => td_string!(locale, log.messages.service.mailbox),
        _ => td_string!(locale, log.messages.service.other),
    }
}

fn done_text(flag: &str) -> Option<&'static str> {
    (flag == "preferences").then(|| td_string!(current_locale(), log.messages.preferences_saved))
}

#[component]
pub fn MessagesPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SetMailPreferences>::new();
    let mine = Resource::new(|| (), |_| list_my_messages());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), log.messages.title)/>
        <h1>{t!(i18n, log.messages.title)}</h1>
        <p class="lead">{t!(i18n, log.messages.lead)}</p>
        <DoneNotice text=done_text/>
        <ErrorSummary error=returned_error()/>
        <Suspense fallback=move || view! { <p>{t!(i18n, log.loading)}</p> }>
            {move || {
                mine.get()
                    .map(|result| match result {
                        Ok(mine) => {
                            view! {
                                <Incidents incidents=mine.incidents/>
                                <section aria-labelledby="preferences-heading">
                                    <h2 id="preferences-heading">{t!(i18n, log.messages.preferences_heading)}</h2>
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
                                            <label for="field-new_service">{t!(i18n, log.messages.new_service_announcements)}</label>
                                        </div>
                                        <p class="hint">{t!(i18n, log.messages.always_sent)}</p>
                                        <button type="submit" class="button">{t!(i18n, log.messages.save)}</button>
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
    let i18n = use_i18n();
    let locale = current_locale();
    (!incidents.is_empty()).then(|| {
        view! {
            <section class="incident-notices" aria-labelledby="incidents-heading" id="my-incidents">
                <h2 id="incidents-heading">{t!(i18n, log.messages.incidents_heading)}</h2>
                {incidents
                    .into_iter()
                    .map(|incident| {
                        let services = incident
                            .services
                            .iter()
                            .map(|kind| service_name(kind))
                            .collect::<Vec<_>>()
                            .join(", ");
                        let date = when(incident.declared_at);
                        let declared = td_string!(locale, log.messages.declared, date).to_string();
                        view! {
                            <article class="card incident" data-incident=incident.id.to_string()>
                                <h3>{incident.title}</h3>
                                <p class="muted">{declared} " · " {services}</p>
                                <h4>{t!(i18n, log.messages.what_happened)}</h4>
                                <p class="prewrap">{incident.what_happened}</p>
                                <h4>{t!(i18n, log.messages.what_it_means)}</h4>
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
    let i18n = use_i18n();
    let locale = current_locale();
    view! {
        <section aria-labelledby="ledger-heading">
            <h2 id="ledger-heading">{t!(i18n, log.messages.ledger_heading)}</h2>
            {if messages.is_empty() {
                view! { <p class="muted" id="messages-ledger">{t!(i18n, log.messages.no_messages)}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards" id="messages-ledger">
                        {messages
                            .into_iter()
                            .map(|message| {
                                let sent = message
                                    .sent_at
                                    .map(|at| {
                                        let date = when(at);
                                        format!(" · {}", td_string!(locale, log.messages.sent_on, date))
                                    })
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
                                                        <summary>{t!(i18n, log.messages.read)}</summary>
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

/// On the customer's account page: the incidents that concern them (from the page's glance), and the way to all
/// their messages.
#[component]
pub fn IncidentsNotice(glance: Resource<Result<Glance, AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || {
                glance.get()
                    .and_then(Result::ok)
                    .map(|glance| view! { <Incidents incidents=glance.incidents/> })
            }}
        </Suspense>
    }
}
