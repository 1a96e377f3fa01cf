//! Support cases: open one for a customer, see the open ones, resolve one (which ends the mailbox access given
//! for it).

use leptos::prelude::*;
use leptos_router::components::A;

use super::SupportNav;
use crate::api::{list_cases, OpenCase, ResolveCase};
use crate::i18n::*;
use crate::ui::consent_parts::{self as parts, action_error, returned_error, DoneNotice, Input};
use crate::ui::forms::{form_error, query_flag, ErrorSummary, ErrorText, Field, Outcome};
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

fn done_text(flag: &str) -> Option<&'static str> {
    match flag {
        "resolved" => Some(td_string!(current_locale(), staff.cases.done_resolved)),
        _ => None,
    }
}

#[component]
pub fn CasesPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let open = ServerAction::<OpenCase>::new();
    let resolve = ServerAction::<ResolveCase>::new();
    let cases = Resource::new(|| (), |_| list_cases());
    let done = query_flag("done");
    let opened_case = query_flag("case");
    let opened_for = query_flag("customer");
    let open_error = form_error(open.value());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), staff.cases.title)/>
        <h1>{t!(i18n, staff.cases.title)}</h1>
        <SupportNav/>
        <DoneNotice text=done_text/>
        {move || {
            (done.get().as_deref() == Some("opened"))
                .then(|| {
                    let case = opened_case.get().unwrap_or_default();
                    let customer = opened_for.get().unwrap_or_default();
                    let request = format!("/staff/consents/new?customer={customer}&case={case}");
                    let oral = format!("/staff/consents/oral?customer={customer}&case={case}");
                    view! {
                        <Outcome id=Some("case-opened")>
                            {t!(i18n, staff.cases.opened, case, <strong> = <strong id="opened-case-id"/>)}
                            " "
                            <A href=request attr:id="request-for-case">{t!(i18n, staff.cases.request_for_case)}</A>
                            " · "
                            <A href=oral>{t!(i18n, staff.cases.record_oral_consent)}</A>
                        </Outcome>
                    }
                })
        }}
        <ErrorSummary error=returned_error()/>
        <section aria-labelledby="open-heading">
            <h2 id="open-heading">{t!(i18n, staff.cases.open_heading)}</h2>
            <ActionForm action=open attr:class="form" attr:id="open-case-form">
                <ErrorSummary error=action_error(open.value())/>
                <Field
                    name="customer_number"
                    label=td_string!(locale, staff.fields.customer_number)
                    hint=td_string!(locale, staff.fields.customer_number_hint)
                    error=open_error
                />
                <Input
                    name="subject"
                    label=td_string!(locale, staff.cases.subject)
                    hint=td_string!(locale, staff.cases.subject_hint)
                    error=open_error
                />
                <button type="submit" class="button">{t!(i18n, staff.cases.open)}</button>
            </ActionForm>
        </section>
        <section aria-labelledby="cases-heading">
            <h2 id="cases-heading">{t!(i18n, staff.cases.open_cases)}</h2>
            <ErrorSummary error=action_error(resolve.value())/>
            <Suspense fallback=move || view! { <p>{t!(i18n, staff.loading)}</p> }>
                {move || {
                    cases
                        .get()
                        .map(|result| match result {
                            Ok(cases) if cases.is_empty() => view! { <p class="muted" id="open-cases">{t!(i18n, staff.cases.none)}</p> }.into_any(),
                            Ok(cases) => {
                                view! {
                                    <ul class="cards" id="open-cases">
                                        {cases
                                            .into_iter()
                                            .map(|case| {
                                                let id = case.id.to_string();
                                                let form_id = id.clone();
                                                let request = format!(
                                                    "/staff/consents/new?customer={}&case={id}",
                                                    case.customer.number,
                                                );
                                                let opened_by = parts::staff(&case.opened_by);
                                                let opened_at = parts::when(case.opened_at);
                                let reference = case.reference.clone().map(|reference| view! {
                                    <br/><span class="muted case-reference">{t!(i18n, staff.cases.reference, reference)}</span>
                                });
                                let idle = case.idle_days.map(|days| view! {
                                    <p class="notice case-idle" role="status">{t!(i18n, staff.cases.idle, days)}</p>
                                });
                                                view! {
                                                    <li class="card" data-case=id.clone()>
                                                        <h3>{t!(i18n, staff.number, id = id.clone())} " — " {case.subject}</h3>
                                                        <p>
                                                            {case.customer.number} " " {case.customer.name}
                                                            <br/>
                                                            <span class="muted">
                                                                {t!(i18n, staff.cases.opened_by, staff = opened_by, at = opened_at)}
                                                            </span>
                                                            {reference}
                                                        </p>
                                                        {idle}
                                                        <p>
                                                            <A href=request>{t!(i18n, staff.cases.request_for_case)}</A>
                                                            " · "
                                                            <A href=format!("/staff/cases/{id}") attr:class="case-consents">{t!(i18n, staff.cases.customer_consents)}</A>
                                                        </p>
                                                        <ActionForm action=resolve attr:class="inline-form resolve-form">
                                                            <input type="hidden" name="case" value=form_id.clone()/>
                                                            <button type="submit" class="button secondary">{t!(i18n, staff.cases.resolve)}</button>
                                                        </ActionForm>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <ErrorText error/> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}
