//! The customer's own area.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::get_me;
use crate::i18n::*;

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Title text=move || t_string!(i18n, auth.account.title)/>
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
        <crate::ui::messages::IncidentsNotice/>
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
