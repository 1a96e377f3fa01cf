//! The privacy officer's charter page: the working draft of the next version (Markdown, French and English), its
//! preview rendered safely, its differences with the version in force, and publication with a date of effect and a
//! summary, which sends the terms-change notice to every customer.

use leptos::prelude::*;

use super::log::PrivacyNav;
use crate::api::{
    get_charter_draft, DraftView, PublishCharter, SaveCharterDraft, SendCharterNotice,
};
use crate::i18n::*;
use crate::ui::charter::DiffText;
use crate::ui::consent_parts::{action_error, returned_error, when};
use crate::ui::forms::{form_error, query_flag, ErrorSummary, ErrorText, Outcome, ShownError};
use crate::ui::locale::{count, current_locale, day};
use crate::ui::title::PageTitle;

#[component]
fn Done() -> impl IntoView {
    let i18n = use_i18n();
    let done = query_flag("done");
    let version = query_flag("version");
    let customers = query_flag("customers");
    let number = move || version.get().unwrap_or_default();
    let customers = move || customers.get().unwrap_or_default();
    move || {
        done.get().and_then(|flag| match flag.as_str() {
            "saved" => Some(
                view! { <Outcome id=Some("done-notice")>{t!(i18n, privacy.charter.done_saved)}</Outcome> }
                    .into_any(),
            ),
            "published" => Some(
                view! {
                    <Outcome id=Some("done-notice")>
                        {t!(
                            i18n,
                            privacy.charter.done_published,
                            <version> = <strong id="published-version"/>,
                            number,
                            <count> = <strong id="queued-count"/>,
                            customers
                        )}
                    </Outcome>
                }
                    .into_any(),
            ),
            "published-without-notice" => Some(
                view! {
                    <Outcome failed=true id=Some("done-notice")>
                        {t!(i18n, privacy.charter.done_not_notified)}
                    </Outcome>
                }
                    .into_any(),
            ),
            _ => None,
        })
    }
}

/// What goes between `<textarea>` and `</textarea>`. The server writes a text area's children as they are (the
/// browser reads them as text, but a `</textarea>` inside would end it and let what follows be read as HTML), so on
/// the server the text is escaped; in the browser it becomes a text node, which is never read as HTML.
fn textarea_content(value: String) -> String {
    if cfg!(feature = "ssr") {
        value
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        value
    }
}

/// A Markdown text area that starts with `value` and shows its own error.
#[component]
fn MarkdownArea(
    name: &'static str,
    label: &'static str,
    lang: &'static str,
    value: String,
    error: Signal<Option<ShownError>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let mine = move || {
        error
            .get()
            .filter(|error| error.field.as_deref() == Some(name))
            .map(|error| error.message)
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                lang=lang
                rows="18"
                class="markdown"
                required=true
                aria-invalid=move || mine().is_some().then_some("true")
                aria-describedby=move || mine().map(|_| error_id.clone())
            >
                {textarea_content(value)}
            </textarea>
            <Show when=move || mine().is_some()>
                <p class="field-error" id=format!("field-{name}-error")>{mine}</p>
            </Show>
        </div>
    }
}

#[component]
pub fn CharterDraftPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveCharterDraft>::new();
    let publish = ServerAction::<PublishCharter>::new();
    let resend = ServerAction::<SendCharterNotice>::new();
    let draft = Resource::new(|| (), |_| get_charter_draft());
    let save_error = form_error(save.value());
    let publish_error = form_error(publish.value());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), privacy.charter.title)/>
        <h1>{t!(i18n, privacy.charter.title)}</h1>
        <PrivacyNav/>
        <Done/>
        <ErrorSummary error=action_error(resend.value())/>
        <Suspense fallback=move || view! { <p>{t!(i18n, privacy.loading)}</p> }>
            {move || {
                draft
                    .get()
                    .map(|result| match result {
                        Ok(data) => view! { <Draft data save publish resend save_error publish_error/> }.into_any(),
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn Draft(
    data: DraftView,
    save: ServerAction<SaveCharterDraft>,
    publish: ServerAction<PublishCharter>,
    resend: ServerAction<SendCharterNotice>,
    save_error: Signal<Option<ShownError>>,
    publish_error: Signal<Option<ShownError>>,
) -> impl IntoView {
    let DraftView {
        text_fr,
        text_en,
        revision,
        updated_by,
        updated_at,
        preview_fr,
        preview_en,
        diff,
        in_force,
        next,
        earliest,
        history,
    } = data;
    let i18n = use_i18n();
    let locale = current_locale();
    // The date field's own format, which is also unambiguous in the hint whatever the reader's language.
    let earliest = earliest.format("%Y-%m-%d").to_string();
    let saved = revision.map(|revision| {
        let by = updated_by.clone().unwrap_or_default();
        let at = updated_at.map(when).unwrap_or_default();
        let diff_heading = match in_force {
            Some(number) => td_string!(locale, privacy.charter.diff_heading_in_force, number).to_string(),
            None => td_string!(locale, privacy.charter.diff_heading).to_owned(),
        };
        view! {
            <section aria-labelledby="preview-heading" id="preview">
                <h2 id="preview-heading">{t!(i18n, privacy.charter.preview_heading)}</h2>
                <p class="muted">{t!(i18n, privacy.charter.saved_by, by, at, revision)}</p>
                <div class="charter-columns">
                    <article class="charter-text" lang="fr" id="preview-fr">
                        <p class="charter-label">{t!(i18n, privacy.charter.original_label)}</p>
                        <div inner_html=preview_fr></div>
                    </article>
                    <article class="charter-text translation" lang="en" id="preview-en">
                        <p class="charter-label">{t!(i18n, privacy.charter.translation_label)}</p>
                        <div inner_html=preview_en></div>
                    </article>
                </div>
            </section>
            <section aria-labelledby="draft-diff-heading">
                <h2 id="draft-diff-heading">{diff_heading}</h2>
                <DiffText parts=diff language="fr".to_owned()/>
            </section>
            <section aria-labelledby="publish-heading">
                <h2 id="publish-heading">{t!(i18n, privacy.charter.publish_heading, next)}</h2>
                <p>{t!(i18n, privacy.charter.publish_lead)}</p>
                <ActionForm action=publish attr:class="form" attr:id="publish-form">
                    <ErrorSummary error=publish_error/>
                    <input type="hidden" name="revision" value=revision.to_string()/>
                    <div class="field">
                        <label for="field-effective_on">{t!(i18n, privacy.charter.effective_on_label)}</label>
                        <p class="hint" id="field-effective_on-hint">
                            {t!(i18n, privacy.charter.effective_on_hint, earliest = earliest.clone())}
                        </p>
                        <input
                            id="field-effective_on"
                            name="effective_on"
                            type="date"
                            min=earliest.clone()
                            value=earliest.clone()
                            required=true
                            aria-describedby="field-effective_on-hint"
                        />
                    </div>
                    <div class="field">
                        <label for="field-summary">{t!(i18n, privacy.charter.summary_label)}</label>
                        <p class="hint" id="field-summary-hint">{t!(i18n, privacy.charter.summary_hint)}</p>
                        <textarea id="field-summary" name="summary" rows="4" required=true aria-describedby="field-summary-hint"></textarea>
                    </div>
                    <button type="submit" class="button">{t!(i18n, privacy.charter.publish_button, next)}</button>
                </ActionForm>
            </section>
        }
    });
    view! {
        <section aria-labelledby="draft-heading">
            <h2 id="draft-heading">{t!(i18n, privacy.charter.draft_heading, next)}</h2>
            <p class="hint">{t!(i18n, privacy.charter.markdown_hint)}</p>
            <ActionForm action=save attr:class="form" attr:id="draft-form">
                <ErrorSummary error=save_error/>
                <MarkdownArea
                    name="text_fr"
                    label=td_string!(locale, privacy.charter.text_fr_label)
                    lang="fr"
                    value=text_fr
                    error=save_error
                />
                <MarkdownArea
                    name="text_en"
                    label=td_string!(locale, privacy.charter.text_en_label)
                    lang="en"
                    value=text_en
                    error=save_error
                />
                <button type="submit" class="button">{t!(i18n, privacy.charter.save_button)}</button>
            </ActionForm>
        </section>
        {saved}
        <section aria-labelledby="versions-heading">
            <h2 id="versions-heading">{t!(i18n, privacy.charter.versions_heading)}</h2>
            <ErrorSummary error=returned_error()/>
            <ul class="cards" id="published-versions">
                {history
                    .into_iter()
                    .rev()
                    .map(|version| {
                        let number = version.number;
                        let notice = match version.notified {
                            Some(customers) => {
                                let customers = count(locale, customers);
                                view! { <span>{t!(i18n, privacy.charter.notice_sent, customers)}</span> }.into_any()
                            }
                            None if number > 1 => view! {
                                <ActionForm action=resend attr:class="inline-form">
                                    <input type="hidden" name="version" value=number.to_string()/>
                                    <button type="submit" class="button secondary">{t!(i18n, privacy.charter.send_notice)}</button>
                                </ActionForm>
                            }
                                .into_any(),
                            None => view! { <span>{t!(i18n, privacy.charter.initial_version)}</span> }.into_any(),
                        };
                        view! {
                            <li class="card" data-version=number.to_string()>
                                <h3><a href=format!("/charter/v/{number}")>{t!(i18n, privacy.charter.version_link, number)}</a></h3>
                                <p class="muted">
                                    {t!(i18n, privacy.charter.in_force_from, day = day(locale, version.effective_on))} " · "
                                    {notice}
                                </p>
                                <p class="prewrap">{version.summary}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
