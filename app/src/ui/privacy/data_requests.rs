//! The privacy officer's list of open requests about customers' data, the one due first at the top, with the
//! 30-day clock of each and a form to record the answer given.

use leptos::prelude::*;

use super::log::PrivacyNav;
use crate::api::{list_open_data_requests, AnswerDataRequest, OpenRequestView};
use crate::i18n::*;
use crate::ui::consent_parts::{action_error, returned_error, DoneNotice, TextArea};
use crate::ui::forms::{form_error, ErrorSummary, ErrorText};
use crate::ui::locale::current_locale;
use crate::ui::my_data::RequestCard;
use crate::ui::title::PageTitle;

fn done_text(flag: &str) -> Option<&'static str> {
    (flag == "answered").then(|| td_string!(current_locale(), privacy.data_requests.done_answered))
}

#[component]
pub fn DataRequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let answer = ServerAction::<AnswerDataRequest>::new();
    let open = Resource::new(|| (), |_| list_open_data_requests());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), privacy.data_requests.title)/>
        <h1>{t!(i18n, privacy.data_requests.title)}</h1>
        <PrivacyNav/>
        <p class="lead">{t!(i18n, privacy.data_requests.lead)}</p>
        <DoneNotice text=done_text/>
        <ErrorSummary error=returned_error()/>
        <ErrorSummary error=action_error(answer.value())/>
        <Suspense fallback=move || view! { <p>{t!(i18n, privacy.loading)}</p> }>
            {move || {
                open.get()
                    .map(|result| match result {
                        Ok(open) if open.is_empty() => view! { <p class="muted" id="open-requests">{t!(i18n, privacy.data_requests.none)}</p> }.into_any(),
                        Ok(open) => {
                            view! {
                                <ul class="cards" id="open-requests">
                                    {open.into_iter().map(|open| view! { <OpenRequest open=open action=answer/> }).collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn OpenRequest(open: OpenRequestView, action: ServerAction<AnswerDataRequest>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
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
                <TextArea name="answer" key=key label=td_string!(locale, privacy.data_requests.answer_label)
                    hint=td_string!(locale, privacy.data_requests.answer_hint) error=error/>
                <button type="submit" class="button">{t!(i18n, privacy.data_requests.mark_answered)}</button>
            </ActionForm>
        </li>
    }
}
