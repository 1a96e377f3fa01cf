//! The support team's consent tools under `/staff`: the queue of consent requests and its history, asking for
//! consent, recording consent given on the phone, and support cases. The server functions behind them refuse a
//! privacy officer; the pages only show what they return.

mod case_consents;
mod cases;
mod contacts;
mod new_request;
mod oral_consent;
mod queue;

pub use case_consents::{CaseConsentsPage, CustomerConsentsPage};
pub use cases::CasesPage;
pub use contacts::ContactsPage;
pub use new_request::NewRequestPage;
pub use oral_consent::OralConsentPage;
pub use queue::QueuePage;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::*;

/// The links between the support pages.
#[component]
fn SupportNav() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav aria-label=move || t_string!(i18n, staff.nav.label) class="sub-nav">
            <A href="/staff/consents">{t!(i18n, staff.nav.queue)}</A>
            <A href="/staff/consents/new">{t!(i18n, staff.nav.new_request)}</A>
            <A href="/staff/consents/oral">{t!(i18n, staff.nav.oral_consent)}</A>
            <A href="/staff/cases">{t!(i18n, staff.nav.cases)}</A>
            <A href="/staff/contacts">{t!(i18n, staff.nav.contacts)}</A>
            <A href="/staff/supervision">{t!(i18n, staff.nav.supervision)}</A>
        </nav>
    }
}
