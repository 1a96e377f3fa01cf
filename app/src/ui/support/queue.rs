//! Pending consent requests of the whole team, the viewer's own first, with the time each still has; then history.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use super::SupportNav;
use crate::api::{list_consent_queue, ConsentQueue, RequestView, SetAnswerMail, WithdrawRequest};
use crate::domain::consent::RequestStateKind;
use crate::i18n::*;
use crate::ui::consent_parts::{self as parts, action_error, returned_error, DoneNotice};
use crate::ui::forms::{ErrorSummary, ErrorText};
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

fn done_text(flag: &str) -> Option<&'static str> {
    let locale = current_locale();
    match flag {
        "requested" => Some(td_string!(locale, staff.queue.done_requested)),
        "withdrawn" => Some(td_string!(locale, staff.queue.done_withdrawn)),
        "recorded" => Some(td_string!(locale, staff.queue.done_recorded)),
        "answer-mail" => Some(td_string!(locale, staff.queue.done_answer_mail)),
        _ => None,
    }
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let save = ServerAction::<SetAnswerMail>::new();
    let queue = Resource::new(|| (), |_| list_consent_queue());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), staff.queue.title)/>
        <h1>{t!(i18n, staff.queue.title)}</h1>
        <SupportNav/>
        <DoneNotice text=done_text/>
        <ErrorSummary error=returned_error()/>
        <ErrorSummary error=action_error(withdraw.value())/>
        <Suspense fallback=move || view! { <p>{t!(i18n, staff.loading)}</p> }>
            {move || {
                queue
                    .get()
                    .map(|result| match result {
                        Ok(ConsentQueue { now, requests, answer_mail }) => {
                            let (pending, closed): (Vec<_>, Vec<_>) = requests
                                .into_iter()
                                .partition(|request| request.state == RequestStateKind::Pending);
                            let (mine, team): (Vec<_>, Vec<_>) = pending.into_iter().partition(|request| request.mine);
                            view! {
                                <section aria-labelledby="mine-heading">
                                    <h2 id="mine-heading">{t!(i18n, staff.queue.mine)}</h2>
                                    <RequestList requests=mine now withdraw id="my-pending"/>
                                </section>
                                <section aria-labelledby="team-heading">
                                    <h2 id="team-heading">{t!(i18n, staff.queue.team)}</h2>
                                    <RequestList requests=team now withdraw id="team-pending"/>
                                </section>
                                <section aria-labelledby="history-heading">
                                    <h2 id="history-heading">{t!(i18n, staff.queue.history)}</h2>
                                    <RequestList requests=closed now withdraw id="queue-history"/>
                                </section>
                                <section aria-labelledby="answer-mail-heading">
                                    <h2 id="answer-mail-heading">{t!(i18n, staff.queue.answer_mail_heading)}</h2>
                                    <ActionForm action=save attr:class="form" attr:id="answer-mail-form">
                                        <ErrorSummary error=action_error(save.value())/>
                                        <div class="field checkbox">
                                            <input type="checkbox" id="field-answer_mail" name="answer_mail" value="on" checked=answer_mail/>
                                            <label for="field-answer_mail">{t!(i18n, staff.queue.answer_mail)}</label>
                                        </div>
                                        <p class="hint">{t!(i18n, staff.queue.answer_mail_hint)}</p>
                                        <button type="submit" class="button">{t!(i18n, staff.queue.save)}</button>
                                    </ActionForm>
                                </section>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorText error/> }.into_any(),
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
    let i18n = use_i18n();
    if requests.is_empty() {
        return view! { <p class="muted" id=id>{t!(i18n, staff.queue.none)}</p> }.into_any();
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
    let i18n = use_i18n();
    let locale = current_locale();
    let id = request.id.to_string();
    let form_id = id.clone();
    let pending = request.state == RequestStateKind::Pending;
    let state = if pending {
        let left = parts::time_left((request.answer_by - now).num_seconds().max(0));
        td_string!(locale, staff.queue.pending_left, left).to_string()
    } else {
        let at = request.closed_at.map(parts::when).unwrap_or_default();
        let state = parts::state_name(request.state);
        td_string!(locale, staff.queue.closed_on, state, at).to_string()
    };
    let granted = request.approved_minutes.map(|minutes| {
        let duration = parts::duration(minutes);
        view! { <p class="muted">{t!(i18n, staff.queue.granted_for, duration)}</p> }
    });
    let refused = request.deny_reason.clone().map(|reason| {
        view! { <p class="muted">{t!(i18n, staff.queue.customer_reason, reason)}</p> }
    });
    let requested_by = parts::staff(&request.requested_by);
    let requested_at = parts::when(request.created_at);
    view! {
        <li class="card" class:news=request.news data-request=id.clone()>
            {request.news.then(|| view! { <p class="news-mark">{t!(i18n, staff.queue.news)}</p> })}
            <h3>
                {t!(i18n, staff.number, id = id.clone())} " — " {request.customer.number.clone()} " " {request.customer.name.clone()}
            </h3>
            <p class="state">{state}</p>
            <dl class="facts">
                <dt>{t!(i18n, staff.queue.resource)}</dt>
                <dd>{parts::resource(&request.resource)}</dd>
                <dt>{t!(i18n, staff.queue.actions)}</dt>
                <dd>{parts::actions(&request.actions)}</dd>
                <dt>{t!(i18n, staff.queue.requested_duration)}</dt>
                <dd>{parts::duration(request.requested_minutes)}</dd>
                <dt>{t!(i18n, staff.queue.reason)}</dt>
                <dd>{parts::reason_name(request.reason_code)} " — " {request.reason_text.clone()}</dd>
                {request.case.as_ref().map(|case| view! { <dt>{t!(i18n, staff.queue.case)}</dt><dd>{parts::case(case)}</dd> })}
                <dt>{t!(i18n, staff.queue.requested_by)}</dt>
                <dd>{t!(i18n, staff.queue.requested_by_on, staff = requested_by, at = requested_at)}</dd>
            </dl>
            {granted}
            {refused}
            {(pending && request.mine)
                .then(|| {
                    view! {
                        <ActionForm action=withdraw attr:class="inline-form withdraw-form">
                            <input type="hidden" name="request" value=form_id.clone()/>
                            <button type="submit" class="button secondary">{t!(i18n, staff.queue.withdraw)}</button>
                        </ActionForm>
                    }
                })}
        </li>
    }
}
