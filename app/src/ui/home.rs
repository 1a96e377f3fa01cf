use leptos::prelude::*;

use crate::i18n::*;
use crate::ui::title::PageTitle;

/// The charter's promises as the portal keeps them, one line each, with the clause they come from.
fn promises(locale: Locale) -> [(&'static str, &'static str, &'static str); 6] {
    [
        (
            "§1",
            td_string!(locale, home.data_title),
            td_string!(locale, home.data_detail),
        ),
        (
            "§2",
            td_string!(locale, home.audit_title),
            td_string!(locale, home.audit_detail),
        ),
        (
            "§3",
            td_string!(locale, home.disclosure_title),
            td_string!(locale, home.disclosure_detail),
        ),
        (
            "§4.2",
            td_string!(locale, home.backup_space_title),
            td_string!(locale, home.backup_space_detail),
        ),
        (
            "§5",
            td_string!(locale, home.mailbox_title),
            td_string!(locale, home.mailbox_detail),
        ),
        (
            "§6",
            td_string!(locale, home.backups_title),
            td_string!(locale, home.backups_detail),
        ),
    ]
}

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <PageTitle text=td_string!(locale, home.title)/>
        <h1>{t!(i18n, home.heading)}</h1>
        <p class="lead">{t!(i18n, home.lead)}</p>
        <PromisesToggle
            show=td_string!(locale, home.show_details).to_owned()
            hide=td_string!(locale, home.hide_details).to_owned()
        >
            <ul id="promises" class="promises">
                {promises(locale)
                    .into_iter()
                    .map(|(clause, title, detail)| {
                        view! {
                            <li>
                                <span class="clause">{clause}</span>
                                <strong>{title}</strong>
                                <p class="detail">{detail}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </PromisesToggle>
    }
}

/// The one interactive part of the home page, and so the only part of it that ships to the browser. Open by default,
/// so that everything is readable without JavaScript; the words come from the server in the reader's language, so
/// the island needs no translations of its own.
#[island]
fn PromisesToggle(show: String, hide: String, children: Children) -> impl IntoView {
    let (details_shown, set_details_shown) = signal(true);
    view! {
        <button
            type="button"
            id="promises-toggle"
            class="button secondary"
            aria-controls="promises"
            aria-expanded=move || details_shown.get().to_string()
            on:click=move |_| set_details_shown.update(|shown| *shown = !*shown)
        >
            {move || if details_shown.get() { hide.clone() } else { show.clone() }}
        </button>
        <div class="promises-box" data-collapsed=move || (!details_shown.get()).then_some("")>
            {children()}
        </div>
    }
}
