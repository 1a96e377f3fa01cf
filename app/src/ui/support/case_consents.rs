//! A customer's consents as the staff member working on one of their cases, or with the customer, sees them: what
//! runs, who may use it, what waits and what ended, and why. Opening the page is itself on record in the customer's
//! log.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use super::SupportNav;
use crate::api::{get_customer_consents, CustomerConsents, GrantSummary, RequestView};
use crate::i18n::*;
use crate::ui::consent_parts as parts;
use crate::ui::consents::GrantFacts;
use crate::ui::forms::ErrorText;
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

/// From a support case: `/staff/cases/:id`.
#[component]
pub fn CaseConsentsPage() -> impl IntoView {
    let params = use_params_map();
    let case = Signal::derive(move || params.with(|params| params.get("id")));
    view! { <ConsentsPage case customer_number=Signal::derive(|| None)/> }
}

/// From the customer: `/staff/customers/:number`.
#[component]
pub fn CustomerConsentsPage() -> impl IntoView {
    let params = use_params_map();
    let number = Signal::derive(move || params.with(|params| params.get("number")));
    view! { <ConsentsPage case=Signal::derive(|| None) customer_number=number/> }
}

#[component]
fn ConsentsPage(
    case: Signal<Option<String>>,
    customer_number: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let asked = (case.get_untracked(), customer_number.get_untracked());
    let found = Resource::new(
        move || asked.clone(),
        |(case, customer_number)| get_customer_consents(case, customer_number),
    );
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), staff.case_consents.title)/>
        <h1>{t!(i18n, staff.case_consents.title)}</h1>
        <SupportNav/>
        <p class="muted">{t!(i18n, staff.case_consents.lead)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, staff.loading)}</p> }>
            {move || {
                found
                    .get()
                    .map(|result| match result {
                        Ok(found) => view! { <CustomerConsentsView found/> }.into_any(),
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    })
            }}
        </Suspense>
        <p><A href="/staff/cases">{t!(i18n, staff.case_consents.back)}</A></p>
    }
}

#[component]
fn CustomerConsentsView(found: CustomerConsents) -> impl IntoView {
    let i18n = use_i18n();
    let CustomerConsents {
        customer,
        case,
        case_resolved_at,
        state,
        ..
    } = found;
    view! {
        <section class="card" id="case">
            <p id="case-customer"><strong>{customer.number} " " {customer.name}</strong></p>
            {case
                .map(|case| {
                    let id = case.id.to_string();
                    view! { <h2 data-case=id.clone()>{t!(i18n, staff.number, id = id.clone())} " — " {case.subject}</h2> }
                })}
            {case_resolved_at
                .map(|at| view! { <p class="notice">{t!(i18n, staff.case_consents.resolved, at = parts::when(at))}</p> })}
        </section>
        <Grants id="active-grants" heading=td_string!(current_locale(), staff.case_consents.active) grants=state.active/>
        <Requests id="pending-requests" heading=td_string!(current_locale(), staff.case_consents.pending) requests=state.pending/>
        <Grants id="ended-grants" heading=td_string!(current_locale(), staff.case_consents.ended) grants=state.ended/>
        <Requests id="past-requests" heading=td_string!(current_locale(), staff.case_consents.past) requests=state.past_requests/>
    }
}

/// A headed list of cards, or "None." when there is none.
#[component]
fn Cards(id: &'static str, heading: &'static str, cards: Vec<AnyView>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-label=heading>
            <h2>{heading}</h2>
            {if cards.is_empty() {
                view! { <p class="muted" id=id>{t!(i18n, staff.queue.none)}</p> }.into_any()
            } else {
                view! { <ul class="cards" id=id>{cards}</ul> }.into_any()
            }}
        </section>
    }
}

#[component]
fn Grants(id: &'static str, heading: &'static str, grants: Vec<GrantSummary>) -> impl IntoView {
    let cards = grants
        .into_iter()
        .map(|grant| {
            let id = grant.id.to_string();
            let resource = parts::resource(&grant.resource);
            view! {
                <li class="card" data-grant=id>
                    <h3>{resource}</h3>
                    <GrantFacts grant/>
                </li>
            }
            .into_any()
        })
        .collect();
    view! { <Cards id heading cards/> }
}

#[component]
fn Requests(id: &'static str, heading: &'static str, requests: Vec<RequestView>) -> impl IntoView {
    let i18n = use_i18n();
    let cards = requests
        .into_iter()
        .map(|request| {
            let asked = t_string!(
                i18n,
                staff.queue.requested_by_on,
                staff = parts::staff(&request.requested_by),
                at = parts::when(request.created_at)
            )
            .to_string();
            view! {
                <li class="card" data-request=request.id.to_string()>
                    <h3>{parts::resource(&request.resource)}</h3>
                    <p>
                        {parts::actions(&request.actions)} " · "
                        <span class="state">{parts::state_name(request.state)}</span>
                    </p>
                    <p class="muted">{asked}</p>
                </li>
            }
            .into_any()
        })
        .collect();
    view! { <Cards id heading cards/> }
}
