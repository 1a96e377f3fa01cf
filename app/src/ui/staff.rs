//! The staff area. Each role's tools arrive with their issues; this page says who is signed in and as what.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::get_me;
use crate::domain::consent::is_operational;
use crate::domain::Role;

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Support => "Support",
        Role::Sysadmin => "Administration système",
        Role::PrivacyOfficer => "Délégué·e à la protection des données",
    }
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Title text="Espace du personnel"/>
        <h1>"Espace du personnel"</h1>
        <Suspense fallback=|| ()>
            {move || {
                me.get()
                    .and_then(Result::ok)
                    .flatten()
                    .map(|me| {
                        let operational = is_operational(&me.roles);
                        let privacy_officer = me.roles.contains(&Role::PrivacyOfficer);
                        view! {
                            <p>"Connecté·e : " <strong>{me.display_name}</strong></p>
                            <p>"Rôles :"</p>
                            <ul id="roles">
                                {me.roles.into_iter().map(|role| view! { <li>{role_name(role)}</li> }).collect_view()}
                            </ul>
                            {operational
                                .then(|| {
                                    view! {
                                        <nav aria-label="Outils du support">
                                            <ul class="link-list" id="support-tools">
                                                <li><A href="/staff/consents">"Demandes de consentement : en attente et historique"</A></li>
                                                <li><A href="/staff/consents/new">"Demander un accès à un client"</A></li>
                                                <li><A href="/staff/consents/oral">"Enregistrer un consentement oral"</A></li>
                                                <li><A href="/staff/cases">"Cas de support"</A></li>
                                                <li><A href="/staff/supervision">"Supervision des boîtes mail"</A></li>
                                            </ul>
                                        </nav>
                                    }
                                })}
                            {privacy_officer
                                .then(|| {
                                    view! {
                                        <nav aria-label="Outils de protection des données">
                                            <ul class="link-list" id="privacy-tools">
                                                <li><A href="/privacy/log">"Journal d’audit et sa vérification"</A></li>
                                                <li><A href="/privacy/disclosures">"Registre des décisions judiciaires"</A></li>
                                                <li><A href="/privacy/data-requests">"Demandes des clients au sujet de leurs données (30 jours)"</A></li>
                                                <li><A href="/privacy/incidents">"Incidents : déclarer et informer les clients"</A></li>
                                                <li><A href="/privacy/announcements">"Annoncer un nouveau service"</A></li>
                                                <li><A href="/privacy/charter">"Charte de confidentialité : rédiger et publier une version"</A></li>
                                            </ul>
                                        </nav>
                                    }
                                })}
                        }
                    })
            }}
        </Suspense>
        <crate::ui::backups::OverdueDestructions/>
        <p><A href="/security">"Sécurité du compte"</A></p>
    }
}
