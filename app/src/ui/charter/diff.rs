//! `/charter/diff?from=a&to=b&lang=fr|en`: the words added and removed between two versions. Each change is marked
//! three ways, so that colour is never the only sign: `<ins>`/`<del>` (underlined, struck through), a visible sign
//! (+ or −) before it, and words a screen reader reads out at its start and end.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::reader_lang;
use crate::api::{get_charter_diff, Change, CharterDiff, DiffPart};
use crate::i18n::*;
use crate::ui::forms::ErrorText;
use crate::ui::locale::{count, current_locale};
use crate::ui::title::PageTitle;

#[component]
pub fn DiffPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let asked =
        query.with_untracked(|query| (query.get("from"), query.get("to"), query.get("lang")));
    let diff = Resource::new(
        move || asked.clone(),
        |(from, to, lang)| get_charter_diff(from, to, lang),
    );
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), charter.diff_title)/>
        <h1>{t!(i18n, charter.diff_title)}</h1>
        <p class="lead">
            <a href="/charter">{t!(i18n, charter.in_force_link)}</a> " · "
            <a href="/charter/history">{t!(i18n, charter.history)}</a>
        </p>
        <Suspense fallback=move || view! { <p>{t!(i18n, charter.loading)}</p> }>
            {move || {
                diff.get()
                    .map(|result| match result {
                        Ok(diff) => view! { <Compared diff/> }.into_any(),
                        Err(error) => view! { <ErrorText error id="diff-error"/> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn Compared(diff: CharterDiff) -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
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
                let number = *number;
                view! {
                    <option value=number.to_string() selected=number == chosen>
                        {td_string!(locale, charter.version, number).to_string()}
                    </option>
                }
            })
            .collect_view()
    };
    let english = language == "en";
    let added = count(locale, added as u64);
    let removed = count(locale, removed as u64);
    view! {
        // A plain GET form: the comparison lives in the address, and works without JavaScript.
        <form method="get" action="/charter/diff" class="form inline-choices" id="diff-form">
            <div class="field">
                <label for="diff-from">{t!(i18n, charter.diff.from)}</label>
                <select id="diff-from" name="from">{options(from)}</select>
            </div>
            <div class="field">
                <label for="diff-to">{t!(i18n, charter.diff.to)}</label>
                <select id="diff-to" name="to">{options(to)}</select>
            </div>
            <fieldset class="field choices">
                <legend>{t!(i18n, charter.diff.text)}</legend>
                <label class="choice">
                    <input type="radio" name="lang" value="fr" checked=!english/> " " {t!(i18n, charter.diff.french)}
                </label>
                <label class="choice">
                    <input type="radio" name="lang" value="en" checked=english/> " " {t!(i18n, charter.diff.english)}
                </label>
            </fieldset>
            <button type="submit" class="button">{t!(i18n, charter.diff.compare)}</button>
        </form>
        <p id="diff-summary" role="status">
            {t!(i18n, charter.diff.summary_versions, from, to)} " "
            {t!(
                i18n,
                charter.diff.summary_counts,
                <added_count> = <strong id="added-count"/>,
                added,
                <removed_count> = <strong id="removed-count"/>,
                removed
            )}
        </p>
        <Legend/>
        <DiffText parts language/>
    }
}

/// How to read the marks.
#[component]
fn Legend() -> impl IntoView {
    let i18n = use_i18n();
    let added = |children: ChildrenFn| {
        view! { <ins><span class="diff-sign" aria-hidden="true">"+"</span>{children()}</ins> }
    };
    let removed = |children: ChildrenFn| {
        view! { <del><span class="diff-sign" aria-hidden="true">"−"</span>{children()}</del> }
    };
    view! {
        <p class="diff-legend muted" id="diff-legend">
            {t!(i18n, charter.diff.legend, <ins> = added, <del> = removed)}
        </p>
    }
}

/// The text with its changes marked; also the draft's comparison on the privacy officer's page. The marks a screen
/// reader reads out are in the reader's language, whichever language the text is in.
#[component]
pub fn DiffText(parts: Vec<DiffPart>, language: String) -> impl IntoView {
    let i18n = use_i18n();
    if parts.iter().all(|part| part.change == Change::Same) {
        return view! { <p class="muted" id="no-changes">{t!(i18n, charter.diff.no_changes)}</p> }
            .into_any();
    }
    let lang = reader_lang();
    view! {
        <div class="diff" id="diff" lang=language>
            {parts
                .into_iter()
                .map(|part| match part.change {
                    Change::Same => view! { <span>{part.text}</span> }.into_any(),
                    Change::Added => view! {
                        <ins>
                            <span class="visually-hidden" lang=lang>{t!(i18n, charter.diff.added_start)} " "</span>
                            <span class="diff-sign" aria-hidden="true">"+"</span>
                            {part.text}
                            <span class="visually-hidden" lang=lang>" " {t!(i18n, charter.diff.added_end)}</span>
                        </ins>
                    }
                        .into_any(),
                    Change::Removed => view! {
                        <del>
                            <span class="visually-hidden" lang=lang>{t!(i18n, charter.diff.removed_start)} " "</span>
                            <span class="diff-sign" aria-hidden="true">"−"</span>
                            {part.text}
                            <span class="visually-hidden" lang=lang>" " {t!(i18n, charter.diff.removed_end)}</span>
                        </del>
                    }
                        .into_any(),
                })
                .collect_view()}
        </div>
    }
    .into_any()
}
