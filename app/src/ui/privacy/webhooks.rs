//! Every attempt to tell the infrastructure about a consent event, for the privacy officer: which service's
//! endpoint, which event, what the receiver answered, and whether the delivery is done, waiting for a retry or dead.

use leptos::prelude::*;

use super::log::PrivacyNav;
use crate::api::{list_webhook_attempts, WebhookAttemptView};
use crate::i18n::*;
use crate::ui::forms::ErrorText;
use crate::ui::locale::{current_locale, moment};
use crate::ui::title::PageTitle;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let i18n = use_i18n();
    let deliveries = Resource::new(|| (), |_| list_webhook_attempts());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), privacy.webhooks.title)/>
        <h1>{t!(i18n, privacy.webhooks.title)}</h1>
        <PrivacyNav/>
        <p class="lead">{t!(i18n, privacy.webhooks.lead)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, privacy.loading)}</p> }>
            {move || {
                deliveries.get()
                    .map(|result| match result {
                        Ok(deliveries) => view! {
                            <p id="delivery-counts">
                                {t!(i18n, privacy.webhooks.counts, delivered = deliveries.delivered, queued = deliveries.queued, dead = deliveries.dead)}
                            </p>
                            <Attempts attempts=deliveries.attempts/>
                        }.into_any(),
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn Attempts(attempts: Vec<WebhookAttemptView>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    if attempts.is_empty() {
        return view! { <p class="muted" id="delivery-attempts">{t!(i18n, privacy.webhooks.none)}</p> }.into_any();
    }
    view! {
        <table id="delivery-attempts" class="history">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, privacy.webhooks.when)}</th>
                        <th scope="col">{t!(i18n, privacy.webhooks.endpoint)}</th>
                        <th scope="col">{t!(i18n, privacy.webhooks.event)}</th>
                        <th scope="col">{t!(i18n, privacy.webhooks.attempt)}</th>
                        <th scope="col">{t!(i18n, privacy.webhooks.answer)}</th>
                        <th scope="col">{t!(i18n, privacy.webhooks.state)}</th>
                    </tr>
                </thead>
                <tbody>
                    {attempts.into_iter().map(|attempt| {
                        let answer = match (attempt.http_status, attempt.error) {
                            (Some(status), None) => status.to_string(),
                            (Some(status), Some(error)) => format!("{status}: {error}"),
                            (None, Some(error)) => error,
                            (None, None) => String::new(),
                        };
                        let event = attempt.event.clone();
                        view! {
                            <tr data-event=event>
                                <td>{moment(locale, attempt.at)}</td>
                                <td class="breakable">{attempt.service} " — " {attempt.url}</td>
                                <td>{attempt.event} " " <code>{attempt.event_type}</code></td>
                                <td>{attempt.attempt}</td>
                                <td>{answer} " (" {attempt.millis} " ms)"</td>
                                <td class="delivery-state">{attempt.delivery_state}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
        </table>
    }
    .into_any()
}
