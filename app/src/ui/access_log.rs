//! "Who accessed my data": the customer's own audit log in plain language, filtered by a GET form (the filter lives
//! in the query string, so it works without JavaScript and can be bookmarked), paged by keyset ("older entries"),
//! with the chain's verification status and the exports. The privacy officer's whole log reuses the parts below.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

use super::consent_parts::{self as parts, role_name};
use crate::api::{
    list_my_access_log, AccessLog, InclusionView, LogBasis, LogEntryView, ResourceLabel,
    VerificationView, Who,
};
use crate::domain::chain_break::ChainBreak;
use crate::domain::consent::DenyRule;
use crate::domain::{AuditEvent, Role, SecurityEventKind};
use crate::i18n::*;
use crate::ui::forms::ErrorText;
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

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
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = query.with_untracked(|query| {
        (
            query.get("resource"),
            query.get("role"),
            query.get("from"),
            query.get("until"),
            query.get("outcome"),
            query.get("before"),
        )
    });
    let log = Resource::new(
        move || filter.clone(),
        |(resource, role, from, until, outcome, before)| {
            list_my_access_log(resource, role, from, until, outcome, before)
        },
    );
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), log.access_log.title)/>
        <h1>{t!(i18n, log.access_log.title)}</h1>
        <p class="lead">{t!(i18n, log.access_log.lead)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, log.loading)}</p> }>
            {move || {
                log.get()
                    .map(|result| match result {
                        Ok(log) => {
                            let AccessLog { entries, older, verification, resources, inclusion, .. } = log;
                            view! {
                                <VerificationLine verification/>
                                <InclusionLine inclusion/>
                                <p class="exports" id="exports">
                                    {t!(i18n, log.access_log.download_all)}
                                    " "
                                    <a href="/account/access-log/export.csv" download="" id="export-csv">{t!(i18n, log.access_log.csv)}</a>
                                    " · "
                                    <a href="/account/access-log/export.json" download="" id="export-json">"JSON"</a>
                                </p>
                                <LogFilters path="/account/access-log" resources customer_number=false/>
                                <LogEntries entries for_customer=true/>
                                <OlderLink path="/account/access-log" fields=&FILTER_FIELDS older/>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    })
            }}
        </Suspense>
        <p><A href="/account">{t!(i18n, log.access_log.back_to_account)}</A></p>
    }
}

/// What the page's own entries' proofs show against the newest signed checkpoint: the customer's check, not the
/// operator's walk of the whole log (the line above).
#[component]
fn InclusionLine(inclusion: Option<InclusionView>) -> impl IntoView {
    let locale = current_locale();
    let (text, class) = match inclusion {
        None => (
            td_string!(locale, log.access_log.no_checkpoint).to_owned(),
            "verification",
        ),
        Some(InclusionView { failed, .. }) if !failed.is_empty() => {
            let entries = failed
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            (
                td_string!(locale, log.access_log.proof_failed, entries).to_string(),
                "verification error",
            )
        }
        Some(InclusionView {
            signed_at,
            proved,
            pending,
            ..
        }) => {
            let date = parts::when(signed_at);
            let mut text =
                td_string!(locale, log.access_log.proved, number = proved, date).to_string();
            if pending > 0 {
                text.push(' ');
                text.push_str(
                    &td_string!(locale, log.access_log.pending, number = pending).to_string(),
                );
            }
            (text, "verification")
        }
    };
    view! { <p class=class id="inclusion" data-kind="inclusion">{text}</p> }
}

/// "Log verified up to entry N at T", or that it was not verified yet, or where it was found broken.
#[component]
pub fn VerificationLine(verification: Option<VerificationView>) -> impl IntoView {
    let locale = current_locale();
    let text = match verification {
        None => td_string!(locale, log.access_log.not_verified).to_owned(),
        Some(VerificationView {
            problem: Some((entry, reason)),
            problem_kind,
            finished_at,
            ..
        }) => {
            let date = parts::when(finished_at);
            let reason = problem_kind.map_or(reason, |kind| chain_break(locale, kind));
            td_string!(
                locale,
                log.access_log.verification_problem,
                date,
                entry,
                reason
            )
            .to_string()
        }
        Some(VerificationView {
            verified_through,
            finished_at,
            ..
        }) => {
            let (entry, date) = (verified_through, parts::when(finished_at));
            td_string!(locale, log.access_log.verified, entry, date).to_string()
        }
    };
    view! { <p class="verification" id="verification">{text}</p> }
}

/// What the verification found wrong with an entry, in the reader's language.
fn chain_break(locale: Locale, kind: ChainBreak) -> String {
    match kind {
        ChainBreak::MissingUnderCheckpoint => {
            td_string!(locale, log.access_log.chain_break.missing_under_checkpoint).to_owned()
        }
        ChainBreak::OutOfOrder { after } => {
            td_string!(locale, log.access_log.chain_break.out_of_order, after).to_string()
        }
        ChainBreak::NoHash => td_string!(locale, log.access_log.chain_break.no_hash).to_owned(),
        ChainBreak::Changed => td_string!(locale, log.access_log.chain_break.changed).to_owned(),
        ChainBreak::ChangedOrRemovedBefore { after } => td_string!(
            locale,
            log.access_log.chain_break.changed_or_removed_before,
            after
        )
        .to_string(),
        ChainBreak::DiffersFromCheckpoint => {
            td_string!(locale, log.access_log.chain_break.differs_from_checkpoint).to_owned()
        }
        ChainBreak::Truncated {
            ends_at,
            covered_to,
        } => td_string!(
            locale,
            log.access_log.chain_break.truncated,
            ends_at,
            covered_to
        )
        .to_string(),
    }
}

/// The filter form: a plain GET to the page itself, each field prefilled from the query string.
#[component]
pub fn LogFilters(
    path: &'static str,
    resources: Vec<ResourceLabel>,
    customer_number: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let selected = |name: &'static str| query_value(name).get_untracked().unwrap_or_default();
    let resource = selected("resource");
    let role = selected("role");
    let outcome = selected("outcome");
    view! {
        <form method="get" action=path class="form log-filters" id="log-filters">
            <fieldset>
                <legend>{t!(i18n, log.access_log.filters.legend)}</legend>
                {customer_number
                    .then(|| {
                        view! {
                            <div class="field">
                                <label for="filter-customer">{t!(i18n, log.access_log.filters.customer_number)}</label>
                                <input id="filter-customer" name="customer_number" value=selected("customer_number")/>
                            </div>
                        }
                    })}
                <div class="field">
                    <label for="filter-resource">{t!(i18n, log.access_log.filters.resource)}</label>
                    <select id="filter-resource" name="resource">
                        <option value="">{t!(i18n, log.access_log.filters.all_resources)}</option>
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
                    <label for="filter-role">{t!(i18n, log.access_log.filters.role)}</label>
                    <select id="filter-role" name="role">
                        <option value="">{t!(i18n, log.access_log.filters.all_roles)}</option>
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
                    <label for="filter-from">{t!(i18n, log.access_log.filters.from)}</label>
                    <input id="filter-from" name="from" type="date" value=selected("from")/>
                </div>
                <div class="field">
                    <label for="filter-until">{t!(i18n, log.access_log.filters.until)}</label>
                    <input id="filter-until" name="until" type="date" value=selected("until")/>
                </div>
                <div class="field">
                    <label for="filter-outcome">{t!(i18n, log.access_log.filters.outcome)}</label>
                    <select id="filter-outcome" name="outcome">
                        <option value="">{t!(i18n, log.access_log.filters.all_outcomes)}</option>
                        <option value="allowed" selected=outcome == "allowed">{t!(i18n, log.access_log.allowed)}</option>
                        <option value="denied" selected=outcome == "denied">{t!(i18n, log.access_log.denied)}</option>
                    </select>
                </div>
                <button type="submit" class="button">{t!(i18n, log.access_log.filters.submit)}</button>
                " "
                <a href=path>{t!(i18n, log.access_log.filters.show_all)}</a>
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
    let i18n = use_i18n();
    older.map(|before| {
        let href = older_link(path, fields, before);
        view! { <p class="older"><a href=href rel="next" id="older-entries">{t!(i18n, log.access_log.older)}</a></p> }
    })
}

#[component]
pub fn LogEntries(entries: Vec<LogEntryView>, for_customer: bool) -> impl IntoView {
    let i18n = use_i18n();
    if entries.is_empty() {
        return view! { <p class="muted" id="access-log">{t!(i18n, log.access_log.empty)}</p> }
            .into_any();
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
    let i18n = use_i18n();
    let locale = current_locale();
    let outcome = if entry.allowed {
        td_string!(locale, log.access_log.allowed)
    } else {
        td_string!(locale, log.access_log.denied)
    };
    let class = if entry.allowed {
        "log-entry"
    } else {
        "log-entry denied"
    };
    let why = why(locale, entry.basis, for_customer);
    let customer = entry.customer.as_ref().map(|customer| {
        let (number, name) = (&customer.number, &customer.name);
        let text = td_string!(locale, log.access_log.entry.customer, number, name).to_string();
        view! { <p class="muted">{text}</p> }
    });
    let source = entry.service.as_ref().map(|service| {
        let text = td_string!(locale, log.access_log.entry.reported_by, service).to_string();
        view! { <span class="muted">" · " {text}</span> }
    });
    let id = entry.id;
    let number = td_string!(locale, log.access_log.entry.number, id).to_string();
    view! {
        <li class=class data-entry=entry.id data-event=entry.event.code()>
            <p class="when">
                <time datetime=entry.at.to_rfc3339()>{parts::when(entry.at)}</time>
                " · " {number} " · " <span class="outcome">{outcome}</span>
                {source}
            </p>
            <p class="what"><strong>{who(locale, &entry.who)}</strong> " " {what(locale, &entry)}</p>
            {customer}
            <p class="why">{t!(i18n, log.access_log.entry.why)} " " {why}</p>
            {entry.detail.clone().map(|detail| view! { <p class="muted detail">{detail}</p> })}
        </li>
    }
}

fn who(locale: Locale, who: &Who) -> String {
    match who {
        Who::You => td_string!(locale, log.access_log.who.you).to_owned(),
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
        Who::System => td_string!(locale, log.access_log.who.system).to_owned(),
        Who::Unidentified => td_string!(locale, log.access_log.who.unidentified).to_owned(),
    }
}

/// What happened, as a sentence that follows the actor's name.
fn what(locale: Locale, entry: &LogEntryView) -> String {
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
        AuditEvent::CaseOpened => td_string!(locale, log.access_log.what.case_opened).to_owned(),
        AuditEvent::CaseUpdated => td_string!(locale, log.access_log.what.case_updated).to_owned(),
        AuditEvent::DirectoryRecordCreated => {
            td_string!(locale, log.access_log.what.directory_created).to_owned()
        }
        AuditEvent::DirectoryRecordUpdated => {
            td_string!(locale, log.access_log.what.directory_updated).to_owned()
        }
        AuditEvent::LoginInvitationSent => {
            td_string!(locale, log.access_log.what.invitation_sent).to_owned()
        }
        AuditEvent::CaseResolved => {
            td_string!(locale, log.access_log.what.case_resolved).to_owned()
        }
        AuditEvent::RequestOpened => {
            td_string!(locale, log.access_log.what.request_opened, resource).to_string()
        }
        AuditEvent::RequestApproved => {
            td_string!(locale, log.access_log.what.request_approved, resource).to_string()
        }
        AuditEvent::RequestDenied => {
            td_string!(locale, log.access_log.what.request_denied, resource).to_string()
        }
        AuditEvent::RequestWithdrawn => {
            td_string!(locale, log.access_log.what.request_withdrawn, resource).to_string()
        }
        AuditEvent::RequestExpired => {
            td_string!(locale, log.access_log.what.request_expired, resource).to_string()
        }
        AuditEvent::GrantGivenByCustomer => {
            td_string!(locale, log.access_log.what.grant_given, resource).to_string()
        }
        AuditEvent::GrantRecordedOrally => {
            td_string!(locale, log.access_log.what.grant_recorded_orally, resource).to_string()
        }
        AuditEvent::GrantRevoked => {
            td_string!(locale, log.access_log.what.grant_revoked, resource).to_string()
        }
        AuditEvent::AccessChecked if entry.allowed => {
            td_string!(locale, log.access_log.what.access_allowed, resource, action).to_string()
        }
        AuditEvent::AccessChecked => {
            td_string!(locale, log.access_log.what.access_denied, resource, action).to_string()
        }
        AuditEvent::AccessReported => td_string!(
            locale,
            log.access_log.what.access_reported,
            resource,
            action
        )
        .to_string(),
        AuditEvent::ContactDataViewed => {
            td_string!(locale, log.access_log.what.contact_data_viewed).to_owned()
        }
        AuditEvent::DisclosureRecorded => {
            td_string!(locale, log.access_log.what.disclosure_recorded).to_owned()
        }
        AuditEvent::MailboxStatsViewed => {
            td_string!(locale, log.access_log.what.mailbox_stats_viewed, resource).to_string()
        }
        AuditEvent::MailboxesListed => {
            td_string!(locale, log.access_log.what.mailboxes_listed).to_owned()
        }
        AuditEvent::ConsentStateViewed => {
            td_string!(locale, log.access_log.what.consent_state_viewed).to_owned()
        }
        AuditEvent::BackupRegistered => {
            td_string!(locale, log.access_log.what.backup_registered, resource).to_string()
        }
        AuditEvent::BackupDestroyed => {
            td_string!(locale, log.access_log.what.backup_destroyed, resource).to_string()
        }
        AuditEvent::BackupDestructionOverdue => td_string!(
            locale,
            log.access_log.what.backup_destruction_overdue,
            resource
        )
        .to_string(),
        AuditEvent::ContractTerminated => {
            td_string!(locale, log.access_log.what.contract_terminated).to_owned()
        }
        AuditEvent::ContractTransferred => {
            td_string!(locale, log.access_log.what.contract_transferred).to_owned()
        }
        AuditEvent::CharterPublished => {
            td_string!(locale, log.access_log.what.charter_published).to_owned()
        }
        AuditEvent::CharterAcknowledged => {
            td_string!(locale, log.access_log.what.charter_acknowledged).to_owned()
        }
        AuditEvent::PersonalDataCorrected => {
            td_string!(locale, log.access_log.what.personal_data_corrected).to_owned()
        }
        AuditEvent::EmailChangeRequested => {
            td_string!(locale, log.access_log.what.email_change_requested).to_owned()
        }
        AuditEvent::DataRequestFiled => {
            td_string!(locale, log.access_log.what.data_request_filed).to_owned()
        }
        AuditEvent::DataRequestAnswered => {
            td_string!(locale, log.access_log.what.data_request_answered).to_owned()
        }
        AuditEvent::TermsChangeNoticeQueued => {
            td_string!(locale, log.access_log.what.terms_change_notice_queued).to_owned()
        }
        AuditEvent::IncidentDeclared => {
            td_string!(locale, log.access_log.what.incident_declared).to_owned()
        }
        AuditEvent::NewServiceAnnounced => {
            td_string!(locale, log.access_log.what.new_service_announced).to_owned()
        }
        AuditEvent::AuditLogRead => {
            td_string!(locale, log.access_log.what.audit_log_read).to_owned()
        }
        AuditEvent::OverdueDestructionsViewed => {
            td_string!(locale, log.access_log.what.overdue_destructions_viewed).to_owned()
        }
        AuditEvent::ServiceTokenIssued => {
            td_string!(locale, log.access_log.what.service_token_issued).to_owned()
        }
        AuditEvent::ServiceTokenRevoked => {
            td_string!(locale, log.access_log.what.service_token_revoked).to_owned()
        }
        AuditEvent::WebhookAdded => {
            td_string!(locale, log.access_log.what.webhook_added).to_owned()
        }
        AuditEvent::WebhookRemoved => {
            td_string!(locale, log.access_log.what.webhook_removed).to_owned()
        }
        AuditEvent::Account(kind) => account_event(locale, kind).to_owned(),
    }
}

fn account_event(locale: Locale, kind: SecurityEventKind) -> &'static str {
    use SecurityEventKind as Kind;
    match kind {
        Kind::LoginSucceeded => td_string!(locale, log.access_log.account.login_succeeded),
        Kind::LoginFailed => td_string!(locale, log.access_log.account.login_failed),
        Kind::LoginThrottled => td_string!(locale, log.access_log.account.login_throttled),
        Kind::Logout => td_string!(locale, log.access_log.account.logout),
        Kind::SecondFactorSucceeded => {
            td_string!(locale, log.access_log.account.second_factor_succeeded)
        }
        Kind::SecondFactorFailed => td_string!(locale, log.access_log.account.second_factor_failed),
        Kind::SecondFactorEnrolled => {
            td_string!(locale, log.access_log.account.second_factor_enrolled)
        }
        Kind::SecondFactorDisabled => {
            td_string!(locale, log.access_log.account.second_factor_disabled)
        }
        Kind::RecoveryCodeUsed => td_string!(locale, log.access_log.account.recovery_code_used),
        Kind::PasswordChanged => td_string!(locale, log.access_log.account.password_changed),
        Kind::PasswordResetRequested => {
            td_string!(locale, log.access_log.account.password_reset_requested)
        }
        Kind::PasswordResetCompleted => {
            td_string!(locale, log.access_log.account.password_reset_completed)
        }
        Kind::EmailChanged => td_string!(locale, log.access_log.account.email_changed),
        Kind::SessionEnded => td_string!(locale, log.access_log.account.session_ended),
        Kind::AuthorizationRefused => {
            td_string!(locale, log.access_log.account.authorization_refused)
        }
        Kind::AccountCreated => td_string!(locale, log.access_log.account.account_created),
        Kind::AccountDisabled => td_string!(locale, log.access_log.account.account_disabled),
    }
}

fn deny_rule(locale: Locale, rule: DenyRule) -> &'static str {
    match rule {
        DenyRule::NoStaffRole => td_string!(locale, log.access_log.deny.no_staff_role),
        DenyRule::NotOperationalStaff => {
            td_string!(locale, log.access_log.deny.not_operational_staff)
        }
        DenyRule::SnapshotsAreForSysadmins => {
            td_string!(locale, log.access_log.deny.snapshots_are_for_sysadmins)
        }
        DenyRule::NoActiveGrant => td_string!(locale, log.access_log.deny.no_active_grant),
        DenyRule::GrantForSomeoneElse => {
            td_string!(locale, log.access_log.deny.grant_for_someone_else)
        }
        DenyRule::UnknownStaffMember => {
            td_string!(locale, log.access_log.deny.unknown_staff_member)
        }
        DenyRule::UnknownCustomer => td_string!(locale, log.access_log.deny.unknown_customer),
        DenyRule::NotTheCustomersResource => {
            td_string!(locale, log.access_log.deny.not_the_customers_resource)
        }
    }
}

fn why(locale: Locale, basis: LogBasis, for_customer: bool) -> AnyView {
    match basis {
        LogBasis::Grant(id) if for_customer => {
            // Active and ended grants alike are listed on the consents page, each under its own anchor.
            let href = format!("/account/consents#grant-{id}");
            let label = td_string!(locale, log.access_log.why.your_grant);
            view! { <span>{label} " " <a href=href>{id.to_string()}</a></span> }.into_any()
        }
        LogBasis::Grant(id) => td_string!(locale, log.access_log.why.grant, id)
            .to_string()
            .into_any(),
        LogBasis::TechnicalOperation => {
            td_string!(locale, log.access_log.why.technical_operation).into_any()
        }
        LogBasis::TheCustomer => td_string!(locale, log.access_log.why.the_customer).into_any(),
        LogBasis::StaffRole => td_string!(locale, log.access_log.why.staff_role).into_any(),
        LogBasis::Refused(rule) => {
            let rule = deny_rule(locale, rule);
            td_string!(locale, log.access_log.why.refused, rule)
                .to_string()
                .into_any()
        }
        LogBasis::CourtOrder(id) => td_string!(locale, log.access_log.why.court_order, id)
            .to_string()
            .into_any(),
        LogBasis::AccountSecurity => {
            td_string!(locale, log.access_log.why.account_security).into_any()
        }
    }
}
