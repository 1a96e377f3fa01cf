//! The version in force, one version at its permanent address, and the history.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use super::{day, reader_lang, status_name};
use crate::api::{
    get_charter, list_charter_versions, AppError, CharterPage as Page, VersionStatus,
};
use crate::i18n::*;
use crate::ui::consent_parts::when;
use crate::ui::forms::ErrorText;
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

/// `/charter`: the version in force.
#[component]
pub fn CharterPage() -> impl IntoView {
    let i18n = use_i18n();
    let page = Resource::new(|| (), |_| get_charter(None));
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), charter.title)/>
        <Suspense fallback=move || view! { <p>{t!(i18n, charter.loading)}</p> }>
            {move || page.get().map(|result| view! { <Shown result/> })}
        </Suspense>
    }
}

/// `/charter/v/{n}`: a version's permanent address.
#[component]
pub fn VersionPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let number = params.with_untracked(|params| params.get("number").unwrap_or_default());
    let page = Resource::new(move || number.clone(), |number| get_charter(Some(number)));
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), charter.title)/>
        <Suspense fallback=move || view! { <p>{t!(i18n, charter.loading)}</p> }>
            {move || page.get().map(|result| view! { <Shown result/> })}
        </Suspense>
    }
}

#[component]
fn Shown(result: Result<Page, AppError>) -> impl IntoView {
    let i18n = use_i18n();
    match result {
        Ok(page) => view! { <Version page/> }.into_any(),
        Err(error) => view! {
            <h1>{t!(i18n, charter.title)}</h1>
            <ErrorText error id="charter-error"/>
            <p><a href="/charter/history">{t!(i18n, charter.history)}</a></p>
        }
        .into_any(),
    }
}

#[component]
fn Version(page: Page) -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let number = page.number;
    let date = day(page.effective_on);
    let standing = match page.status {
        VersionStatus::InForce => td_string!(locale, charter.page.in_force, number, date),
        VersionStatus::Upcoming => td_string!(locale, charter.page.upcoming, number, date),
        VersionStatus::Superseded => td_string!(locale, charter.page.superseded, number, date),
    }
    .to_string();
    let newer = page
        .in_force
        .filter(|current| *current != number)
        .map(|current| {
            view! {
                <p class="notice" role="note" id="not-in-force">
                    {t!(i18n, charter.page.not_in_force, <a> = <a href="/charter"/>, number = current)}
                </p>
            }
        });
    let changes = page.previous.map(|previous| {
        view! {
            <a href=format!("/charter/diff?from={previous}&to={number}") id="diff-link">
                {t!(i18n, charter.page.changes_since, number = previous)}
            </a>
            " · "
        }
    });
    let published = {
        let at = when(page.published_at);
        td_string!(locale, charter.page.published, at).to_string()
    };
    view! {
        <h1>{t!(i18n, charter.title)}</h1>
        // Read by tests and styles, so the same whatever the reader's language.
        <p class="lead" id="charter-version" data-version=number.to_string() data-status=status_name(Locale::fr, page.status)>
            {standing}
        </p>
        {newer}
        <p class="muted">
            {published} " " {page.summary.clone()}
        </p>
        <nav class="sub-nav" aria-label=move || t_string!(i18n, charter.page.nav)>
            {changes}
            <A href="/charter/history">{t!(i18n, charter.history)}</A>
            " · "
            <a href=format!("/charter/v/{number}") id="permalink">{t!(i18n, charter.page.permalink, number)}</a>
        </nav>
        <div class="charter-columns">
            <article class="charter-text" lang="fr" id="charter-fr" aria-labelledby="charter-fr-title">
                <p class="charter-label" id="charter-fr-title" lang=reader_lang()>{t!(i18n, charter.french_label)}</p>
                <div inner_html=page.html_fr></div>
            </article>
            // The English column's own words stay in English in both languages, like the translation they introduce.
            <article class="charter-text translation" lang="en" id="charter-en" aria-labelledby="charter-en-title">
                <p class="charter-label" id="charter-en-title">{t!(i18n, charter.english_label)}</p>
                <p class="notice" id="translation-note">{t!(i18n, charter.english_note)}</p>
                <div inner_html=page.html_en></div>
            </article>
        </div>
        <section class="log-key" id="log-key" aria-labelledby="log-key-title">
            <h2 id="log-key-title">{t!(i18n, charter.log_key.title)}</h2>
            <p>{t!(i18n, charter.log_key.lead)}</p>
            <p>
                {t!(i18n, charter.log_key.origin)} " " <code id="log-origin">{page.log_origin}</code>
                <br/>
                {t!(i18n, charter.log_key.key)} " " <code id="log-public-key" class="breakable">{page.log_public_key}</code>
            </p>
            <p class="muted">{t!(i18n, charter.log_key.compare, <a> = <a href="/api/v1/log/checkpoint"/>)}</p>
        </section>
    }
}

/// `/charter/history`: every version with its date of effect.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let history = Resource::new(|| (), |_| list_charter_versions());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), charter.history)/>
        <h1>{t!(i18n, charter.history)}</h1>
        <p class="lead">
            {t!(i18n, charter.history_page.lead)} " "
            <a href="/charter">{t!(i18n, charter.in_force_link)}</a> " · "
            <a href="/charter/diff">{t!(i18n, charter.history_page.compare)}</a>
        </p>
        <Suspense fallback=move || view! { <p>{t!(i18n, charter.loading)}</p> }>
            {move || {
                history
                    .get()
                    .map(|result| match result {
                        Ok(versions) => view! {
                            <table class="history" id="charter-history">
                                <caption class="visually-hidden">{t!(i18n, charter.history)}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">{t!(i18n, charter.history_page.version)}</th>
                                        <th scope="col">{t!(i18n, charter.history_page.effective_on)}</th>
                                        <th scope="col">{t!(i18n, charter.history_page.status)}</th>
                                        <th scope="col">{t!(i18n, charter.history_page.summary)}</th>
                                        <th scope="col">{t!(i18n, charter.history_page.differences)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {versions
                                        .into_iter()
                                        .rev()
                                        .map(|version| {
                                            let number = version.number;
                                            view! {
                                                <tr data-version=number.to_string()>
                                                    <th scope="row">
                                                        <a href=format!("/charter/v/{number}")>{t!(i18n, charter.version, number)}</a>
                                                    </th>
                                                    <td>{day(version.effective_on)}</td>
                                                    <td class="status">{status_name(locale, version.status)}</td>
                                                    <td class="prewrap">{version.summary}</td>
                                                    <td>
                                                        {(number > 1).then(|| view! {
                                                            <a href=format!("/charter/diff?from={}&to={number}", number - 1)>
                                                                {t!(i18n, charter.history_page.with_version, number = number - 1)}
                                                            </a>
                                                        })}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any(),
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    })
            }}
        </Suspense>
    }
}
