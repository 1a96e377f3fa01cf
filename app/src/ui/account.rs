//! The customer's own area, opening on what matters most: does anyone have access to my data right now, and who
//! looked at it recently.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{get_me, get_my_glance, AppError, Glance, GrantSummary};
use crate::i18n::*;
use crate::ui::access_log::LogEntries;
use crate::ui::consent_parts::{actions, resource, time_left, usable_by};
use crate::ui::forms::ErrorText;
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| get_me());
    let glance = Resource::new(|| (), |_| get_my_glance());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), auth.account.title)/>
        <Suspense fallback=|| ()>
            {move || {
                me.get()
                    .map(|me| {
                        let name = me.ok().flatten().map(|me| me.display_name).unwrap_or_default();
                        view! { <h1>{t!(i18n, auth.account.greeting, name)}</h1> }
                    })
            }}
        </Suspense>
        <p class="lead">{t!(i18n, auth.account.lead)}</p>
        <crate::ui::messages::IncidentsNotice glance/>
        <div class="glance" role="group" aria-label=move || t_string!(i18n, auth.account.glance_label)>
            <AccessNow glance/>
            <RecentLookUps glance/>
        </div>
        <nav aria-label=move || t_string!(i18n, auth.account.nav_label)>
            <ul class="link-list">
                <li><A href="/account/consents" attr:id="consents-link">{t!(i18n, auth.account.links.consents)}</A></li>
                <li><A href="/account/access-log" attr:id="access-log-link">{t!(i18n, auth.account.links.access_log)}</A></li>
                <li><A href="/account/data" attr:id="my-data-link">{t!(i18n, auth.account.links.my_data)}</A></li>
                <li><A href="/account/messages" attr:id="messages-link">{t!(i18n, auth.account.links.messages)}</A></li>
                <li><A href="/account/backups" attr:id="backups-link">{t!(i18n, auth.account.links.backups)}</A></li>
                <li><A href="/security">{t!(i18n, auth.account.links.security)}</A></li>
            </ul>
        </nav>
    }
}

/// Active grants and requests waiting for an answer: the two ways someone could reach private data.
#[component]
fn AccessNow(glance: Resource<Result<Glance, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card glance-card" id="access-now" aria-labelledby="access-now-heading">
            <h2 id="access-now-heading">{t!(i18n, auth.account.now_heading)}</h2>
            <Suspense fallback=move || view! { <p>{t!(i18n, auth.account.loading)}</p> }>
                {move || {
                    glance
                        .get()
                        .map(|result| match result {
                            Ok(glance) => {
                                let count = glance.pending;
                                let pending = (count > 0)
                                    .then(|| {
                                        view! {
                                            <p class="state pending" id="pending-count">
                                                {t!(i18n, auth.account.pending, count)} " "
                                                <A href="/account/consents">{t!(i18n, auth.account.answer)}</A>
                                            </p>
                                        }
                                    });
                                view! {
                                    {pending}
                                    <ActiveGrants active=glance.active/>
                                    <p><A href="/account/consents">{t!(i18n, auth.account.manage)}</A></p>
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
fn ActiveGrants(active: Vec<GrantSummary>) -> impl IntoView {
    let locale = current_locale();
    if active.is_empty() {
        return view! { <p class="state ended" id="nobody-has-access">{td_string!(locale, auth.account.nobody)}</p> }
            .into_any();
    }
    view! {
        <ul class="glance-list" id="active-access">
            {active
                .into_iter()
                .map(|grant| {
                    let resource = resource(&grant.resource);
                    let actions = actions(&grant.actions);
                    let left = time_left(grant.seconds_left.unwrap_or_default());
                    let who = usable_by(&grant.usable_by);
                    let line = td_string!(locale, auth.account.grant_line, resource, actions, left, who).to_string();
                    view! { <li class="state active">{line}</li> }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The latest entries of the customer's access log, as the log page shows them.
#[component]
fn RecentLookUps(glance: Resource<Result<Glance, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card glance-card" id="recent-access" aria-labelledby="recent-access-heading">
            <h2 id="recent-access-heading">{t!(i18n, auth.account.recent_heading)}</h2>
            <Suspense fallback=move || view! { <p>{t!(i18n, auth.account.loading)}</p> }>
                {move || {
                    glance
                        .get()
                        .map(|result| match result {
                            Ok(glance) => view! { <LogEntries entries=glance.recent for_customer=true/> }.into_any(),
                            Err(error) => view! { <ErrorText error/> }.into_any(),
                        })
                }}
            </Suspense>
            <p><A href="/account/access-log">{t!(i18n, auth.account.whole_log)}</A></p>
        </section>
    }
}
