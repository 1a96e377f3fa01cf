//! The footer link to the charter on every page, and the banner that asks a signed-in customer to acknowledge a
//! newly published version. The banner never blocks anything: the customer can go on using the portal, and it stays
//! until they acknowledge.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::day;
use crate::api::{get_charter_prompt, AcknowledgeCharter};
use crate::i18n::*;
use crate::ui::forms::{query_flag, Outcome};

#[component]
pub fn SiteFooter() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="site-footer">
            <nav aria-label=move || t_string!(i18n, common.footer_nav)>
                <a href="/charter" id="footer-charter">{t!(i18n, common.footer_charter)}</a>
                " · "
                <a href="/charter/history">{t!(i18n, common.footer_versions)}</a>
            </nav>
        </footer>
    }
}

fn in_customer_area(path: &str) -> bool {
    path == "/account" || path.starts_with("/account/")
}

#[component]
pub fn AcknowledgeBanner() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let acknowledge = ServerAction::<AcknowledgeCharter>::new();
    // Outside the customer's area there is nothing to ask: no resource and no transition at all, rather than ones
    // that resolve to nothing (each costs a task and an effect on every public and staff page).
    let prompt = in_customer_area(&location.pathname.get_untracked()).then(|| {
        Resource::new(
            || (),
            |_| async { get_charter_prompt().await.ok().flatten() },
        )
    });
    let done = query_flag("done");
    view! {
        {move || {
            (done.get().as_deref() == Some("charter-acknowledged")).then(|| view! {
                <Outcome id=Some("charter-acknowledged")>{t!(i18n, charter.banner.acknowledged)}</Outcome>
            })
        }}
        {prompt.map(|prompt| view! {
        <Transition fallback=|| ()>
            {move || {
                prompt
                    .get()
                    .flatten()
                    .map(|prompt| {
                        let number = prompt.number;
                        let date = day(prompt.effective_on);
                        let back = location.pathname.get_untracked();
                        view! {
                            <aside class="charter-banner" id="charter-banner" aria-labelledby="charter-banner-title" data-version=number.to_string()>
                                <h2 id="charter-banner-title">{t!(i18n, charter.banner.title)}</h2>
                                <p>{t!(i18n, charter.banner.published, number, date)}</p>
                                <p class="prewrap">{prompt.summary}</p>
                                <p>
                                    <a href=format!("/charter/v/{number}")>{t!(i18n, charter.banner.read, number)}</a>
                                    {prompt.previous.map(|previous| view! {
                                        " · "
                                        <a href=format!("/charter/diff?from={previous}&to={number}")>{t!(i18n, charter.banner.see_changes)}</a>
                                    })}
                                </p>
                                <ActionForm action=acknowledge attr:class="inline-form" attr:id="acknowledge-form">
                                    <input type="hidden" name="version" value=number.to_string()/>
                                    <input type="hidden" name="back" value=back/>
                                    <button type="submit" class="button">{t!(i18n, charter.banner.acknowledge, number)}</button>
                                </ActionForm>
                                <p class="muted">{t!(i18n, charter.banner.not_blocking)}</p>
                            </aside>
                        }
                    })
            }}
        </Transition>
        })}
    }
}
