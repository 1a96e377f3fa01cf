//! The version in force, one version at its permanent address, and the history.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use super::{day, status_name, words};
use crate::api::{get_charter, list_charter_versions, CharterPage as Page, VersionStatus};
use crate::ui::consent_parts::when;

/// `/charter`: the version in force.
#[component]
pub fn CharterPage() -> impl IntoView {
    let page = Resource::new(|| (), |_| get_charter(None));
    view! {
        <Title text=words::TITLE/>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || page.get().map(|result| view! { <Shown result/> })}
        </Suspense>
    }
}

/// `/charter/v/{n}`: a version's permanent address.
#[component]
pub fn VersionPage() -> impl IntoView {
    let params = use_params_map();
    let page = Resource::new(
        move || params.with(|params| params.get("number").unwrap_or_default()),
        |number| get_charter(Some(number)),
    );
    view! {
        <Title text=words::TITLE/>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || page.get().map(|result| view! { <Shown result/> })}
        </Suspense>
    }
}

#[component]
fn Shown(result: Result<Page, crate::api::AppError>) -> impl IntoView {
    match result {
        Ok(page) => view! { <Version page/> }.into_any(),
        Err(error) => view! {
            <h1>{words::TITLE}</h1>
            <p class="form-error" role="alert" id="charter-error">{error.to_string()}</p>
            <p><a href="/charter/history">{words::HISTORY}</a></p>
        }
        .into_any(),
    }
}

#[component]
fn Version(page: Page) -> impl IntoView {
    let number = page.number;
    let standing = match page.status {
        VersionStatus::InForce => format!("en vigueur depuis le {}", day(page.effective_on)),
        VersionStatus::Upcoming => format!("en vigueur dès le {}", day(page.effective_on)),
        VersionStatus::Superseded => format!(
            "en vigueur dès le {}, remplacée depuis",
            day(page.effective_on)
        ),
    };
    let newer = page
        .in_force
        .filter(|current| *current != number)
        .map(|current| {
            view! {
                <p class="notice" role="note" id="not-in-force">
                    "Cette version n’est pas celle en vigueur : "
                    <a href="/charter">"lire la version " {current} " en vigueur"</a> "."
                </p>
            }
        });
    let changes = page.previous.map(|previous| {
        view! {
            <a href=format!("/charter/diff?from={previous}&to={number}") id="diff-link">
                "Ce qui a changé depuis la version " {previous}
            </a>
            " · "
        }
    });
    view! {
        <h1>{words::TITLE}</h1>
        <p class="lead" id="charter-version" data-version=number.to_string() data-status=status_name(page.status)>
            "Version " {number} ", " {standing} "."
        </p>
        {newer}
        <p class="muted">
            "Publiée le " {when(page.published_at)} ". " {page.summary.clone()}
        </p>
        <nav class="sub-nav" aria-label="Charte">
            {changes}
            <A href="/charter/history">{words::HISTORY}</A>
            " · "
            <a href=format!("/charter/v/{number}") id="permalink">"Adresse permanente de la version " {number}</a>
        </nav>
        <div class="charter-columns">
            <article class="charter-text" lang="fr" id="charter-fr" aria-labelledby="charter-fr-title">
                <p class="charter-label" id="charter-fr-title">{words::FRENCH}</p>
                <div inner_html=page.html_fr></div>
            </article>
            <article class="charter-text translation" lang="en" id="charter-en" aria-labelledby="charter-en-title">
                <p class="charter-label" id="charter-en-title">{words::ENGLISH}</p>
                <p class="notice" id="translation-note">{words::ENGLISH_NOTE}</p>
                <div inner_html=page.html_en></div>
            </article>
        </div>
    }
}

/// `/charter/history`: every version with its date of effect.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let history = Resource::new(|| (), |_| list_charter_versions());
    view! {
        <Title text=words::HISTORY/>
        <h1>{words::HISTORY}</h1>
        <p class="lead">
            "Chaque version de la charte reste consultable à son adresse permanente. "
            <a href="/charter">"La version en vigueur"</a> " · " <a href="/charter/diff">"Comparer deux versions"</a>
        </p>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || {
                history
                    .get()
                    .map(|result| match result {
                        Ok(versions) => view! {
                            <table class="history" id="charter-history">
                                <caption class="visually-hidden">{words::HISTORY}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Version"</th>
                                        <th scope="col">"En vigueur dès le"</th>
                                        <th scope="col">"État"</th>
                                        <th scope="col">"Ce qui change"</th>
                                        <th scope="col">"Différences"</th>
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
                                                    <th scope="row"><a href=format!("/charter/v/{number}")>"Version " {number}</a></th>
                                                    <td>{day(version.effective_on)}</td>
                                                    <td class="status">{status_name(version.status)}</td>
                                                    <td class="prewrap">{version.summary}</td>
                                                    <td>
                                                        {(number > 1).then(|| view! {
                                                            <a href=format!("/charter/diff?from={}&to={number}", number - 1)>
                                                                "avec la version " {number - 1}
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
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    })
            }}
        </Suspense>
    }
}
