//! Pending consent requests of the whole team, the viewer's own first, with the time each still has; then history.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use super::SupportNav;
use crate::api::{list_consent_queue, ConsentQueue, RequestView, WithdrawRequest};
use crate::domain::consent::RequestStateKind;
use crate::ui::consent_parts::{self as parts, action_error, returned_error, DoneNotice};
use crate::ui::forms::ErrorSummary;

fn done_text(flag: &str) -> Option<&'static str> {
    match flag {
        "requested" => Some("La demande est envoyée. Le client est prévenu par e-mail et répond dans le portail."),
        "withdrawn" => Some("La demande est retirée."),
        "recorded" => Some("Le consentement oral est enregistré. Le client reçoit un reçu avec un lien pour le retirer."),
        _ => None,
    }
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let location = use_location();
    let queue = Resource::new(
        move || (location.search.get(), withdraw.version().get()),
        |_| list_consent_queue(),
    );
    view! {
        <Title text="Demandes de consentement"/>
        <h1>"Demandes de consentement"</h1>
        <SupportNav/>
        <DoneNotice text=done_text/>
        <ErrorSummary error=returned_error()/>
        <ErrorSummary error=action_error(withdraw.value())/>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || {
                queue
                    .get()
                    .map(|result| match result {
                        Ok(ConsentQueue { now, requests }) => {
                            let (pending, closed): (Vec<_>, Vec<_>) = requests
                                .into_iter()
                                .partition(|request| request.state == RequestStateKind::Pending);
                            let (mine, team): (Vec<_>, Vec<_>) = pending.into_iter().partition(|request| request.mine);
                            view! {
                                <section aria-labelledby="mine-heading">
                                    <h2 id="mine-heading">"Mes demandes en attente"</h2>
                                    <RequestList requests=mine now withdraw id="my-pending"/>
                                </section>
                                <section aria-labelledby="team-heading">
                                    <h2 id="team-heading">"Demandes en attente de l’équipe"</h2>
                                    <RequestList requests=team now withdraw id="team-pending"/>
                                </section>
                                <section aria-labelledby="history-heading">
                                    <h2 id="history-heading">"Historique"</h2>
                                    <RequestList requests=closed now withdraw id="queue-history"/>
                                </section>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn RequestList(
    requests: Vec<RequestView>,
    now: DateTime<Utc>,
    withdraw: ServerAction<WithdrawRequest>,
    id: &'static str,
) -> impl IntoView {
    if requests.is_empty() {
        return view! { <p class="muted" id=id>"Aucune."</p> }.into_any();
    }
    view! {
        <ul class="cards" id=id>
            {requests.into_iter().map(|request| view! { <QueuedRequest request now withdraw/> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn QueuedRequest(
    request: RequestView,
    now: DateTime<Utc>,
    withdraw: ServerAction<WithdrawRequest>,
) -> impl IntoView {
    let id = request.id.to_string();
    let form_id = id.clone();
    let pending = request.state == RequestStateKind::Pending;
    let state = if pending {
        let left = (request.answer_by - now).num_seconds().max(0);
        format!("en attente, encore {}", parts::time_left(left))
    } else {
        let closed = request.closed_at.map(parts::when).unwrap_or_default();
        format!("{} le {closed}", parts::state_name(request.state))
    };
    let granted = request.approved_minutes.map(|minutes| {
        view! { <p class="muted">"Accordée pour " {parts::duration(minutes)}</p> }
    });
    let refused = request.deny_reason.clone().map(|reason| {
        view! { <p class="muted">"Motif du client : " {reason}</p> }
    });
    view! {
        <li class="card" data-request=id.clone()>
            <h3>
                "n° " {id.clone()} " — " {request.customer.number.clone()} " " {request.customer.name.clone()}
            </h3>
            <p class="state">{state}</p>
            <dl class="facts">
                <dt>"Donnée"</dt>
                <dd>{parts::resource(&request.resource)}</dd>
                <dt>"Actions"</dt>
                <dd>{parts::actions(&request.actions)}</dd>
                <dt>"Durée demandée"</dt>
                <dd>{parts::duration(request.requested_minutes)}</dd>
                <dt>"Motif"</dt>
                <dd>{parts::reason_name(request.reason_code)} " — " {request.reason_text.clone()}</dd>
                {request.case.as_ref().map(|case| view! { <dt>"Cas"</dt><dd>{parts::case(case)}</dd> })}
                <dt>"Demandée par"</dt>
                <dd>{parts::staff(&request.requested_by)} " le " {parts::when(request.created_at)}</dd>
            </dl>
            {granted}
            {refused}
            {(pending && request.mine)
                .then(|| {
                    view! {
                        <ActionForm action=withdraw attr:class="inline-form withdraw-form">
                            <input type="hidden" name="request" value=form_id.clone()/>
                            <button type="submit" class="button secondary">"Retirer la demande"</button>
                        </ActionForm>
                    }
                })}
        </li>
    }
}
