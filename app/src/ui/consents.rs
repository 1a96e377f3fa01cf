//! The customer's consents: requests to answer, access given that still runs, a grant of their own, what happened
//! before; and the one-click revoke page the oral-consent receipt links to. Every form works without JavaScript.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use super::consent_parts::{
    self as parts, action_error, returned_error, ActionChoices, Choice, DoneNotice, Input,
};
use super::forms::{form_error, ErrorSummary, ErrorText, Outcome};
use crate::api::{
    get_my_grant, list_my_consents, ApproveRequest, CaseRef, DenyRequest, GrantAccess, GrantSource,
    GrantSummary, MyConsents, RequestView, ResourceLabel, RevokeGrant,
};
use crate::domain::consent::{Audience, Teams};
use crate::i18n::*;
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

fn done_text(flag: &str) -> Option<&'static str> {
    let locale = current_locale();
    match flag {
        "approved" => Some(td_string!(locale, consents.done.approved)),
        "denied" => Some(td_string!(locale, consents.done.denied)),
        "granted" => Some(td_string!(locale, consents.done.granted)),
        "revoked" => Some(td_string!(locale, consents.done.revoked)),
        _ => None,
    }
}

#[component]
pub fn ConsentsPage() -> impl IntoView {
    let i18n = use_i18n();
    let approve = ServerAction::<ApproveRequest>::new();
    let deny = ServerAction::<DenyRequest>::new();
    let revoke = ServerAction::<RevokeGrant>::new();
    let grant = ServerAction::<GrantAccess>::new();
    let consents = Resource::new(|| (), |_| list_my_consents());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), consents.title)/>
        <h1>{t!(i18n, consents.title)}</h1>
        <p class="lead">{t!(i18n, consents.lead)}</p>
        <DoneNotice text=done_text/>
        <ErrorSummary error=returned_error()/>
        <Suspense fallback=move || view! { <p>{t!(i18n, consents.loading)}</p> }>
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
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    })
            }}
        </Suspense>
        <p><A href="/account">{t!(i18n, consents.back_to_account)}</A></p>
    }
}

#[component]
fn PendingRequests(
    pending: Vec<RequestView>,
    now: chrono::DateTime<chrono::Utc>,
    approve: ServerAction<ApproveRequest>,
    deny: ServerAction<DenyRequest>,
) -> impl IntoView {
    let i18n = use_i18n();
    let approve_error = action_error(approve.value());
    let deny_error = action_error(deny.value());
    view! {
        <section aria-labelledby="pending-heading">
            <h2 id="pending-heading">{t!(i18n, consents.pending.heading)}</h2>
            <ErrorSummary error=approve_error/>
            <ErrorSummary error=deny_error/>
            {if pending.is_empty() {
                view! { <p class="muted" id="no-pending">{t!(i18n, consents.pending.none)}</p> }.into_any()
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
    let i18n = use_i18n();
    let id = request.id.to_string();
    let approve_id = id.clone();
    let deny_id = id.clone();
    let minutes_id = format!("approved-minutes-{id}");
    let usable_by_id = format!("usable-by-{id}");
    let name = parts::staff(&request.requested_by);
    let audience: Vec<(String, String)> = std::iter::once((
        Audience::REQUESTER.to_owned(),
        td_string!(current_locale(), consents.usable_by.only_requester, name).to_string(),
    ))
    .chain(Teams::ALL.into_iter().map(|teams| {
        (
            teams.as_str().to_owned(),
            parts::teams_name(teams).to_owned(),
        )
    }))
    .collect();
    let reason_id = format!("deny-reason-{id}");
    let open_for = (request.answer_by - now).num_seconds().max(0);
    let duration = parts::duration(request.requested_minutes);
    let when = parts::when(request.answer_by);
    let left = parts::time_left(open_for);
    view! {
        <li class="card" data-request=id>
            <h3>{parts::resource(&request.resource)}</h3>
            <dl class="facts">
                <dt>{t!(i18n, consents.pending.requested_by)}</dt>
                <dd class="requester">{parts::staff(&request.requested_by)}</dd>
                <dt>{t!(i18n, consents.pending.why)}</dt>
                <dd>{parts::reason_name(request.reason_code)} " — " <q>{request.reason_text.clone()}</q></dd>
                {request.case.as_ref().map(|case| view! { <dt>{t!(i18n, consents.support_case)}</dt><dd>{parts::case(case)}</dd> })}
                <dt>{t!(i18n, consents.pending.actions)}</dt>
                <dd>{parts::actions(&request.actions)}</dd>
                <dt>{t!(i18n, consents.pending.how_long)}</dt>
                <dd>{t!(i18n, consents.pending.from_your_consent, duration)}</dd>
                <dt>{t!(i18n, consents.pending.answer_by)}</dt>
                <dd class="answer-by">{t!(i18n, consents.pending.answer_by_left, when, left)}</dd>
            </dl>
            <div class="answer">
                <ActionForm action=approve attr:class="form approve-form">
                    <input type="hidden" name="request" value=approve_id.clone()/>
                    <div class="field">
                        <label for=minutes_id.clone()>{t!(i18n, consents.pending.approved_minutes)}</label>
                        <p class="hint">{t!(i18n, consents.pending.approved_minutes_hint)}</p>
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
                    <div class="field">
                        <label for=usable_by_id.clone()>{t!(i18n, consents.usable_by.label)}</label>
                        <p class="hint">{t!(i18n, consents.usable_by.approve_hint)}</p>
                        <select id=usable_by_id.clone() name="usable_by">
                            {audience
                                .into_iter()
                                .map(|(value, text)| view! { <option value=value>{text}</option> })
                                .collect_view()}
                        </select>
                    </div>
                    <button type="submit" class="button">{t!(i18n, consents.pending.approve)}</button>
                </ActionForm>
                <ActionForm action=deny attr:class="form deny-form">
                    <input type="hidden" name="request" value=deny_id.clone()/>
                    <div class="field">
                        <label for=reason_id.clone()>{t!(i18n, consents.pending.deny_reason)}</label>
                        <textarea id=reason_id.clone() name="reason" rows="2"></textarea>
                    </div>
                    <button type="submit" class="button secondary">{t!(i18n, consents.pending.deny)}</button>
                </ActionForm>
            </div>
        </li>
    }
}

fn source_text(grant: &GrantSummary) -> String {
    let locale = current_locale();
    match grant.source {
        GrantSource::ApprovedRequest => {
            td_string!(locale, consents.source.approved_request).to_owned()
        }
        GrantSource::CustomerInitiative => {
            td_string!(locale, consents.source.customer_initiative).to_owned()
        }
        GrantSource::Oral => {
            let by = grant
                .recorded_by
                .as_ref()
                .map(parts::staff)
                .unwrap_or_default();
            let call = grant.call_reference.clone().unwrap_or_default();
            td_string!(locale, consents.source.oral, call, by).to_string()
        }
    }
}

#[component]
pub(crate) fn GrantFacts(grant: GrantSummary) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <dl class="facts">
            <dt>{t!(i18n, consents.facts.actions)}</dt>
            <dd>{parts::actions(&grant.actions)}</dd>
            {grant.case.as_ref().map(|case| view! { <dt>{t!(i18n, consents.support_case)}</dt><dd>{parts::case(case)}</dd> })}
            <dt>{t!(i18n, consents.facts.source)}</dt>
            <dd>{source_text(&grant)}</dd>
            <dt>{t!(i18n, consents.facts.usable_by)}</dt>
            <dd class="usable-by">{parts::usable_by(&grant.usable_by)}</dd>
            <dt>{t!(i18n, consents.facts.since)}</dt>
            <dd>{parts::when(grant.starts_at)}</dd>
            {if grant.active {
                view! {
                    <dt>{t!(i18n, consents.facts.ends_at_latest)}</dt>
                    <dd>{parts::when(grant.ends_at)}</dd>
                    <dt>{t!(i18n, consents.facts.time_left)}</dt>
                    <dd class="time-left">{grant.seconds_left.map(parts::time_left)}</dd>
                }
                    .into_any()
            } else {
                view! {
                    <dt>{t!(i18n, consents.facts.ended_at)}</dt>
                    <dd>{parts::when(grant.ends_at)}</dd>
                    <dt>{t!(i18n, consents.facts.why_ended)}</dt>
                    <dd class="end-reason">{grant.end_reason.map(parts::end_reason_name)}</dd>
                }
                    .into_any()
            }}
        </dl>
    }
}

#[component]
fn ActiveGrants(active: Vec<GrantSummary>, revoke: ServerAction<RevokeGrant>) -> impl IntoView {
    let i18n = use_i18n();
    let error = action_error(revoke.value());
    view! {
        <section aria-labelledby="active-heading">
            <h2 id="active-heading">{t!(i18n, consents.active.heading)}</h2>
            <ErrorSummary error/>
            {if active.is_empty() {
                view! { <p class="muted" id="no-active">{t!(i18n, consents.active.none)}</p> }.into_any()
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
                                            <button type="submit" class="button danger">{t!(i18n, consents.active.revoke)}</button>
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
    let i18n = use_i18n();
    let locale = current_locale();
    let error = form_error(grant.value());
    let resource_options: Vec<(String, String)> = resources
        .iter()
        .map(|resource| (resource.id.clone(), parts::resource(resource)))
        .collect();
    let case_options: Vec<(String, String)> = open_cases
        .iter()
        .map(|case| (case.id.to_string(), parts::case(case)))
        .collect();
    let team_options: Vec<(String, String)> = Teams::ALL
        .into_iter()
        .map(|teams| {
            (
                teams.as_str().to_owned(),
                parts::teams_name(teams).to_owned(),
            )
        })
        .collect();
    view! {
        <section aria-labelledby="grant-heading">
            <h2 id="grant-heading">{t!(i18n, consents.grant_form.heading)}</h2>
            {if resource_options.is_empty() {
                view! { <p class="muted">{t!(i18n, consents.grant_form.nothing_to_grant)}</p> }.into_any()
            } else {
                view! {
                    <p>{t!(i18n, consents.grant_form.intro)}</p>
                    <ActionForm action=grant attr:class="form" attr:id="grant-form">
                        <ErrorSummary error=action_error(grant.value())/>
                        <Choice name="resource" label=td_string!(locale, consents.grant_form.resource) options=resource_options error/>
                        <ActionChoices error/>
                        <Choice
                            name="usable_by"
                            label=td_string!(locale, consents.usable_by.label)
                            options=team_options
                            selected=Some(Teams::Support.as_str().to_owned())
                            hint=td_string!(locale, consents.usable_by.grant_hint)
                            error
                        />
                        <Input
                            name="duration_minutes"
                            label=td_string!(locale, consents.grant_form.duration)
                            kind="number"
                            value=Some("60".to_owned())
                            min=Some(1)
                            max=Some(43_200)
                            hint=td_string!(locale, consents.grant_form.duration_hint)
                            error
                        />
                        <Choice
                            name="case"
                            label=td_string!(locale, consents.support_case)
                            options=case_options
                            none=td_string!(locale, consents.grant_form.no_case)
                            hint=td_string!(locale, consents.grant_form.case_hint)
                            error
                        />
                        <button type="submit" class="button">{t!(i18n, consents.grant_form.submit)}</button>
                    </ActionForm>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn History(past_requests: Vec<RequestView>, ended: Vec<GrantSummary>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="history-heading" id="history">
            <h2 id="history-heading">{t!(i18n, consents.history.heading)}</h2>
            <h3>{t!(i18n, consents.history.ended_heading)}</h3>
            {if ended.is_empty() {
                view! { <p class="muted">{t!(i18n, consents.history.no_ended)}</p> }.into_any()
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
            <h3>{t!(i18n, consents.history.closed_heading)}</h3>
            {if past_requests.is_empty() {
                view! { <p class="muted">{t!(i18n, consents.history.no_closed)}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards" id="past-requests">
                        {past_requests
                            .into_iter()
                            .map(|request| {
                                let closed = request.closed_at.map(parts::when).unwrap_or_default();
                                let by = parts::staff(&request.requested_by);
                                let actions = parts::actions(&request.actions);
                                view! {
                                    <li class="card" data-request=request.id.to_string()>
                                        <h4>{parts::resource(&request.resource)}</h4>
                                        <p>
                                            <span class="state">{parts::state_name(request.state)}</span>
                                            " "
                                            {t!(i18n, consents.history.closed_line, closed, by, actions)}
                                        </p>
                                        {request
                                            .approved_minutes
                                            .map(|minutes| {
                                                let duration = parts::duration(minutes);
                                                view! { <p class="muted">{t!(i18n, consents.history.approved_duration, duration)}</p> }
                                            })}
                                        {request
                                            .deny_reason
                                            .map(|reason| view! { <p class="muted">{t!(i18n, consents.history.your_reason, reason)}</p> })}
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
    let i18n = use_i18n();
    let params = use_params_map();
    let revoke = ServerAction::<RevokeGrant>::new();
    let error = form_error(revoke.value());
    let id = params.with_untracked(|params| params.get("id").unwrap_or_default());
    let found = Resource::new(move || id.clone(), get_my_grant);
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), consents.revoke.title)/>
        <h1>{t!(i18n, consents.revoke.title)}</h1>
        <ErrorSummary error/>
        <Suspense fallback=move || view! { <p>{t!(i18n, consents.loading)}</p> }>
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
                                            <button type="submit" class="button danger">{t!(i18n, consents.revoke.submit)}</button>
                                        </ActionForm>
                                    }
                                        .into_any()
                                } else {
                                    view! { <p class="notice" id="already-ended">{t!(i18n, consents.revoke.already_ended)}</p> }.into_any()
                                }}
                            }
                                .into_any()
                        }
                        Ok(None) => {
                            not_found_status();
                            view! { <Outcome failed=true id=Some("grant-not-found")>{t!(i18n, consents.revoke.not_found)}</Outcome> }.into_any()
                        }
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    })
            }}
        </Suspense>
        <p><A href="/account/consents">{t!(i18n, consents.revoke.all_access)}</A></p>
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
