//! The customer's own area.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::get_me;

#[component]
pub fn AccountPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Title text="Mon compte"/>
        <Suspense fallback=|| ()>
            {move || {
                me.get()
                    .map(|me| {
                        let name = me.ok().flatten().map(|me| me.display_name).unwrap_or_default();
                        view! { <h1>"Bonjour " {name}</h1> }
                    })
            }}
        </Suspense>
        <p class="lead">
            "Ici, vous verrez bientôt qui a accédé à vos données et pourquoi, et vous accorderez ou retirerez l’accès à votre espace de backup et à vos boîtes mail."
        </p>
        <crate::ui::messages::IncidentsNotice/>
        <nav aria-label="Mon compte">
            <ul class="link-list">
                <li><A href="/account/consents" attr:id="consents-link">"Accès à mes données : demandes, accès en cours, historique"</A></li>
                <li><A href="/account/access-log" attr:id="access-log-link">"Qui a accédé à mes données : le journal"</A></li>
                <li><A href="/account/data" attr:id="my-data-link">"Mes données : ce que nous conservons, corrections, export, demandes"</A></li>
                <li><A href="/account/messages" attr:id="messages-link">"Mes messages : tout ce que nous vous avons écrit, et ce que vous recevez"</A></li>
                <li><A href="/account/backups" attr:id="backups-link">"Mes sauvegardes : chaque copie de vos données et sa destruction après 7 jours"</A></li>
                <li><A href="/security">"Sécurité du compte : mot de passe, vérification en deux étapes, sessions"</A></li>
            </ul>
        </nav>
    }
}
