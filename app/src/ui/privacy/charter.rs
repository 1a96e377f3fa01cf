//! The privacy officer's charter page: the working draft of the next version (Markdown, French and English), its
//! preview rendered safely, its differences with the version in force, and publication with a date of effect and a
//! summary, which sends the terms-change notice to every customer.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use super::log::PrivacyNav;
use crate::api::{
    get_charter_draft, DraftView, PublishCharter, SaveCharterDraft, SendCharterNotice,
};
use crate::ui::charter::{day, DiffText};
use crate::ui::consent_parts::{action_error, returned_error, when};
use crate::ui::forms::{form_error, query_flag, ErrorSummary, ShownError};

mod words {
    pub const TITLE: &str = "Charte de confidentialité : nouvelle version";
    pub const SAVED: &str =
        "Brouillon enregistré : vérifiez l’aperçu et les différences ci-dessous.";
    pub const PUBLISHED: &str = "Version publiée ; avis de modification mis en file d’envoi pour";
    pub const NOT_NOTIFIED: &str =
        "La version est publiée, mais l’avis aux clients n’a pas pu être mis en file d’envoi : envoyez-le ci-dessous.";
}

#[component]
fn Done() -> impl IntoView {
    let done = query_flag("done");
    let version = query_flag("version");
    let customers = query_flag("customers");
    move || {
        done.get().and_then(|flag| match flag.as_str() {
            "saved" => Some(view! { <p class="notice" role="status" id="done-notice">{words::SAVED}</p> }.into_any()),
            "published" => Some(
                view! {
                    <p class="notice" role="status" id="done-notice">
                        "Version " <strong id="published-version">{version.get().unwrap_or_default()}</strong> " : "
                        {words::PUBLISHED} " " <strong id="queued-count">{customers.get().unwrap_or_default()}</strong>
                        " client(s)."
                    </p>
                }
                    .into_any(),
            ),
            "published-without-notice" => Some(
                view! { <p class="form-error" role="alert" id="done-notice">{words::NOT_NOTIFIED}</p> }.into_any(),
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
    let save = ServerAction::<SaveCharterDraft>::new();
    let publish = ServerAction::<PublishCharter>::new();
    let resend = ServerAction::<SendCharterNotice>::new();
    let location = use_location();
    let draft = Resource::new(
        move || {
            (
                location.search.get(),
                save.version().get(),
                publish.version().get(),
                resend.version().get(),
            )
        },
        |_| get_charter_draft(),
    );
    let save_error = form_error(save.value());
    let publish_error = form_error(publish.value());
    view! {
        <Title text=words::TITLE/>
        <h1>{words::TITLE}</h1>
        <PrivacyNav/>
        <Done/>
        <ErrorSummary error=action_error(resend.value())/>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || {
                draft
                    .get()
                    .map(|result| match result {
                        Ok(data) => view! { <Draft data save publish resend save_error publish_error/> }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
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
    let earliest = earliest.format("%Y-%m-%d").to_string();
    let saved = revision.map(|revision| {
        let by = updated_by.clone().unwrap_or_default();
        let at = updated_at.map(when).unwrap_or_default();
        view! {
            <section aria-labelledby="preview-heading" id="preview">
                <h2 id="preview-heading">"Aperçu du brouillon"</h2>
                <p class="muted">"Enregistré par " {by} " le " {at} " (révision " {revision} ")."</p>
                <div class="charter-columns">
                    <article class="charter-text" lang="fr" id="preview-fr">
                        <p class="charter-label">"Texte original (français)"</p>
                        <div inner_html=preview_fr></div>
                    </article>
                    <article class="charter-text translation" lang="en" id="preview-en">
                        <p class="charter-label">"English translation"</p>
                        <div inner_html=preview_en></div>
                    </article>
                </div>
            </section>
            <section aria-labelledby="draft-diff-heading">
                <h2 id="draft-diff-heading">
                    "Différences avec la version en vigueur"
                    {in_force.map(|number| format!(" (version {number})"))}
                </h2>
                <DiffText parts=diff language="fr".to_owned()/>
            </section>
            <section aria-labelledby="publish-heading">
                <h2 id="publish-heading">"Publier la version " {next}</h2>
                <p>
                    "La publication est définitive. Chaque client reçoit l’avis de modification (qui ne peut pas être désactivé) et devra en prendre connaissance à sa prochaine visite."
                </p>
                <ActionForm action=publish attr:class="form" attr:id="publish-form">
                    <ErrorSummary error=publish_error/>
                    <input type="hidden" name="revision" value=revision.to_string()/>
                    <div class="field">
                        <label for="field-effective_on">"En vigueur dès le"</label>
                        <p class="hint" id="field-effective_on-hint">"Aujourd’hui ou plus tard (au plus tôt le " {earliest.clone()} ")."</p>
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
                        <label for="field-summary">"Ce qui change, en quelques phrases"</label>
                        <p class="hint" id="field-summary-hint">"C’est le texte de l’avis envoyé aux clients."</p>
                        <textarea id="field-summary" name="summary" rows="4" required=true aria-describedby="field-summary-hint"></textarea>
                    </div>
                    <button type="submit" class="button">"Publier la version " {next} " et informer les clients"</button>
                </ActionForm>
            </section>
        }
    });
    view! {
        <section aria-labelledby="draft-heading">
            <h2 id="draft-heading">"Brouillon de la version " {next}</h2>
            <p class="hint">
                "Markdown : # titre, ## section, paragraphes séparés par une ligne vide. Le HTML n’est jamais interprété : il s’affiche tel quel."
            </p>
            <ActionForm action=save attr:class="form" attr:id="draft-form">
                <ErrorSummary error=save_error/>
                <MarkdownArea name="text_fr" label="Texte français (fait foi)" lang="fr" value=text_fr error=save_error/>
                <MarkdownArea name="text_en" label="Traduction anglaise" lang="en" value=text_en error=save_error/>
                <button type="submit" class="button">"Enregistrer et prévisualiser"</button>
            </ActionForm>
        </section>
        {saved}
        <section aria-labelledby="versions-heading">
            <h2 id="versions-heading">"Versions publiées"</h2>
            <ErrorSummary error=returned_error()/>
            <ul class="cards" id="published-versions">
                {history
                    .into_iter()
                    .rev()
                    .map(|version| {
                        let number = version.number;
                        let notice = match version.notified {
                            Some(customers) => view! { <span>"avis envoyé à " {customers} " client(s)"</span> }.into_any(),
                            None if number > 1 => view! {
                                <ActionForm action=resend attr:class="inline-form">
                                    <input type="hidden" name="version" value=number.to_string()/>
                                    <button type="submit" class="button secondary">"Envoyer l’avis aux clients"</button>
                                </ActionForm>
                            }
                                .into_any(),
                            None => view! { <span>"version initiale"</span> }.into_any(),
                        };
                        view! {
                            <li class="card" data-version=number.to_string()>
                                <h3><a href=format!("/charter/v/{number}")>"Version " {number}</a></h3>
                                <p class="muted">"En vigueur dès le " {day(version.effective_on)} " · " {notice}</p>
                                <p class="prewrap">{version.summary}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
