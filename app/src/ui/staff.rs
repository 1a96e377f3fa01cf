//! The staff area. Each role's tools arrive with their issues; this page says who is signed in and as what.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::get_me;
use crate::domain::consent::is_operational;
use crate::domain::Role;
use crate::i18n::*;
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

fn role_name(locale: Locale, role: Role) -> &'static str {
    match role {
        Role::Support => td_string!(locale, staff.area.role.support),
        Role::Sysadmin => td_string!(locale, staff.area.role.sysadmin),
        Role::PrivacyOfficer => td_string!(locale, staff.area.role.privacy_officer),
    }
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), staff.area.title)/>
        <h1>{t!(i18n, staff.area.title)}</h1>
        <Suspense fallback=|| ()>
            {move || {
                me.get()
                    .and_then(Result::ok)
                    .flatten()
                    .map(|me| {
                        let operational = is_operational(&me.roles);
                        let privacy_officer = me.roles.contains(&Role::PrivacyOfficer);
                        // Backup metadata is not for support (charter §6), and each look at it is on record.
                        let oversees_backups = privacy_officer || me.roles.contains(&Role::Sysadmin);
                        let locale = current_locale();
                        view! {
                            <p>{t!(i18n, staff.area.signed_in, name = me.display_name, <strong> = <strong/>)}</p>
                            <p>{t!(i18n, staff.area.roles)}</p>
                            <ul id="roles">
                                {me.roles.into_iter().map(|role| view! { <li>{role_name(locale, role)}</li> }).collect_view()}
                            </ul>
                            {operational
                                .then(|| {
                                    view! {
                                        <nav aria-label=move || t_string!(i18n, staff.area.support_tools)>
                                            <ul class="link-list" id="support-tools">
                                                <li><A href="/staff/consents">{t!(i18n, staff.area.queue)}</A></li>
                                                <li><A href="/staff/consents/new">{t!(i18n, staff.area.new_request)}</A></li>
                                                <li><A href="/staff/consents/oral">{t!(i18n, staff.area.oral_consent)}</A></li>
                                                <li><A href="/staff/cases">{t!(i18n, staff.area.cases)}</A></li>
                                                <li><A href="/staff/supervision">{t!(i18n, staff.area.supervision)}</A></li>
                                            </ul>
                                        </nav>
                                    }
                                })}
                            {privacy_officer
                                .then(|| {
                                    view! {
                                        <nav aria-label=move || t_string!(i18n, staff.area.privacy_tools)>
                                            <ul class="link-list" id="privacy-tools">
                                                <li><A href="/privacy/log">{t!(i18n, staff.area.audit_log)}</A></li>
                                                <li><A href="/privacy/disclosures">{t!(i18n, staff.area.disclosures)}</A></li>
                                                <li><A href="/privacy/data-requests">{t!(i18n, staff.area.data_requests)}</A></li>
                                                <li><A href="/privacy/incidents">{t!(i18n, staff.area.incidents)}</A></li>
                                                <li><A href="/privacy/announcements">{t!(i18n, staff.area.announcements)}</A></li>
                                                <li><A href="/privacy/charter">{t!(i18n, staff.area.charter)}</A></li>
                                            </ul>
                                        </nav>
                                    }
                                })}
                            {oversees_backups.then(|| view! { <crate::ui::backups::OverdueDestructions/> })}
                        }
                    })
            }}
        </Suspense>
        <p><A href="/security">{t!(i18n, staff.area.account_security)}</A></p>
    }
}
