//! "Mes données" (charter §1): every personal field we store, what it is for in the charter's words, when it last
//! changed and by whom; contracts and their services with transfers; corrections; the email change by link; the
//! export; and requests about one's data with their 30-day clock. Every form works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{
    get_my_data, ConfirmEmailChange, ContractSummary, CorrectMyData, DataRequestView,
    EditableValues, FieldView, FileDataRequest, RequestEmailChange,
};
use crate::domain::my_data::PersonalField;
use crate::i18n::*;
use crate::ui::consent_parts::{
    action_error, returned_error, when, Choice, DoneNotice, Input, TextArea,
};
use crate::ui::forms::{form_error, ErrorSummary, ErrorText};
use crate::ui::locale::current_locale;
use crate::ui::messages::service_name;
use crate::ui::title::PageTitle;

fn done(flag: &str) -> Option<&'static str> {
    let locale = current_locale();
    match flag {
        "corrected" => Some(td_string!(locale, data.done.corrected)),
        "unchanged" => Some(td_string!(locale, data.done.unchanged)),
        "email-link-sent" => Some(td_string!(locale, data.done.email_link_sent)),
        "email-changed" => Some(td_string!(locale, data.done.email_changed)),
        "request-filed" => Some(td_string!(locale, data.done.request_filed)),
        _ => None,
    }
}

fn days_left(locale: Locale, days: i64) -> String {
    match days {
        d if d < 0 => {
            let days = -d;
            td_string!(locale, data.requests.overdue, days).to_string()
        }
        0 => td_string!(locale, data.requests.last_day).to_owned(),
        1 => td_string!(locale, data.requests.one_day_left).to_owned(),
        days => td_string!(locale, data.requests.days_left, days).to_string(),
    }
}

pub fn request_kind_name(kind: &str) -> &'static str {
    let locale = current_locale();
    match kind {
        "access" => td_string!(locale, data.requests.kinds.access),
        "correction" => td_string!(locale, data.requests.kinds.correction),
        "erasure" => td_string!(locale, data.requests.kinds.erasure),
        "question" => td_string!(locale, data.requests.kinds.question),
        _ => td_string!(locale, data.requests.kinds.other),
    }
}

fn field_label(locale: Locale, field: &str) -> &'static str {
    match PersonalField::parse(field) {
        Ok(PersonalField::LastName) => td_string!(locale, data.fields.label.last_name),
        Ok(PersonalField::FirstName) => td_string!(locale, data.fields.label.first_name),
        Ok(PersonalField::Phone) => td_string!(locale, data.fields.label.phone),
        Ok(PersonalField::Mobile) => td_string!(locale, data.fields.label.mobile),
        Ok(PersonalField::Email) => td_string!(locale, data.fields.label.email),
        Ok(PersonalField::PostalAddress) => td_string!(locale, data.fields.label.postal_address),
        Ok(PersonalField::Language) => td_string!(locale, data.fields.label.language),
        Ok(PersonalField::Company) => td_string!(locale, data.fields.label.company),
        Ok(PersonalField::CustomerNumber) => {
            td_string!(locale, data.fields.label.customer_number)
        }
        Err(_) => td_string!(locale, data.fields.label.other),
    }
}

/// What a field is used for, in the charter's words in the reader's language (the French text prevails; the English
/// is its translation, `server/charter/v1.en.md`).
fn purpose_words(locale: Locale, purpose: &str) -> Option<&'static str> {
    Some(match purpose {
        "identify-contract-holder" => td_string!(locale, data.purposes.identify_contract_holder),
        "support-contact" => td_string!(locale, data.purposes.support_contact),
        "contract-transfer" => td_string!(locale, data.purposes.contract_transfer),
        "own-communications" => td_string!(locale, data.purposes.own_communications),
        _ => return None,
    })
}

/// A language's name in the reader's language, from its code (`fr`, `en`).
pub(crate) fn language_name(locale: Locale, code: &str) -> &'static str {
    match code {
        "fr" => td_string!(locale, data.language.fr),
        "en" => td_string!(locale, data.language.en),
        _ => td_string!(locale, data.language.other),
    }
}

#[component]
pub fn MyDataPage() -> impl IntoView {
    let i18n = use_i18n();
    let correct = ServerAction::<CorrectMyData>::new();
    let email = ServerAction::<RequestEmailChange>::new();
    let file = ServerAction::<FileDataRequest>::new();
    let data = Resource::new(|| (), |_| get_my_data());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), data.title)/>
        <h1>{t!(i18n, data.title)}</h1>
        <p class="lead">{t!(i18n, data.lead)}</p>
        <DoneNotice text=done/>
        <ErrorSummary error=returned_error()/>
        <Suspense fallback=move || view! { <p>{t!(i18n, data.loading)}</p> }>
            {move || {
                data.get()
                    .map(|result| match result {
                        Ok(data) => {
                            let created = when(data.created_at);
                            view! {
                                <Fields fields=data.fields created=created/>
                                <Contracts contracts=data.contracts/>
                                <section aria-labelledby="correct-heading" id="correct">
                                    <h2 id="correct-heading">{t!(i18n, data.correct.heading)}</h2>
                                    <p class="hint">{t!(i18n, data.correct.hint)}</p>
                                    <CorrectionForm action=correct values=data.editable/>
                                </section>
                                <section aria-labelledby="email-heading" id="email">
                                    <h2 id="email-heading">{t!(i18n, data.email.heading)}</h2>
                                    <p class="hint">{t!(i18n, data.email.hint)}</p>
                                    {data
                                        .pending_email
                                        .map(|(address, until)| {
                                            let until = when(until);
                                            view! {
                                                <p class="notice" id="pending-email">
                                                    {t!(i18n, data.email.pending, <strong> = <strong/>, address, until)}
                                                </p>
                                            }
                                        })}
                                    <EmailForm action=email/>
                                </section>
                                <section aria-labelledby="export-heading" id="export">
                                    <h2 id="export-heading">{t!(i18n, data.export.heading)}</h2>
                                    <p>{t!(i18n, data.export.text)}</p>
                                    <ul class="link-list">
                                        <li><a href="/account/data/export" id="export-html" rel="external">{t!(i18n, data.export.html)}</a></li>
                                        <li><a href="/account/data/export.json" id="export-json" rel="external" download="my-data.json">{t!(i18n, data.export.json)}</a></li>
                                    </ul>
                                </section>
                                <Requests action=file requests=data.requests/>
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
fn Fields(fields: Vec<FieldView>, created: String) -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    view! {
        <section aria-labelledby="fields-heading">
            <h2 id="fields-heading">{t!(i18n, data.fields.heading)}</h2>
            <p class="hint">{t!(i18n, data.fields.support_only)}</p>
            <dl class="personal-fields" id="personal-fields">
                {fields
                    .into_iter()
                    .map(|field| {
                        let value = match (field.field.as_str(), field.value) {
                            ("language", Some(code)) => language_name(locale, &code).to_owned(),
                            (_, Some(value)) => value,
                            (_, None) => td_string!(locale, data.fields.empty).to_owned(),
                        };
                        let change = match (field.last_changed_at, field.last_changed_by) {
                            (Some(at), by) => {
                                let by = match by.as_deref() {
                                    Some("you") => td_string!(locale, data.fields.by_you).to_owned(),
                                    Some("system") | None => {
                                        td_string!(locale, data.fields.by_system).to_owned()
                                    }
                                    Some(name) => td_string!(locale, data.fields.by_support, name).to_string(),
                                };
                                format!("{} {by}", when(at))
                            }
                            (None, _) => {
                                td_string!(locale, data.fields.never_changed, created = &created)
                                    .to_string()
                            }
                        };
                        let purposes = field
                            .purposes
                            .iter()
                            .map(|purpose| match purpose_words(locale, &purpose.purpose) {
                                Some(words) => (format!("{words} ({})", purpose.clause), None),
                                // A purpose this page has no words for: the charter's own, in French.
                                None => (
                                    format!("{} ({})", purpose.charter_words, purpose.clause),
                                    Some("fr"),
                                ),
                            })
                            .collect::<Vec<_>>();
                        let change = td_string!(locale, data.fields.last_change, change).to_string();
                        view! {
                            <div class="personal-field" data-field=field.field.clone()>
                                <dt>{field_label(locale, &field.field)}</dt>
                                <dd class="value">{value}</dd>
                                <dd class="purposes">
                                    {t!(i18n, data.fields.used_for)} " "
                                    <ul>{purposes.into_iter().map(|(p, lang)| view! { <li lang=lang>{p}</li> }).collect_view()}</ul>
                                </dd>
                                <dd class="muted changed">{change}</dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
        </section>
    }
}

#[component]
fn Contracts(contracts: Vec<ContractSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    view! {
        <section aria-labelledby="contracts-heading" id="contracts">
            <h2 id="contracts-heading">{t!(i18n, data.contracts.heading)}</h2>
            {if contracts.is_empty() {
                view! { <p class="muted">{t!(i18n, data.contracts.none)}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards">
                        {contracts
                            .into_iter()
                            .map(|contract| {
                                let state = match contract.terminated_at {
                                    Some(at) => {
                                        let at = when(at);
                                        td_string!(locale, data.contracts.terminated, at).to_string()
                                    }
                                    None => {
                                        let at = when(contract.started_at);
                                        td_string!(locale, data.contracts.started, at).to_string()
                                    }
                                };
                                let heading = if contract.held {
                                    contract.number.clone()
                                } else {
                                    let number = &contract.number;
                                    td_string!(locale, data.contracts.transferred_away, number).to_string()
                                };
                                view! {
                                    <li class="card contract" data-contract=contract.number>
                                        <h3>{heading}</h3>
                                        <p class="muted">{state}</p>
                                        <ul>
                                            {contract
                                                .services
                                                .into_iter()
                                                .map(|service| {
                                                    let kind = service_name(&service.kind);
                                                    let name = &service.name;
                                                    let line =
                                                        td_string!(locale, data.contracts.service, kind, name).to_string();
                                                    view! {
                                                        <li class="service" data-kind=service.kind>{line}</li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                        {contract
                                            .transfers
                                            .into_iter()
                                            .map(|transfer| {
                                                let line = td_string!(
                                                    locale,
                                                    data.contracts.transfer,
                                                    from = &transfer.from,
                                                    to = &transfer.to,
                                                    at = when(transfer.at)
                                                )
                                                .to_string();
                                                view! { <p class="transfer">{line}</p> }
                                            })
                                            .collect_view()}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn CorrectionForm(action: ServerAction<CorrectMyData>, values: EditableValues) -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let error = form_error(action.value());
    let languages = ["fr", "en"]
        .into_iter()
        .map(|code| (code.to_owned(), language_name(locale, code).to_owned()))
        .collect::<Vec<_>>();
    view! {
        <ActionForm action=action attr:class="form" attr:id="correct-form">
            <ErrorSummary error=action_error(action.value())/>
            <Input
                name="phone"
                label=td_string!(locale, data.correct.phone)
                kind="tel"
                required=false
                value=Some(values.phone)
                hint=td_string!(locale, data.correct.phone_hint)
                error=error
            />
            <Input name="mobile" label=td_string!(locale, data.correct.mobile) kind="tel" required=false value=Some(values.mobile) error=error/>
            <Input name="street" label=td_string!(locale, data.correct.street) value=Some(values.street) error=error/>
            <Input name="postcode" label=td_string!(locale, data.correct.postcode) value=Some(values.postcode) error=error/>
            <Input name="city" label=td_string!(locale, data.correct.city) value=Some(values.city) error=error/>
            <Input name="country" label=td_string!(locale, data.correct.country) value=Some(values.country) error=error/>
            <Choice name="language" label=td_string!(locale, data.correct.language) options=languages selected=Some(values.language) error=error/>
            <button type="submit" class="button">{t!(i18n, data.correct.save)}</button>
        </ActionForm>
    }
}

#[component]
fn EmailForm(action: ServerAction<RequestEmailChange>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let error = form_error(action.value());
    view! {
        <ActionForm action=action attr:class="form" attr:id="email-form">
            <ErrorSummary error=action_error(action.value())/>
            <Input name="email" label=td_string!(locale, data.email.new_address) kind="email" error=error/>
            <Input name="password" label=td_string!(locale, data.email.password) kind="password" error=error/>
            <button type="submit" class="button">{t!(i18n, data.email.send_link)}</button>
        </ActionForm>
    }
}

#[component]
fn Requests(
    action: ServerAction<FileDataRequest>,
    requests: Vec<DataRequestView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let error = form_error(action.value());
    let kinds = ["access", "correction", "erasure", "question"]
        .into_iter()
        .map(|kind| (kind.to_owned(), request_kind_name(kind).to_owned()))
        .collect::<Vec<_>>();
    view! {
        <section aria-labelledby="requests-heading" id="requests">
            <h2 id="requests-heading">{t!(i18n, data.requests.heading)}</h2>
            <p class="hint">{t!(i18n, data.requests.hint)}</p>
            <ActionForm action=action attr:class="form" attr:id="request-form">
                <ErrorSummary error=action_error(action.value())/>
                <Choice name="kind" label=td_string!(locale, data.requests.kind) options=kinds error=error/>
                <TextArea name="body" label=td_string!(locale, data.requests.body) error=error/>
                <button type="submit" class="button">{t!(i18n, data.requests.file)}</button>
            </ActionForm>
            <h3>{t!(i18n, data.requests.mine)}</h3>
            {if requests.is_empty() {
                view! { <p class="muted" id="my-requests">{t!(i18n, data.requests.none)}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards" id="my-requests">
                        {requests.into_iter().map(|request| view! { <RequestCard request=request/> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
pub fn RequestCard(request: DataRequestView) -> impl IntoView {
    let locale = current_locale();
    let state = match request.answered_at {
        Some(at) => {
            let at = when(at);
            td_string!(locale, data.requests.answered, at).to_string()
        }
        None => {
            let at = when(request.due_at);
            format!(
                "{} · {}",
                td_string!(locale, data.requests.due, at),
                days_left(locale, request.days_left)
            )
        }
    };
    let filed = {
        let at = when(request.filed_at);
        td_string!(locale, data.requests.filed, at).to_string()
    };
    let open = request.answered_at.is_none();
    view! {
        <li class="card data-request" data-request=request.id.to_string() data-open=open.to_string()>
            <p class="muted">
                <span class="badge">{request_kind_name(&request.kind)}</span>
                " " {filed}
            </p>
            <p class="prewrap">{request.body}</p>
            <p class="clock">{state}</p>
            {request.answer.map(|answer| view! { <p class="prewrap answer">{answer}</p> })}
        </li>
    }
}

/// The page a confirmation link opens: a button that confirms, so that opening the link alone changes nothing.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = move || params.with(|params| params.get("token").unwrap_or_default());
    let confirm = ServerAction::<ConfirmEmailChange>::new();
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), data.confirm.title)/>
        <h1>{t!(i18n, data.confirm.title)}</h1>
        <p>{t!(i18n, data.confirm.text)}</p>
        <ErrorSummary error=form_error(confirm.value())/>
        <ActionForm action=confirm attr:class="form" attr:id="confirm-email-form">
            <input type="hidden" name="token" value=token/>
            <button type="submit" class="button">{t!(i18n, data.confirm.button)}</button>
        </ActionForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::my_data::Purpose;

    #[test]
    fn every_purpose_reads_in_both_languages_and_the_french_is_the_charters_own() {
        for purpose in Purpose::ALL {
            assert_eq!(
                purpose_words(Locale::fr, purpose.as_str()),
                Some(purpose.charter_words())
            );
            let english = purpose_words(Locale::en, purpose.as_str());
            assert!(
                english.is_some_and(|words| words != purpose.charter_words()),
                "{purpose:?}"
            );
        }
    }
}
