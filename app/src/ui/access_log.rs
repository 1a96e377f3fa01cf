//! "Who accessed my data": the customer's own audit log in plain language, filtered by a GET form (the filter lives
//! in the query string, so it works without JavaScript and can be bookmarked), paged by keyset ("older entries"),
//! with the chain's verification status and the exports. The privacy officer's whole log reuses the parts below.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use super::consent_parts::{self as parts, role_name};
use crate::api::{
    list_my_access_log, AccessLog, LogBasis, LogEntryView, ResourceLabel, VerificationView, Who,
};
use crate::domain::consent::DenyRule;
use crate::domain::{AuditEvent, Role, SecurityEventKind};

/// The filter fields the log pages read from their query string, in form order.
pub const FILTER_FIELDS: [&str; 5] = ["resource", "role", "from", "until", "outcome"];

/// The current query value of `name`, if any.
pub fn query_value(name: &'static str) -> Signal<Option<String>> {
    let query = use_query_map();
    Signal::derive(move || {
        query
            .with(|query| query.get(name))
            .filter(|value| !value.is_empty())
    })
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// The link to the page of entries older than `before`, keeping the filters of `fields` as they are.
pub fn older_link(path: &str, fields: &[&'static str], before: i64) -> String {
    let query = use_query_map();
    let mut pairs: Vec<String> = query.with_untracked(|query| {
        fields
            .iter()
            .filter_map(|name| {
                query
                    .get(name)
                    .filter(|value| !value.is_empty())
                    .map(|value| format!("{name}={}", encode(&value)))
            })
            .collect()
    });
    pairs.push(format!("before={before}"));
    format!("{path}?{}", pairs.join("&"))
}

#[component]
pub fn AccessLogPage() -> impl IntoView {
    let query = use_query_map();
    let log = Resource::new(
        move || {
            query.with(|query| {
                (
                    query.get("resource"),
                    query.get("role"),
                    query.get("from"),
                    query.get("until"),
                    query.get("outcome"),
                    query.get("before"),
                )
            })
        },
        |(resource, role, from, until, outcome, before)| {
            list_my_access_log(resource, role, from, until, outcome, before)
        },
    );
    view! {
        <Title text="Qui a accédé à mes données"/>
        <h1>"Qui a accédé à mes données"</h1>
        <p class="lead">
            "Chaque accès de notre personnel ou de nos systèmes à vos données, chaque décision d’accès et chaque changement de vos accords est inscrit ici, dans un journal que personne ne peut modifier."
        </p>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || {
                log.get()
                    .map(|result| match result {
                        Ok(log) => {
                            let AccessLog { entries, older, verification, resources, .. } = log;
                            view! {
                                <VerificationLine verification/>
                                <p class="exports" id="exports">
                                    "Télécharger tout mon journal : "
                                    <a href="/account/access-log/export.csv" download="" id="export-csv">"CSV (tableur)"</a>
                                    " · "
                                    <a href="/account/access-log/export.json" download="" id="export-json">"JSON"</a>
                                </p>
                                <LogFilters path="/account/access-log" resources customer_number=false/>
                                <LogEntries entries for_customer=true/>
                                <OlderLink path="/account/access-log" fields=&FILTER_FIELDS older/>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    })
            }}
        </Suspense>
        <p><A href="/account">"Retour à mon compte"</A></p>
    }
}

/// "Log verified up to entry N at T", or that it was not verified yet, or where it was found broken.
#[component]
pub fn VerificationLine(verification: Option<VerificationView>) -> impl IntoView {
    let text = match verification {
        None => "Journal pas encore vérifié.".to_owned(),
        Some(VerificationView { problem: Some((entry, reason)), finished_at, .. }) => format!(
            "Attention : la vérification du {} a trouvé une anomalie à l’entrée {entry} ({reason}).",
            parts::when(finished_at)
        ),
        Some(VerificationView { verified_through, finished_at, .. }) => format!(
            "Journal vérifié jusqu’à l’entrée {verified_through} le {}.",
            parts::when(finished_at)
        ),
    };
    view! { <p class="verification" id="verification">{text}</p> }
}

/// The filter form: a plain GET to the page itself, each field prefilled from the query string.
#[component]
pub fn LogFilters(
    path: &'static str,
    resources: Vec<ResourceLabel>,
    customer_number: bool,
) -> impl IntoView {
    let selected = |name: &'static str| query_value(name).get_untracked().unwrap_or_default();
    let resource = selected("resource");
    let role = selected("role");
    let outcome = selected("outcome");
    view! {
        <form method="get" action=path class="form log-filters" id="log-filters">
            <fieldset>
                <legend>"Filtrer"</legend>
                {customer_number
                    .then(|| {
                        view! {
                            <div class="field">
                                <label for="filter-customer">"Numéro de client"</label>
                                <input id="filter-customer" name="customer_number" value=selected("customer_number")/>
                            </div>
                        }
                    })}
                <div class="field">
                    <label for="filter-resource">"Donnée"</label>
                    <select id="filter-resource" name="resource">
                        <option value="">"Toutes"</option>
                        {resources
                            .into_iter()
                            .map(|label| {
                                let chosen = label.id == resource;
                                view! { <option value=label.id.clone() selected=chosen>{parts::resource(&label)}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-role">"Fonction du personnel"</label>
                    <select id="filter-role" name="role">
                        <option value="">"Toutes"</option>
                        {Role::ALL
                            .into_iter()
                            .map(|option| {
                                let chosen = option.as_str() == role;
                                view! { <option value=option.as_str() selected=chosen>{role_name(option)}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-from">"Du"</label>
                    <input id="filter-from" name="from" type="date" value=selected("from")/>
                </div>
                <div class="field">
                    <label for="filter-until">"Au (inclus)"</label>
                    <input id="filter-until" name="until" type="date" value=selected("until")/>
                </div>
                <div class="field">
                    <label for="filter-outcome">"Résultat"</label>
                    <select id="filter-outcome" name="outcome">
                        <option value="">"Tous"</option>
                        <option value="allowed" selected=outcome == "allowed">"autorisé"</option>
                        <option value="denied" selected=outcome == "denied">"refusé"</option>
                    </select>
                </div>
                <button type="submit" class="button">"Filtrer"</button>
                " "
                <a href=path>"Tout afficher"</a>
            </fieldset>
        </form>
    }
}

#[component]
pub fn OlderLink(
    path: &'static str,
    fields: &'static [&'static str],
    older: Option<i64>,
) -> impl IntoView {
    older.map(|before| {
        let href = older_link(path, fields, before);
        view! { <p class="older"><a href=href rel="next" id="older-entries">"Entrées plus anciennes"</a></p> }
    })
}

#[component]
pub fn LogEntries(entries: Vec<LogEntryView>, for_customer: bool) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="muted" id="access-log">"Aucune entrée."</p> }.into_any();
    }
    view! {
        <ol class="log" id="access-log">
            {entries.into_iter().map(|entry| view! { <LogEntry entry for_customer/> }).collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn LogEntry(entry: LogEntryView, for_customer: bool) -> impl IntoView {
    let outcome = if entry.allowed {
        "autorisé"
    } else {
        "refusé"
    };
    let class = if entry.allowed {
        "log-entry"
    } else {
        "log-entry denied"
    };
    let why = why(entry.basis, for_customer);
    let customer = entry
        .customer
        .as_ref()
        .map(|customer| view! { <p class="muted">"Client : " {customer.number.clone()} " " {customer.name.clone()}</p> });
    let source = entry
        .service
        .clone()
        .map(|service| view! { <span class="muted">" · signalé par " {service}</span> });
    view! {
        <li class=class data-entry=entry.id data-event=entry.event.code()>
            <p class="when">
                <time datetime=entry.at.to_rfc3339()>{parts::when(entry.at)}</time>
                " · n° " {entry.id} " · " <span class="outcome">{outcome}</span>
                {source}
            </p>
            <p class="what"><strong>{who(&entry.who)}</strong> " " {what(&entry)}</p>
            {customer}
            <p class="why">"Pourquoi : " {why}</p>
            {entry.detail.clone().map(|detail| view! { <p class="muted detail">{detail}</p> })}
        </li>
    }
}

fn who(who: &Who) -> String {
    match who {
        Who::You => "Vous".to_owned(),
        Who::Customer(label) => format!("{} ({})", label.name, label.number),
        Who::Staff {
            name,
            job_title,
            roles,
        } => {
            let function = if job_title.is_empty() {
                roles
                    .iter()
                    .map(|role| role_name(*role))
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                job_title.clone()
            };
            if function.is_empty() {
                name.clone()
            } else {
                format!("{name}, {function}")
            }
        }
        Who::System => "Le portail".to_owned(),
        Who::Unidentified => "Une personne non identifiée".to_owned(),
    }
}

/// What happened, as a sentence that follows the actor's name.
fn what(entry: &LogEntryView) -> String {
    let resource = entry
        .resource
        .as_ref()
        .map(|label| format!(" {}", parts::resource(label)))
        .unwrap_or_default();
    let action = entry
        .action
        .map(|action| format!(" ({})", parts::action_name(action)))
        .unwrap_or_default();
    match entry.event {
        AuditEvent::CaseOpened => "a ouvert un cas de support".to_owned(),
        AuditEvent::CaseResolved => "a résolu un cas de support".to_owned(),
        AuditEvent::RequestOpened => format!("a demandé votre accord pour accéder à{resource}"),
        AuditEvent::RequestApproved => format!("a accepté la demande d’accès à{resource}"),
        AuditEvent::RequestDenied => format!("a refusé la demande d’accès à{resource}"),
        AuditEvent::RequestWithdrawn => format!("a retiré sa demande d’accès à{resource}"),
        AuditEvent::RequestExpired => {
            format!("a clos la demande d’accès à{resource}, restée sans réponse")
        }
        AuditEvent::GrantGivenByCustomer => format!("a donné un accès à{resource}"),
        AuditEvent::GrantRecordedOrally => {
            format!("a enregistré votre accord oral pour{resource}")
        }
        AuditEvent::GrantRevoked => format!("a retiré l’accès à{resource}"),
        AuditEvent::AccessChecked if entry.allowed => {
            format!("a obtenu l’accès à{resource}{action}")
        }
        AuditEvent::AccessChecked => format!("s’est vu refuser l’accès à{resource}{action}"),
        AuditEvent::AccessReported => format!("a accédé à{resource}{action}"),
        AuditEvent::ContactDataViewed => {
            "a consulté vos coordonnées pour vous identifier".to_owned()
        }
        AuditEvent::DisclosureRecorded => {
            "a enregistré une communication de vos données ordonnée par un tribunal suisse"
                .to_owned()
        }
        AuditEvent::MailboxStatsViewed => {
            format!("a consulté la taille et la liste des dossiers de{resource}")
        }
        AuditEvent::MailboxesListed => {
            "a recherché votre compte et vu la liste de vos boîtes aux lettres (supervision)"
                .to_owned()
        }
        AuditEvent::BackupRegistered => format!("a enregistré une sauvegarde de{resource}"),
        AuditEvent::BackupDestroyed => {
            format!("a confirmé la destruction d’une sauvegarde de{resource}")
        }
        AuditEvent::BackupDestructionOverdue => {
            format!("a signalé le retard de destruction d’une sauvegarde de{resource}")
        }
        AuditEvent::ContractTerminated => "a résilié un contrat".to_owned(),
        AuditEvent::ContractTransferred => "a enregistré le transfert d’un contrat".to_owned(),
        AuditEvent::CharterPublished => {
            "a publié une nouvelle version de la charte de confidentialité".to_owned()
        }
        AuditEvent::CharterAcknowledged => {
            "a pris connaissance de la charte de confidentialité".to_owned()
        }
        AuditEvent::PersonalDataCorrected => {
            "a corrigé des données personnelles (téléphone, adresse ou langue)".to_owned()
        }
        AuditEvent::EmailChangeRequested => {
            "a demandé à changer d’adresse électronique (lien de confirmation envoyé)".to_owned()
        }
        AuditEvent::DataRequestFiled => {
            "a déposé une demande au sujet de données personnelles".to_owned()
        }
        AuditEvent::DataRequestAnswered => {
            "a répondu à une demande au sujet de données personnelles".to_owned()
        }
        AuditEvent::Account(kind) => account_event(kind).to_owned(),
    }
}

fn account_event(kind: SecurityEventKind) -> &'static str {
    use SecurityEventKind as Kind;
    match kind {
        Kind::LoginSucceeded => "s’est connecté·e",
        Kind::LoginFailed => "a échoué à se connecter",
        Kind::LoginThrottled => "a été ralenti·e après trop d’essais de connexion",
        Kind::Logout => "s’est déconnecté·e",
        Kind::SecondFactorSucceeded => "a validé la vérification en deux étapes",
        Kind::SecondFactorFailed => "a échoué à la vérification en deux étapes",
        Kind::SecondFactorEnrolled => "a activé la vérification en deux étapes",
        Kind::SecondFactorDisabled => "a désactivé la vérification en deux étapes",
        Kind::RecoveryCodeUsed => "a utilisé un code de secours",
        Kind::PasswordChanged => "a changé le mot de passe",
        Kind::PasswordResetRequested => "a demandé la réinitialisation du mot de passe",
        Kind::PasswordResetCompleted => "a réinitialisé le mot de passe",
        Kind::EmailChanged => "a changé l’adresse e-mail",
        Kind::SessionEnded => "a mis fin à une session",
        Kind::AuthorizationRefused => "s’est vu refuser une page ou une action",
        Kind::AccountCreated => "a créé le compte",
        Kind::AccountDisabled => "a désactivé le compte",
    }
}

fn deny_rule(rule: DenyRule) -> &'static str {
    match rule {
        DenyRule::NoStaffRole => "cette personne n’a aucun rôle dans le personnel",
        DenyRule::NotOperationalStaff => "cette fonction n’accède jamais aux données des clients",
        DenyRule::SnapshotsAreForSysadmins => {
            "les sauvegardes sont réservées aux administrateurs système"
        }
        DenyRule::NoActiveGrant => "aucun accord de votre part n’est en cours pour cet accès",
    }
}

fn why(basis: LogBasis, for_customer: bool) -> AnyView {
    match basis {
        LogBasis::Grant(id) if for_customer => {
            // Active and ended grants alike are listed on the consents page, each under its own anchor.
            let href = format!("/account/consents#grant-{id}");
            view! { <span>"votre accord n° " <a href=href>{id.to_string()}</a></span> }.into_any()
        }
        LogBasis::Grant(id) => format!("accord n° {id}").into_any(),
        LogBasis::TechnicalOperation => {
            "opération technique sur l’espace web, permise par la charte (§4.1)".into_any()
        }
        LogBasis::TheCustomer => "à votre initiative".into_any(),
        LogBasis::StaffRole => "dans le cadre de sa fonction".into_any(),
        LogBasis::Refused(rule) => format!("refusé : {}", deny_rule(rule)).into_any(),
        LogBasis::CourtOrder(id) => {
            format!("décision d’un tribunal suisse (registre n° {id}, charte §3)").into_any()
        }
        LogBasis::AccountSecurity => "sécurité de votre compte".into_any(),
    }
}
