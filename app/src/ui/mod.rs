//! Pages and components. Everything renders on the server; only islands (`#[island]`, the few parts that do something
//! in the browser) ship to it and hydrate. Every form is a plain form post, so a page works the same without
//! JavaScript, and the browser downloads the islands' code only, not the whole portal.

mod access_log;
mod account;
mod backups;
mod charter;
mod consent_parts;
mod consents;
mod forms;
mod home;
pub mod locale;
mod login;
mod messages;
mod my_data;
mod password_reset;
mod privacy;
mod security;
mod staff;
mod supervision;
mod support;
mod title;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Html, MetaTags, Stylesheet};
use leptos_router::{
    components::{Route, Router, Routes, A},
    ParamSegment, SsrMode, StaticSegment,
};
use title::{PageTitle, SiteTitle};

use crate::api::{get_me, LogOut};
use crate::i18n::*;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = locale::page_i18n_context();
    provide_context(i18n);

    view! {
        <Html attr:lang=move || i18n.get_locale().as_str() attr:dir="ltr"/>
        <Portal/>
    }
}

#[component]
fn Portal() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Stylesheet id="leptos" href="/pkg/portal.css"/>
        <SiteTitle/>
        <Router>
            <a class="skip-link" href="#main">{t!(i18n, common.skip_to_content)}</a>
            <SiteHeader/>
            <main id="main">
                <charter::AcknowledgeBanner/>
                // Async rendering waits for every resource before sending the page, so that it is complete without
                // JavaScript (out-of-order streaming would need a script to put the late parts in place).
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=home::HomePage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("login") view=login::LoginPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("charter") view=charter::CharterPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("charter"), StaticSegment("history")) view=charter::HistoryPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("charter"), StaticSegment("diff")) view=charter::DiffPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("charter"), StaticSegment("v"), ParamSegment("number")) view=charter::VersionPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("privacy"), StaticSegment("charter")) view=privacy::CharterDraftPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("login"), StaticSegment("second-factor")) view=login::SecondFactorPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("login"), StaticSegment("enrol")) view=login::EnrolPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("login"), StaticSegment("recovery-codes")) view=login::RecoveryCodesPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("password-reset") view=password_reset::RequestResetPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("password-reset"), ParamSegment("token"))
                        view=password_reset::ResetPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("welcome"), ParamSegment("token"))
                        view=password_reset::WelcomePage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("account") view=account::AccountPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("account"), StaticSegment("consents")) view=consents::ConsentsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("account"), StaticSegment("messages")) view=messages::MessagesPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("account"), StaticSegment("backups")) view=backups::BackupsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("account"), StaticSegment("data")) view=my_data::MyDataPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("email-confirmation"), ParamSegment("token")) view=my_data::ConfirmEmailPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("privacy"), StaticSegment("data-requests")) view=privacy::DataRequestsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("privacy"), StaticSegment("incidents")) view=privacy::IncidentsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("privacy"), StaticSegment("announcements")) view=privacy::AnnouncementsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("account"), StaticSegment("access-log")) view=access_log::AccessLogPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("privacy"), StaticSegment("log")) view=privacy::AuditLogPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("privacy"), StaticSegment("disclosures")) view=privacy::DisclosuresPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("privacy"), StaticSegment("webhooks")) view=privacy::WebhooksPage ssr=SsrMode::Async/>
                    <Route
                        path=(
                            StaticSegment("account"),
                            StaticSegment("consents"),
                            StaticSegment("grants"),
                            ParamSegment("id"),
                            StaticSegment("revoke"),
                        )
                        view=consents::RevokeGrantPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("security") view=security::SecurityPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("staff") view=staff::StaffPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("consents")) view=support::QueuePage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("staff"), StaticSegment("consents"), StaticSegment("new"))
                        view=support::NewRequestPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("staff"), StaticSegment("consents"), StaticSegment("oral"))
                        view=support::OralConsentPage
                        ssr=SsrMode::Async
                    />
                    <Route path=(StaticSegment("staff"), StaticSegment("cases")) view=support::CasesPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("cases"), ParamSegment("id")) view=support::CaseConsentsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("customers"), ParamSegment("number")) view=support::CustomerConsentsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("contacts")) view=support::ContactsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("supervision")) view=supervision::SupervisionPage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <charter::SiteFooter/>
        </Router>
    }
}

/// The header reflects who is signed in.
#[component]
fn SiteHeader() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    let log_out = ServerAction::<LogOut>::new();
    let i18n = use_i18n();
    view! {
        <header class="site-header">
            <a class="brand" href="/">{t!(i18n, common.site_name)}</a>
            <nav class="account-nav" aria-label=move || t_string!(i18n, common.account_nav)>
                <Transition fallback=|| ()>
                    {move || {
                        me.get()
                            .map(|me| match me.ok().flatten() {
                                Some(me) => {
                                    let home = if me.is_staff { "/staff" } else { "/account" };
                                    view! {
                                        <A href=home attr:class="who">{me.display_name}</A>
                                        <ActionForm action=log_out attr:class="inline-form">
                                            <button type="submit" class="button secondary" id="log-out">{t!(i18n, common.log_out)}</button>
                                        </ActionForm>
                                    }
                                        .into_any()
                                }
                                None => view! { <A href="/login" attr:id="log-in-link">{t!(i18n, common.log_in)}</A> }.into_any(),
                            })
                    }}
                </Transition>
            </nav>
            <locale::LanguageSwitch/>
        </header>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    let i18n = use_i18n();
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), common.not_found_title)/>
        <h1>{t!(i18n, common.not_found_title)}</h1>
        <p><a href="/">{t!(i18n, common.back_home)}</a></p>
    }
}
