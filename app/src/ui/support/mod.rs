//! The support team's consent tools under `/staff`: the queue of consent requests and its history, asking for
//! consent, recording consent given on the phone, and support cases. The server functions behind them refuse a
//! privacy officer; the pages only show what they return.

mod cases;
mod contacts;
mod new_request;
mod oral_consent;
mod queue;

pub use cases::CasesPage;
pub use contacts::ContactsPage;
pub use new_request::NewRequestPage;
pub use oral_consent::OralConsentPage;
pub use queue::QueuePage;

use leptos::prelude::*;
use leptos_router::components::A;

/// The links between the support pages.
#[component]
fn SupportNav() -> impl IntoView {
    view! {
        <nav aria-label="Support" class="sub-nav">
            <A href="/staff/consents">"Demandes de consentement"</A>
            <A href="/staff/consents/new">"Nouvelle demande"</A>
            <A href="/staff/consents/oral">"Consentement oral"</A>
            <A href="/staff/cases">"Cas de support"</A>
            <A href="/staff/contacts">"Identifier un appelant"</A>
            <A href="/staff/supervision">"Supervision des boîtes mail"</A>
        </nav>
    }
}
