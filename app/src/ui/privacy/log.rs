//! The whole audit log for a privacy officer: the customers' filters plus a customer number, keyset pages, the
//! verification status and a button that runs the verification now.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

use crate::api::{list_audit_log, AccessLog, VerifyAuditLog};
use crate::i18n::*;
use crate::ui::access_log::{LogEntries, LogFilters, OlderLink, VerificationLine, FILTER_FIELDS};
use crate::ui::consent_parts::{action_error, returned_error, DoneNotice};
use crate::ui::forms::{ErrorSummary, ErrorText};
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

const PATH: &str = "/privacy/log";
const FIELDS: [&str; 6] = [
    "customer_number",
    FILTER_FIELDS[0],
    FILTER_FIELDS[1],
    FILTER_FIELDS[2],
    FILTER_FIELDS[3],
    FILTER_FIELDS[4],
];

fn done_text(flag: &str) -> Option<&'static str> {
    match flag {
        "verified" => Some(td_string!(current_locale(), privacy.log.done_verified)),
        _ => None,
    }
}

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let verify = ServerAction::<VerifyAuditLog>::new();
    let query = use_query_map();
    let filter = query.with_untracked(|query| {
        (
            query.get("customer_number"),
            query.get("resource"),
            query.get("role"),
            query.get("from"),
            query.get("until"),
            query.get("outcome"),
            query.get("before"),
        )
    });
    let log = Resource::new(
        move || filter.clone(),
        |(customer, resource, role, from, until, outcome, before)| {
            list_audit_log(customer, resource, role, from, until, outcome, before)
        },
    );
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), privacy.log.title)/>
        <h1>{t!(i18n, privacy.log.title)}</h1>
        <PrivacyNav/>
        <DoneNotice text=done_text/>
        <ErrorSummary error=returned_error()/>
        <ErrorSummary error=action_error(verify.value())/>
        <Suspense fallback=move || view! { <p>{t!(i18n, privacy.loading)}</p> }>
            {move || {
                log.get()
                    .map(|result| match result {
                        Ok(log) => {
                            let AccessLog { entries, older, verification, resources, can_verify, .. } = log;
                            view! {
                                <VerificationLine verification/>
                                {if can_verify {
                                    view! {
                                        <ActionForm action=verify attr:class="inline-form" attr:id="verify-form">
                                            <button type="submit" class="button secondary">{t!(i18n, privacy.log.verify_button)}</button>
                                        </ActionForm>
                                    }
                                        .into_any()
                                } else {
                                    view! { <p class="muted" id="verify-unavailable">{t!(i18n, privacy.log.verify_unavailable)}</p> }.into_any()
                                }}
                                <LogFilters path=PATH resources customer_number=true/>
                                <LogEntries entries for_customer=false/>
                                <OlderLink path=PATH fields=&FIELDS older/>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// The links between the privacy officer's pages.
#[component]
pub fn PrivacyNav() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav aria-label=move || t_string!(i18n, privacy.nav.label) class="sub-nav">
            <A href="/privacy/log">{t!(i18n, privacy.nav.log)}</A>
            <A href="/privacy/disclosures">{t!(i18n, privacy.nav.disclosures)}</A>
            <A href="/privacy/incidents">{t!(i18n, privacy.nav.incidents)}</A>
            <A href="/privacy/data-requests">{t!(i18n, privacy.nav.data_requests)}</A>
            <A href="/privacy/charter">{t!(i18n, privacy.nav.charter)}</A>
            <A href="/privacy/webhooks">{t!(i18n, privacy.nav.webhooks)}</A>
            <A href="/staff">{t!(i18n, privacy.nav.staff)}</A>
        </nav>
    }
}
