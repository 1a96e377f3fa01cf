//! The customer's consents: requests to answer, access given that still runs, a grant of their own, what happened
//! before; and the one-click revoke page the oral-consent receipt links to. Every form works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_location, use_params_map},
};

use super::consent_parts::{
    self as parts, action_error, returned_error, ActionChoices, Choice, DoneNotice, Input,
};
use super::forms::{form_error, ErrorSummary};
use crate::api::{
    get_my_grant, list_my_consents, ApproveRequest, CaseRef, DenyRequest, GrantAccess, GrantSource,
    GrantSummary, MyConsents, RequestView, ResourceLabel, RevokeGrant,
};

fn done_text(flag: &str) -> Option<&'static str> {
    match flag {
        "approved" => {
            Some("Vous avez accepté la demande. L’accès est ouvert pour la durée choisie.")
        }
        "denied" => Some("Vous avez refusé la demande. Personne n’accédera à ces données."),
        "granted" => Some("Votre autorisation est enregistrée."),
        "revoked" => Some("L’accès est retiré. Il ne permet plus aucun accès dès maintenant."),
        _ => None,
    }
}

#[component]
pub fn ConsentsPage() -> impl IntoView {
    let approve = ServerAction::<ApproveRequest>::new();
    let deny = ServerAction::<DenyRequest>::new();
    let revoke = ServerAction::<RevokeGrant>::new();
    let grant = ServerAction::<GrantAccess>::new();
    let location = use_location();
    let consents = Resource::new(
        move || {
            (
                location.search.get(),
                approve.version().get(),
                deny.version().get(),
                revoke.version().get(),
                grant.version().get(),
            )
        },
        |_| list_my_consents(),
    );
    view! {
        <Title text="Accès à mes données"/>
        <h1>"Accès à mes données"</h1>
        <p class="lead">
            "Notre personnel n’ouvre votre espace de backup ou vos boîtes mail qu’avec votre accord, pour une durée limitée. Ici, vous répondez aux demandes, vous retirez un accord à tout moment et vous voyez l’historique."
        </p>
        <DoneNotice text=done_text/>
        <ErrorSummary error=returned_error()/>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || {
                consents
                    .get()
                    .map(|result| match result {
                        Ok(consents) => {
                            let MyConsents { now, pending, active, past_requests, ended, resources, open_cases } = consents;
                            view! {
                                <PendingRequests pending now approve deny/>
                                <ActiveGrants active revoke/>
                                <GrantForm resources open_cases grant/>
                                <History past_requests ended/>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    })
            }}
        </Suspense>
        <p><A href="/account">"Retour à mon compte"</A></p>
    }
}

#[component]
fn PendingRequests(
    pending: Vec<RequestView>,
    now: chrono::DateTime<chrono::Utc>,
    approve: ServerAction<ApproveRequest>,
    deny: ServerAction<DenyRequest>,
) -> impl IntoView {
    let approve_error = action_error(approve.value());
    let deny_error = action_error(deny.value());
    view! {
        <section aria-labelledby="pending-heading">
            <h2 id="pending-heading">"Demandes en attente de votre réponse"</h2>
            <ErrorSummary error=approve_error/>
            <ErrorSummary error=deny_error/>
            {if pending.is_empty() {
                view! { <p class="muted" id="no-pending">"Aucune demande en attente."</p> }.into_any()
            } else {
                view! {
                    <ul class="cards" id="pending-requests">
                        {pending
                            .into_iter()
                            .map(|request| view! { <PendingRequest request now approve deny/> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn PendingRequest(
    request: RequestView,
    now: chrono::DateTime<chrono::Utc>,
    approve: ServerAction<ApproveRequest>,
    deny: ServerAction<DenyRequest>,
) -> impl IntoView {
    let id = request.id.to_string();
    let approve_id = id.clone();
    let deny_id = id.clone();
    let minutes_id = format!("approved-minutes-{id}");
    let reason_id = format!("deny-reason-{id}");
    let open_for = (request.answer_by - now).num_seconds().max(0);
    view! {
        <li class="card" data-request=id>
            <h3>{parts::resource(&request.resource)}</h3>
            <dl class="facts">
                <dt>"Qui demande"</dt>
                <dd class="requester">{parts::staff(&request.requested_by)}</dd>
                <dt>"Pourquoi"</dt>
                <dd>{parts::reason_name(request.reason_code)} " — " <q>{request.reason_text.clone()}</q></dd>
                {request.case.as_ref().map(|case| view! { <dt>"Cas de support"</dt><dd>{parts::case(case)}</dd> })}
                <dt>"Pour faire"</dt>
                <dd>{parts::actions(&request.actions)}</dd>
                <dt>"Pour combien de temps"</dt>
                <dd>{parts::duration(request.requested_minutes)} " à partir de votre accord"</dd>
                <dt>"Vous pouvez répondre jusqu’au"</dt>
                <dd class="answer-by">{parts::when(request.answer_by)} " (encore " {parts::time_left(open_for)} ")"</dd>
            </dl>
            <div class="answer">
                <ActionForm action=approve attr:class="form approve-form">
                    <input type="hidden" name="request" value=approve_id.clone()/>
                    <div class="field">
                        <label for=minutes_id.clone()>"Durée accordée, en minutes"</label>
                        <p class="hint">"Au plus la durée demandée ; vous pouvez la raccourcir."</p>
                        <input
                            id=minutes_id.clone()
                            type="number"
                            name="approved_minutes"
                            min="1"
                            max=request.requested_minutes
                            value=request.requested_minutes
                            required=true
                        />
                    </div>
                    <button type="submit" class="button">"Accepter"</button>
                </ActionForm>
                <ActionForm action=deny attr:class="form deny-form">
                    <input type="hidden" name="request" value=deny_id.clone()/>
                    <div class="field">
                        <label for=reason_id.clone()>"Motif du refus (facultatif)"</label>
                        <textarea id=reason_id.clone() name="reason" rows="2"></textarea>
                    </div>
                    <button type="submit" class="button secondary">"Refuser"</button>
                </ActionForm>
            </div>
        </li>
    }
}

fn source_text(grant: &GrantSummary) -> String {
    match grant.source {
        GrantSource::ApprovedRequest => "Demande acceptée".to_owned(),
        GrantSource::CustomerInitiative => "À votre initiative".to_owned(),
        GrantSource::Oral => {
            let by = grant
                .recorded_by
                .as_ref()
                .map(parts::staff)
                .unwrap_or_default();
            let call = grant.call_reference.clone().unwrap_or_default();
            format!("Accord oral (appel {call}), enregistré par {by}")
        }
    }
}

#[component]
fn GrantFacts(grant: GrantSummary) -> impl IntoView {
    view! {
        <dl class="facts">
            <dt>"Actions"</dt>
            <dd>{parts::actions(&grant.actions)}</dd>
            {grant.case.as_ref().map(|case| view! { <dt>"Cas de support"</dt><dd>{parts::case(case)}</dd> })}
            <dt>"Origine"</dt>
            <dd>{source_text(&grant)}</dd>
            <dt>"Depuis le"</dt>
            <dd>{parts::when(grant.starts_at)}</dd>
            {if grant.active {
                view! {
                    <dt>"Prend fin au plus tard le"</dt>
                    <dd>{parts::when(grant.ends_at)}</dd>
                    <dt>"Temps restant"</dt>
                    <dd class="time-left">{grant.seconds_left.map(parts::time_left)}</dd>
                }
                    .into_any()
            } else {
                view! {
                    <dt>"A pris fin le"</dt>
                    <dd>{parts::when(grant.ends_at)}</dd>
                    <dt>"Pourquoi"</dt>
                    <dd class="end-reason">{grant.end_reason.map(parts::end_reason_name)}</dd>
                }
                    .into_any()
            }}
        </dl>
    }
}

#[component]
fn ActiveGrants(active: Vec<GrantSummary>, revoke: ServerAction<RevokeGrant>) -> impl IntoView {
    let error = action_error(revoke.value());
    view! {
        <section aria-labelledby="active-heading">
            <h2 id="active-heading">"Accès en cours"</h2>
            <ErrorSummary error/>
            {if active.is_empty() {
                view! { <p class="muted" id="no-active">"Personne n’a accès à vos données privées en ce moment."</p> }.into_any()
            } else {
                view! {
                    <ul class="cards" id="active-grants">
                        {active
                            .into_iter()
                            .map(|grant| {
                                let id = grant.id.to_string();
                                let form_id = id.clone();
                                let anchor = format!("grant-{id}");
                                view! {
                                    <li class="card" data-grant=id id=anchor>
                                        <h3>{parts::resource(&grant.resource)}</h3>
                                        <GrantFacts grant/>
                                        <ActionForm action=revoke attr:class="inline-form revoke-form">
                                            <input type="hidden" name="grant" value=form_id.clone()/>
                                            <button type="submit" class="button danger">"Retirer cet accès"</button>
                                        </ActionForm>
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

#[component]
fn GrantForm(
    resources: Vec<ResourceLabel>,
    open_cases: Vec<CaseRef>,
    grant: ServerAction<GrantAccess>,
) -> impl IntoView {
    let error = form_error(grant.value());
    let resource_options: Vec<(String, String)> = resources
        .iter()
        .map(|resource| (resource.id.clone(), parts::resource(resource)))
        .collect();
    let case_options: Vec<(String, String)> = open_cases
        .iter()
        .map(|case| (case.id.to_string(), parts::case(case)))
        .collect();
    view! {
        <section aria-labelledby="grant-heading">
            <h2 id="grant-heading">"Autoriser un accès de vous-même"</h2>
            {if resource_options.is_empty() {
                view! { <p class="muted">"Vous n’avez ni espace de backup ni boîte mail chez nous."</p> }.into_any()
            } else {
                view! {
                    <p>"Par exemple quand vous demandez de l’aide au support : vous choisissez quoi, pour faire quoi et pour combien de temps."</p>
                    <ActionForm action=grant attr:class="form" attr:id="grant-form">
                        <ErrorSummary error=action_error(grant.value())/>
                        <Choice name="resource" label="Donnée concernée" options=resource_options error/>
                        <ActionChoices error/>
                        <Input
                            name="duration_minutes"
                            label="Durée, en minutes"
                            kind="number"
                            value=Some("60".to_owned())
                            min=Some(1)
                            max=Some(43_200)
                            hint="De 1 minute à 30 jours (43 200 minutes)."
                            error
                        />
                        <Choice
                            name="case"
                            label="Cas de support"
                            options=case_options
                            none="Aucun"
                            hint="Obligatoire pour une boîte mail : l’accès cesse dès que le cas est résolu."
                            error
                        />
                        <button type="submit" class="button">"Autoriser"</button>
                    </ActionForm>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn History(past_requests: Vec<RequestView>, ended: Vec<GrantSummary>) -> impl IntoView {
    view! {
        <section aria-labelledby="history-heading" id="history">
            <h2 id="history-heading">"Historique"</h2>
            <h3>"Accès terminés"</h3>
            {if ended.is_empty() {
                view! { <p class="muted">"Aucun."</p> }.into_any()
            } else {
                view! {
                    <ul class="cards" id="ended-grants">
                        {ended
                            .into_iter()
                            .map(|grant| {
                                let id = grant.id.to_string();
                                let anchor = format!("grant-{id}");
                                view! {
                                    <li class="card" data-grant=id id=anchor>
                                        <h4>{parts::resource(&grant.resource)}</h4>
                                        <GrantFacts grant/>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <h3>"Demandes traitées"</h3>
            {if past_requests.is_empty() {
                view! { <p class="muted">"Aucune."</p> }.into_any()
            } else {
                view! {
                    <ul class="cards" id="past-requests">
                        {past_requests
                            .into_iter()
                            .map(|request| {
                                let closed = request.closed_at.map(parts::when).unwrap_or_default();
                                view! {
                                    <li class="card" data-request=request.id.to_string()>
                                        <h4>{parts::resource(&request.resource)}</h4>
                                        <p>
                                            <span class="state">{parts::state_name(request.state)}</span>
                                            " le " {closed} " — demandée par " {parts::staff(&request.requested_by)}
                                            " pour " {parts::actions(&request.actions)}
                                        </p>
                                        {request
                                            .approved_minutes
                                            .map(|minutes| view! { <p class="muted">"Durée accordée : " {parts::duration(minutes)}</p> })}
                                        {request
                                            .deny_reason
                                            .map(|reason| view! { <p class="muted">"Votre motif : " {reason}</p> })}
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

/// Where the receipt of an oral consent leads. Opening it changes nothing (mail scanners follow links): the
/// revocation is the one button.
#[component]
pub fn RevokeGrantPage() -> impl IntoView {
    let params = use_params_map();
    let revoke = ServerAction::<RevokeGrant>::new();
    let error = form_error(revoke.value());
    let found = Resource::new(
        move || params.with(|params| params.get("id").unwrap_or_default()),
        get_my_grant,
    );
    view! {
        <Title text="Retirer un accès"/>
        <h1>"Retirer un accès"</h1>
        <ErrorSummary error/>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || {
                found
                    .get()
                    .map(|result| match result {
                        Ok(Some(found)) => {
                            let grant = found.grant;
                            let id = grant.id.to_string();
                            let active = grant.active;
                            view! {
                                <div class="card" id="grant" data-grant=id.clone()>
                                    <h2>{parts::resource(&grant.resource)}</h2>
                                    <GrantFacts grant/>
                                </div>
                                {if active {
                                    view! {
                                        <ActionForm action=revoke attr:class="form" attr:id="revoke-form">
                                            <input type="hidden" name="grant" value=id.clone()/>
                                            <button type="submit" class="button danger">"Retirer cet accès maintenant"</button>
                                        </ActionForm>
                                    }
                                        .into_any()
                                } else {
                                    view! { <p class="notice" id="already-ended">"Cet accès a déjà pris fin : il n’y a rien à retirer."</p> }.into_any()
                                }}
                            }
                                .into_any()
                        }
                        Ok(None) => {
                            not_found_status();
                            view! { <p class="form-error" role="alert" id="grant-not-found">"Cet accès n’existe pas ou ne vous concerne pas."</p> }.into_any()
                        }
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    })
            }}
        </Suspense>
        <p><A href="/account/consents">"Tous mes accès"</A></p>
    }
}

fn not_found_status() {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
}
