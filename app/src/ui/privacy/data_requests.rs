//! The privacy officer's list of open requests about customers' data, the one due first at the top, with the
//! 30-day clock of each and a form to record the answer given.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use super::log::PrivacyNav;
use crate::api::{list_open_data_requests, AnswerDataRequest, OpenRequestView};
use crate::ui::consent_parts::{action_error, returned_error, DoneNotice, TextArea};
use crate::ui::forms::{form_error, ErrorSummary};
use crate::ui::my_data::RequestCard;

mod text {
    pub const TITLE: &str = "Demandes au sujet des données";
    pub const LEAD: &str = "Les demandes d’accès, de rectification, d’effacement et les questions des clients sur leurs données. La loi fédérale sur la protection des données donne 30 jours pour répondre.";
    pub const NONE: &str = "Aucune demande ouverte.";
    pub const ANSWER: &str = "Réponse donnée au client";
    pub const ANSWER_HINT: &str = "Le client la lit sur sa page « Mes données ».";
    pub const MARK: &str = "Marquer comme répondue";

    pub fn done(flag: &str) -> Option<&'static str> {
        (flag == "answered").then_some("La demande est marquée comme répondue.")
    }
}

#[component]
pub fn DataRequestsPage() -> impl IntoView {
    let answer = ServerAction::<AnswerDataRequest>::new();
    let location = use_location();
    let open = Resource::new(
        move || (location.search.get(), answer.version().get()),
        |_| list_open_data_requests(),
    );
    view! {
        <Title text=text::TITLE/>
        <h1>{text::TITLE}</h1>
        <PrivacyNav/>
        <p class="lead">{text::LEAD}</p>
        <DoneNotice text=text::done/>
        <ErrorSummary error=returned_error()/>
        <ErrorSummary error=action_error(answer.value())/>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || {
                open.get()
                    .map(|result| match result {
                        Ok(open) if open.is_empty() => view! { <p class="muted" id="open-requests">{text::NONE}</p> }.into_any(),
                        Ok(open) => {
                            view! {
                                <ul class="cards" id="open-requests">
                                    {open.into_iter().map(|open| view! { <OpenRequest open=open action=answer/> }).collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn OpenRequest(open: OpenRequestView, action: ServerAction<AnswerDataRequest>) -> impl IntoView {
    let error = form_error(action.value());
    let id = open.request.id.to_string();
    let data_id = id.clone();
    let key = id.clone();
    view! {
        <li class="open-request" data-request=data_id>
            <h2 class="customer">{open.customer_name} " (" {open.customer_number} ")"</h2>
            <ul class="cards"><RequestCard request=open.request/></ul>
            <ActionForm action=action attr:class="form answer-form">
                <input type="hidden" name="request" value=id/>
                <TextArea name="answer" key=key label=text::ANSWER hint=text::ANSWER_HINT error=error/>
                <button type="submit" class="button">{text::MARK}</button>
            </ActionForm>
        </li>
    }
}
