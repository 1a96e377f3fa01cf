//! `/charter/diff?from=a&to=b&lang=fr|en`: the words added and removed between two versions. Each change is marked
//! three ways, so that colour is never the only sign: `<ins>`/`<del>` (underlined, struck through), a visible sign
//! (+ or −) before it, and words a screen reader reads out at its start and end.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::words;
use crate::api::{get_charter_diff, Change, CharterDiff, DiffPart};

#[component]
pub fn DiffPage() -> impl IntoView {
    let query = use_query_map();
    let diff = Resource::new(
        move || query.with(|query| (query.get("from"), query.get("to"), query.get("lang"))),
        |(from, to, lang)| get_charter_diff(from, to, lang),
    );
    view! {
        <Title text=words::DIFF/>
        <h1>{words::DIFF}</h1>
        <p class="lead">
            <a href="/charter">"La version en vigueur"</a> " · " <a href="/charter/history">{words::HISTORY}</a>
        </p>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || {
                diff.get()
                    .map(|result| match result {
                        Ok(diff) => view! { <Compared diff/> }.into_any(),
                        Err(error) => view! {
                            <p class="form-error" role="alert" id="diff-error">{error.to_string()}</p>
                        }
                            .into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn Compared(diff: CharterDiff) -> impl IntoView {
    let CharterDiff {
        from,
        to,
        language,
        parts,
        added,
        removed,
        versions,
    } = diff;
    let options = move |chosen: u32| {
        versions
            .iter()
            .map(|number| {
                view! { <option value=number.to_string() selected=*number == chosen>"Version " {*number}</option> }
            })
            .collect_view()
    };
    let english = language == "en";
    view! {
        // A plain GET form: the comparison lives in the address, and works without JavaScript.
        <form method="get" action="/charter/diff" class="form inline-choices" id="diff-form">
            <div class="field">
                <label for="diff-from">"De la version"</label>
                <select id="diff-from" name="from">{options(from)}</select>
            </div>
            <div class="field">
                <label for="diff-to">"à la version"</label>
                <select id="diff-to" name="to">{options(to)}</select>
            </div>
            <fieldset class="field choices">
                <legend>"Texte"</legend>
                <label class="choice"><input type="radio" name="lang" value="fr" checked=!english/> " français (fait foi)"</label>
                <label class="choice"><input type="radio" name="lang" value="en" checked=english/> " anglais (traduction)"</label>
            </fieldset>
            <button type="submit" class="button">"Comparer"</button>
        </form>
        <p id="diff-summary" role="status">
            "De la version " {from} " à la version " {to} " : " <strong id="added-count">{added}</strong> " ajout(s), "
            <strong id="removed-count">{removed}</strong> " suppression(s)."
        </p>
        <Legend/>
        <DiffText parts language/>
    }
}

/// How to read the marks.
#[component]
fn Legend() -> impl IntoView {
    view! {
        <p class="diff-legend muted" id="diff-legend">
            "Légende : "
            <ins><span class="diff-sign" aria-hidden="true">"+"</span>"texte ajouté"</ins>
            " (souligné, précédé de +) ; "
            <del><span class="diff-sign" aria-hidden="true">"−"</span>"texte supprimé"</del>
            " (barré, précédé de −)."
        </p>
    }
}

/// The text with its changes marked; also the draft's comparison on the privacy officer's page.
#[component]
pub fn DiffText(parts: Vec<DiffPart>, language: String) -> impl IntoView {
    if parts.iter().all(|part| part.change == Change::Same) {
        return view! { <p class="muted" id="no-changes">"Aucune différence entre ces deux textes."</p> }.into_any();
    }
    view! {
        <div class="diff" id="diff" lang=language>
            {parts
                .into_iter()
                .map(|part| match part.change {
                    Change::Same => view! { <span>{part.text}</span> }.into_any(),
                    Change::Added => view! {
                        <ins>
                            <span class="visually-hidden">"[début d’ajout] "</span>
                            <span class="diff-sign" aria-hidden="true">"+"</span>
                            {part.text}
                            <span class="visually-hidden">" [fin d’ajout]"</span>
                        </ins>
                    }
                        .into_any(),
                    Change::Removed => view! {
                        <del>
                            <span class="visually-hidden">"[début de suppression] "</span>
                            <span class="diff-sign" aria-hidden="true">"−"</span>
                            {part.text}
                            <span class="visually-hidden">" [fin de suppression]"</span>
                        </del>
                    }
                        .into_any(),
                })
                .collect_view()}
        </div>
    }
    .into_any()
}
