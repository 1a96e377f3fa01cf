//! "Mes données" (charter §1): every personal field we store, what it is for in the charter's words, when it last
//! changed and by whom; contracts and their services with transfers; corrections; the email change by link; the
//! export; and requests about one's data with their 30-day clock. Every form works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map};

use crate::api::{
    get_my_data, ConfirmEmailChange, ContractSummary, CorrectMyData, DataRequestView,
    EditableValues, FieldView, FileDataRequest, RequestEmailChange,
};
use crate::ui::consent_parts::{
    action_error, returned_error, when, Choice, DoneNotice, Input, TextArea,
};
use crate::ui::forms::{form_error, ErrorSummary};
use crate::ui::messages::service_name;

/// The page's words, in one place.
mod text {
    pub const TITLE: &str = "Mes données";
    pub const LEAD: &str = "Voici toutes les données personnelles que nous conservons à votre sujet, à quoi chacune sert selon notre charte de confidentialité (§1 et §3), et quand elle a changé pour la dernière fois.";
    pub const FIELDS: &str = "Vos données personnelles";
    pub const USED_FOR: &str = "Sert à";
    pub const LAST_CHANGE: &str = "Dernière modification";
    pub const NEVER_CHANGED: &str = "inchangée depuis la création de votre compte le ";
    pub const BY_YOU: &str = "par vous";
    pub const BY_SYSTEM: &str = "par nos outils d’administration";
    pub const BY_SUPPORT: &str = "par ";
    pub const SUPPORT_ONLY: &str = "Modifiable par notre support, après vous avoir identifié : nom, prénom, entreprise et numéro de client identifient le titulaire du contrat.";
    pub const EMPTY: &str = "non renseigné";
    pub const CONTRACTS: &str = "Vos contrats et leurs services";
    pub const NO_CONTRACTS: &str = "Aucun contrat.";
    pub const TRANSFERRED_AWAY: &str = " (transféré à une autre entité)";
    pub const TERMINATED: &str = "résilié le ";
    pub const STARTED: &str = "depuis le ";
    pub const TRANSFER: &str = "Transfert";
    pub const CORRECT: &str = "Corriger mes coordonnées";
    pub const CORRECT_HINT: &str = "Vous pouvez corriger vous-même vos numéros de téléphone, votre adresse postale et votre langue.";
    pub const PHONE_HINT: &str = "Par exemple 021 555 01 23 ; sans indicatif, un numéro suisse. Laissez vide pour l’effacer.";
    pub const SAVE: &str = "Enregistrer les corrections";
    pub const EMAIL: &str = "Changer d’adresse électronique";
    pub const EMAIL_HINT: &str = "Nous envoyons un lien à la nouvelle adresse ; elle ne remplace l’actuelle (aussi votre adresse de connexion) qu’une fois ce lien ouvert.";
    pub const PENDING: &str = "En attente de confirmation : ";
    pub const PENDING_UNTIL: &str = ", lien valable jusqu’au ";
    pub const SEND_LINK: &str = "Envoyer le lien de confirmation";
    pub const EXPORT: &str = "Tout ce que nous conservons à votre sujet";
    pub const EXPORT_TEXT: &str = "Vos données, contrats, consentements et accès accordés, votre journal des accès, vos messages, vos prises de connaissance de la charte, vos demandes et vos sauvegardes, en un seul document.";
    pub const EXPORT_HTML: &str = "Lire l’export complet";
    pub const EXPORT_JSON: &str = "Télécharger en JSON (lisible par machine)";
    pub const REQUESTS: &str = "Demande au sujet de mes données";
    pub const REQUESTS_HINT: &str =
        "Nous répondons dans les 30 jours (loi fédérale sur la protection des données).";
    pub const KIND: &str = "Type de demande";
    pub const BODY: &str = "Votre demande";
    pub const FILE: &str = "Envoyer la demande";
    pub const MY_REQUESTS: &str = "Mes demandes";
    pub const NO_REQUESTS: &str = "Aucune demande pour l’instant.";
    pub const FILED: &str = "Déposée le ";
    pub const DUE: &str = "réponse due le ";
    pub const ANSWERED: &str = "Répondue le ";
    pub const CONFIRM_TITLE: &str = "Confirmer ma nouvelle adresse";
    pub const CONFIRM_TEXT: &str = "Confirmez pour que cette adresse remplace l’actuelle, y compris pour vous connecter. L’ancienne adresse en sera informée.";
    pub const CONFIRM: &str = "Confirmer la nouvelle adresse";

    pub fn done(flag: &str) -> Option<&'static str> {
        match flag {
            "corrected" => Some("Vos corrections sont enregistrées."),
            "unchanged" => {
                Some("Rien n’a changé : les valeurs envoyées sont celles que nous avions.")
            }
            "email-link-sent" => {
                Some("Un lien de confirmation a été envoyé à la nouvelle adresse.")
            }
            "email-changed" => Some("Votre nouvelle adresse électronique est enregistrée."),
            "request-filed" => {
                Some("Votre demande est enregistrée ; nous y répondrons dans les 30 jours.")
            }
            _ => None,
        }
    }

    pub fn days_left(days: i64) -> String {
        match days {
            d if d < 0 => format!("en retard de {} j", -d),
            0 => "dernier jour".to_owned(),
            1 => "1 jour restant".to_owned(),
            d => format!("{d} jours restants"),
        }
    }
}

pub fn request_kind_name(kind: &str) -> &'static str {
    match kind {
        "access" => "Accès à mes données",
        "correction" => "Rectification",
        "erasure" => "Effacement",
        "question" => "Question",
        _ => "Autre",
    }
}

fn field_label(field: &str) -> &'static str {
    crate::domain::my_data::PersonalField::parse(field)
        .map(|field| field.label_fr())
        .unwrap_or("Autre")
}

fn language_name(code: &str) -> &'static str {
    match code {
        "fr" => "français",
        "en" => "anglais",
        _ => "autre",
    }
}

#[component]
pub fn MyDataPage() -> impl IntoView {
    let correct = ServerAction::<CorrectMyData>::new();
    let email = ServerAction::<RequestEmailChange>::new();
    let file = ServerAction::<FileDataRequest>::new();
    let location = use_location();
    let data = Resource::new(
        move || {
            (
                location.search.get(),
                correct.version().get(),
                email.version().get(),
                file.version().get(),
            )
        },
        |_| get_my_data(),
    );
    view! {
        <Title text=text::TITLE/>
        <h1>{text::TITLE}</h1>
        <p class="lead">{text::LEAD}</p>
        <DoneNotice text=text::done/>
        <ErrorSummary error=returned_error()/>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || {
                data.get()
                    .map(|result| match result {
                        Ok(data) => {
                            let created = when(data.created_at);
                            view! {
                                <Fields fields=data.fields created=created/>
                                <Contracts contracts=data.contracts/>
                                <section aria-labelledby="correct-heading" id="correct">
                                    <h2 id="correct-heading">{text::CORRECT}</h2>
                                    <p class="hint">{text::CORRECT_HINT}</p>
                                    <CorrectionForm action=correct values=data.editable/>
                                </section>
                                <section aria-labelledby="email-heading" id="email">
                                    <h2 id="email-heading">{text::EMAIL}</h2>
                                    <p class="hint">{text::EMAIL_HINT}</p>
                                    {data
                                        .pending_email
                                        .map(|(address, until)| {
                                            view! {
                                                <p class="notice" id="pending-email">
                                                    {text::PENDING} <strong>{address}</strong> {text::PENDING_UNTIL} {when(until)}
                                                </p>
                                            }
                                        })}
                                    <EmailForm action=email/>
                                </section>
                                <section aria-labelledby="export-heading" id="export">
                                    <h2 id="export-heading">{text::EXPORT}</h2>
                                    <p>{text::EXPORT_TEXT}</p>
                                    <ul class="link-list">
                                        <li><a href="/account/data/export" id="export-html" rel="external">{text::EXPORT_HTML}</a></li>
                                        <li><a href="/account/data/export.json" id="export-json" rel="external" download="my-data.json">{text::EXPORT_JSON}</a></li>
                                    </ul>
                                </section>
                                <Requests action=file requests=data.requests/>
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
fn Fields(fields: Vec<FieldView>, created: String) -> impl IntoView {
    view! {
        <section aria-labelledby="fields-heading">
            <h2 id="fields-heading">{text::FIELDS}</h2>
            <p class="hint">{text::SUPPORT_ONLY}</p>
            <dl class="personal-fields" id="personal-fields">
                {fields
                    .into_iter()
                    .map(|field| {
                        let value = match (field.field.as_str(), field.value) {
                            ("language", Some(code)) => language_name(&code).to_owned(),
                            (_, Some(value)) => value,
                            (_, None) => text::EMPTY.to_owned(),
                        };
                        let changed = match (field.last_changed_at, field.last_changed_by) {
                            (Some(at), by) => {
                                let by = match by.as_deref() {
                                    Some("you") => text::BY_YOU.to_owned(),
                                    Some("system") | None => text::BY_SYSTEM.to_owned(),
                                    Some(name) => format!("{}{name}", text::BY_SUPPORT),
                                };
                                format!("{} {by}", when(at))
                            }
                            (None, _) => format!("{}{created}", text::NEVER_CHANGED),
                        };
                        let purposes = field
                            .purposes
                            .iter()
                            .map(|purpose| format!("{} ({})", purpose.charter_words, purpose.clause))
                            .collect::<Vec<_>>();
                        view! {
                            <div class="personal-field" data-field=field.field.clone()>
                                <dt>{field_label(&field.field)}</dt>
                                <dd class="value">{value}</dd>
                                <dd class="purposes">
                                    {text::USED_FOR} " : "
                                    <ul>{purposes.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                                </dd>
                                <dd class="muted changed">{text::LAST_CHANGE} " : " {changed}</dd>
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
    view! {
        <section aria-labelledby="contracts-heading" id="contracts">
            <h2 id="contracts-heading">{text::CONTRACTS}</h2>
            {if contracts.is_empty() {
                view! { <p class="muted">{text::NO_CONTRACTS}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards">
                        {contracts
                            .into_iter()
                            .map(|contract| {
                                let state = match contract.terminated_at {
                                    Some(at) => format!("{}{}", text::TERMINATED, when(at)),
                                    None => format!("{}{}", text::STARTED, when(contract.started_at)),
                                };
                                let away = (!contract.held).then_some(text::TRANSFERRED_AWAY);
                                let number = contract.number.clone();
                                view! {
                                    <li class="card contract" data-contract=number>
                                        <h3>{contract.number} {away}</h3>
                                        <p class="muted">{state}</p>
                                        <ul>
                                            {contract
                                                .services
                                                .into_iter()
                                                .map(|service| {
                                                    view! {
                                                        <li class="service" data-kind=service.kind.clone()>
                                                            {service_name(&service.kind)} " : " {service.name}
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                        {contract
                                            .transfers
                                            .into_iter()
                                            .map(|transfer| {
                                                view! {
                                                    <p class="transfer">
                                                        {text::TRANSFER} " : " {transfer.from} " → " {transfer.to} ", " {when(transfer.at)}
                                                    </p>
                                                }
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
    let error = form_error(action.value());
    let languages = vec![
        ("fr".to_owned(), "français".to_owned()),
        ("en".to_owned(), "anglais".to_owned()),
    ];
    view! {
        <ActionForm action=action attr:class="form" attr:id="correct-form">
            <ErrorSummary error=action_error(action.value())/>
            <Input name="phone" label="Téléphone" kind="tel" required=false value=Some(values.phone) hint=text::PHONE_HINT error=error/>
            <Input name="mobile" label="Portable" kind="tel" required=false value=Some(values.mobile) error=error/>
            <Input name="street" label="Rue et numéro" value=Some(values.street) error=error/>
            <Input name="postcode" label="Code postal" value=Some(values.postcode) error=error/>
            <Input name="city" label="Localité" value=Some(values.city) error=error/>
            <Input name="country" label="Pays (code à deux lettres, p. ex. CH)" value=Some(values.country) error=error/>
            <Choice name="language" label="Langue de nos messages" options=languages selected=Some(values.language) error=error/>
            <button type="submit" class="button">{text::SAVE}</button>
        </ActionForm>
    }
}

#[component]
fn EmailForm(action: ServerAction<RequestEmailChange>) -> impl IntoView {
    let error = form_error(action.value());
    view! {
        <ActionForm action=action attr:class="form" attr:id="email-form">
            <ErrorSummary error=action_error(action.value())/>
            <Input name="email" label="Nouvelle adresse électronique" kind="email" error=error/>
            <Input name="password" label="Mot de passe actuel" kind="password" error=error/>
            <button type="submit" class="button">{text::SEND_LINK}</button>
        </ActionForm>
    }
}

#[component]
fn Requests(
    action: ServerAction<FileDataRequest>,
    requests: Vec<DataRequestView>,
) -> impl IntoView {
    let error = form_error(action.value());
    let kinds = ["access", "correction", "erasure", "question"]
        .into_iter()
        .map(|kind| (kind.to_owned(), request_kind_name(kind).to_owned()))
        .collect::<Vec<_>>();
    view! {
        <section aria-labelledby="requests-heading" id="requests">
            <h2 id="requests-heading">{text::REQUESTS}</h2>
            <p class="hint">{text::REQUESTS_HINT}</p>
            <ActionForm action=action attr:class="form" attr:id="request-form">
                <ErrorSummary error=action_error(action.value())/>
                <Choice name="kind" label=text::KIND options=kinds error=error/>
                <TextArea name="body" label=text::BODY error=error/>
                <button type="submit" class="button">{text::FILE}</button>
            </ActionForm>
            <h3>{text::MY_REQUESTS}</h3>
            {if requests.is_empty() {
                view! { <p class="muted" id="my-requests">{text::NO_REQUESTS}</p> }.into_any()
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
    let state = match request.answered_at {
        Some(at) => format!("{}{}", text::ANSWERED, when(at)),
        None => format!(
            "{}{} · {}",
            text::DUE,
            when(request.due_at),
            text::days_left(request.days_left)
        ),
    };
    let open = request.answered_at.is_none();
    view! {
        <li class="card data-request" data-request=request.id.to_string() data-open=open.to_string()>
            <p class="muted">
                <span class="badge">{request_kind_name(&request.kind)}</span>
                " " {text::FILED} {when(request.filed_at)}
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
    let params = use_params_map();
    let token = move || params.with(|params| params.get("token").unwrap_or_default());
    let confirm = ServerAction::<ConfirmEmailChange>::new();
    view! {
        <Title text=text::CONFIRM_TITLE/>
        <h1>{text::CONFIRM_TITLE}</h1>
        <p>{text::CONFIRM_TEXT}</p>
        <ErrorSummary error=form_error(confirm.value())/>
        <ActionForm action=confirm attr:class="form" attr:id="confirm-email-form">
            <input type="hidden" name="token" value=token/>
            <button type="submit" class="button">{text::CONFIRM}</button>
        </ActionForm>
    }
}
