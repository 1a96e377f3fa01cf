//! Support cases: open one for a customer, see the open ones, resolve one (which ends the mailbox access given
//! for it).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_location};

use super::SupportNav;
use crate::api::{list_cases, OpenCase, ResolveCase};
use crate::ui::consent_parts::{self as parts, action_error, returned_error, DoneNotice, Input};
use crate::ui::forms::{form_error, query_flag, ErrorSummary, Field};

fn done_text(flag: &str) -> Option<&'static str> {
    match flag {
        "resolved" => {
            Some("Le cas est résolu. Les accès aux boîtes mail donnés pour ce cas ont pris fin.")
        }
        _ => None,
    }
}

#[component]
pub fn CasesPage() -> impl IntoView {
    let open = ServerAction::<OpenCase>::new();
    let resolve = ServerAction::<ResolveCase>::new();
    let location = use_location();
    let cases = Resource::new(
        move || {
            (
                location.search.get(),
                open.version().get(),
                resolve.version().get(),
            )
        },
        |_| list_cases(),
    );
    let done = query_flag("done");
    let opened_case = query_flag("case");
    let opened_for = query_flag("customer");
    let open_error = form_error(open.value());
    view! {
        <Title text="Cas de support"/>
        <h1>"Cas de support"</h1>
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
                        <p class="notice" role="status" id="case-opened">
                            "Cas n° " <strong id="opened-case-id">{case}</strong> " ouvert. "
                            <A href=request attr:id="request-for-case">"Demander un accès pour ce cas"</A>
                            " · "
                            <A href=oral>"Enregistrer un consentement oral"</A>
                        </p>
                    }
                })
        }}
        <ErrorSummary error=returned_error()/>
        <section aria-labelledby="open-heading">
            <h2 id="open-heading">"Ouvrir un cas"</h2>
            <ActionForm action=open attr:class="form" attr:id="open-case-form">
                <ErrorSummary error=action_error(open.value())/>
                <Field name="customer_number" label="Numéro de client" hint="Par exemple C-100001." error=open_error/>
                <Input name="subject" label="Sujet" hint="Le problème du client, en une ligne." error=open_error/>
                <button type="submit" class="button">"Ouvrir le cas"</button>
            </ActionForm>
        </section>
        <section aria-labelledby="cases-heading">
            <h2 id="cases-heading">"Cas ouverts"</h2>
            <ErrorSummary error=action_error(resolve.value())/>
            <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    cases
                        .get()
                        .map(|result| match result {
                            Ok(cases) if cases.is_empty() => view! { <p class="muted" id="open-cases">"Aucun cas ouvert."</p> }.into_any(),
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
                                                view! {
                                                    <li class="card" data-case=id.clone()>
                                                        <h3>"n° " {id.clone()} " — " {case.subject}</h3>
                                                        <p>
                                                            {case.customer.number} " " {case.customer.name}
                                                            <br/>
                                                            <span class="muted">
                                                                "Ouvert par " {parts::staff(&case.opened_by)} " le " {parts::when(case.opened_at)}
                                                            </span>
                                                        </p>
                                                        <p><A href=request>"Demander un accès pour ce cas"</A></p>
                                                        <ActionForm action=resolve attr:class="inline-form resolve-form">
                                                            <input type="hidden" name="case" value=form_id.clone()/>
                                                            <button type="submit" class="button secondary">"Marquer comme résolu"</button>
                                                        </ActionForm>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}
