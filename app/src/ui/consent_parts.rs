//! What the customer's and the staff's consent screens share: the words of the consent vocabulary, times and
//! durations as people read them, and the form inputs `forms.rs` does not have (optional fields, choices, text
//! areas), all usable without JavaScript.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use super::forms::{form_error, Outcome, ShownError};
use crate::api::{AppError, CaseRef, GrantUsers, ResourceLabel, StaffLabel};
use crate::domain::consent::{
    Action, EndReason, ReasonCode, RequestStateKind, ResourceKind, Teams,
};
use crate::domain::Role;
use crate::i18n::*;
use crate::ui::locale::{current_locale, error_message, moment};

pub fn when(at: DateTime<Utc>) -> String {
    moment(current_locale(), at)
}

/// A remaining time, rounded down to what matters at that scale.
pub fn time_left(seconds: i64) -> String {
    time_left_in(current_locale(), seconds)
}

fn time_left_in(locale: Locale, seconds: i64) -> String {
    let minutes = seconds / 60;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (d, h, m) {
        (0, 0, 0) => td_string!(locale, common.words.less_than_a_minute).to_owned(),
        (0, 0, m) => td_string!(locale, common.words.minutes, m).to_string(),
        (0, h, 0) => td_string!(locale, common.words.hours, h).to_string(),
        (0, h, m) => {
            let mm = format!("{m:02}");
            td_string!(locale, common.words.hours_minutes, h, mm).to_string()
        }
        (d, 0, _) => td_string!(locale, common.words.days, d).to_string(),
        (d, h, _) => td_string!(locale, common.words.days_hours, d, h).to_string(),
    }
}

pub fn duration(minutes: i64) -> String {
    time_left(minutes * 60)
}

pub fn action_name(action: Action) -> &'static str {
    let locale = current_locale();
    match action {
        Action::List => td_string!(locale, common.words.action.list),
        Action::Read => td_string!(locale, common.words.action.read),
        Action::Write => td_string!(locale, common.words.action.write),
        Action::Restore => td_string!(locale, common.words.action.restore),
    }
}

pub fn actions(actions: &[Action]) -> String {
    actions
        .iter()
        .map(|action| action_name(*action))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn reason_name(code: ReasonCode) -> &'static str {
    let locale = current_locale();
    match code {
        ReasonCode::CustomerSupport => td_string!(locale, common.words.reason.customer_support),
        ReasonCode::IncidentResponse => td_string!(locale, common.words.reason.incident_response),
        ReasonCode::OperatorMaintenance => {
            td_string!(locale, common.words.reason.operator_maintenance)
        }
        ReasonCode::LegalObligation => td_string!(locale, common.words.reason.legal_obligation),
    }
}

pub fn role_name(role: Role) -> &'static str {
    let locale = current_locale();
    match role {
        Role::Support => td_string!(locale, common.words.role.support),
        Role::Sysadmin => td_string!(locale, common.words.role.sysadmin),
        Role::PrivacyOfficer => td_string!(locale, common.words.role.privacy_officer),
    }
}

pub fn staff(label: &StaffLabel) -> String {
    let roles: Vec<&str> = label.roles.iter().map(|role| role_name(*role)).collect();
    if roles.is_empty() {
        label.name.clone()
    } else {
        format!("{} ({})", label.name, roles.join(", "))
    }
}

pub fn teams_name(teams: Teams) -> &'static str {
    let locale = current_locale();
    match teams {
        Teams::Support => td_string!(locale, common.words.teams.support),
        Teams::Sysadmins => td_string!(locale, common.words.teams.sysadmins),
        Teams::SupportAndSysadmins => {
            td_string!(locale, common.words.teams.support_and_sysadmins)
        }
    }
}

/// Who may use a grant: "only Camille Rey (support)", or the teams.
pub fn usable_by(users: &GrantUsers) -> String {
    match users {
        GrantUsers::StaffMember(label) => {
            let name = staff(label);
            td_string!(current_locale(), common.words.only_person, name).to_string()
        }
        GrantUsers::Teams(teams) => teams_name(*teams).to_owned(),
    }
}

pub fn state_name(state: RequestStateKind) -> &'static str {
    let locale = current_locale();
    match state {
        RequestStateKind::Pending => td_string!(locale, common.words.state.pending),
        RequestStateKind::Approved => td_string!(locale, common.words.state.approved),
        RequestStateKind::Denied => td_string!(locale, common.words.state.denied),
        RequestStateKind::Expired => td_string!(locale, common.words.state.expired),
        RequestStateKind::Withdrawn => td_string!(locale, common.words.state.withdrawn),
    }
}

pub fn end_reason_name(reason: EndReason) -> &'static str {
    let locale = current_locale();
    match reason {
        EndReason::Revoked => td_string!(locale, common.words.end.revoked),
        EndReason::CaseResolved => td_string!(locale, common.words.end.case_resolved),
        EndReason::TimeLimit => td_string!(locale, common.words.end.time_limit),
    }
}

pub fn resource(label: &ResourceLabel) -> String {
    let locale = current_locale();
    let kind = match label.kind {
        ResourceKind::Mailbox => td_string!(locale, common.words.kind.mailbox),
        ResourceKind::BackupSpace => td_string!(locale, common.words.kind.backup_space),
        ResourceKind::WebSpace => td_string!(locale, common.words.kind.web_space),
        ResourceKind::Snapshot => td_string!(locale, common.words.kind.snapshot),
    };
    format!("{kind} {}", label.name)
}

pub fn case(case: &CaseRef) -> String {
    let locale = current_locale();
    let (id, subject) = (case.id, &case.subject);
    if case.resolved_at.is_some() {
        td_string!(locale, common.words.case_resolved, id, subject).to_string()
    } else {
        td_string!(locale, common.words.case, id, subject).to_string()
    }
}

/// Only what the last submission of one action returned: for a list of forms sharing one action, whose error is
/// shown once for the list.
pub fn action_error<S>(value: S) -> Signal<Option<ShownError>>
where
    S: Get<Value = Option<Result<(), AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || match value.get() {
        Some(Err(error)) => Some(ShownError {
            field: error.field().map(str::to_owned),
            message: error_message(current_locale(), &error),
        }),
        _ => None,
    })
}

/// Only the error a form posted without JavaScript was sent back with.
pub fn returned_error() -> Signal<Option<ShownError>> {
    form_error(Signal::derive(|| None::<Result<(), AppError>>))
}

fn own_error(
    error: Signal<Option<ShownError>>,
    name: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    move || {
        error
            .get()
            .filter(|error| error.field.as_deref() == Some(name))
            .map(|error| error.message)
    }
}

/// The ids that tie a field's label, hint and error to its input.
#[derive(Debug, Clone)]
struct FieldIds {
    input: String,
    hint: String,
    error: String,
    has_hint: bool,
}

impl FieldIds {
    fn new(name: &str, has_hint: bool) -> Self {
        let input = format!("field-{name}");
        Self {
            hint: format!("{input}-hint"),
            error: format!("{input}-error"),
            input,
            has_hint,
        }
    }

    /// The hint, and the error while there is one: what a screen reader reads with the input.
    fn described_by(
        &self,
        mine: impl Fn() -> Option<String> + Send + Sync + 'static,
    ) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        let (hint, error, has_hint) = (self.hint.clone(), self.error.clone(), self.has_hint);
        move || {
            let ids: Vec<&str> = [
                has_hint.then_some(hint.as_str()),
                mine().map(|_| error.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    }
}

/// A labelled single-line input; unlike `forms::Field` it may be optional and prefilled from a query.
#[component]
pub fn Input(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = true)] required: bool,
    #[prop(optional_no_strip)] value: Option<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional_no_strip)] min: Option<i64>,
    #[prop(optional_no_strip)] max: Option<i64>,
    error: Signal<Option<ShownError>>,
) -> impl IntoView {
    let ids = FieldIds::new(name, hint.is_some());
    let mine = own_error(error, name);
    let described_by = ids.described_by(mine);
    view! {
        <div class="field">
            <label for=ids.input.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=ids.hint.clone()>{hint}</p> })}
            <input
                id=ids.input.clone()
                name=name
                type=kind
                value=value
                min=min
                max=max
                required=required
                aria-invalid=move || mine().is_some().then_some("true")
                aria-describedby=described_by
            />
            <Show when=move || mine().is_some()>
                <p class="field-error" id=ids.error.clone()>{mine}</p>
            </Show>
        </div>
    }
}

#[component]
pub fn TextArea(
    name: &'static str,
    label: &'static str,
    #[prop(default = true)] required: bool,
    #[prop(optional)] hint: Option<&'static str>,
    /// Tells apart the ids of one field repeated on a page (one form per item of a list).
    #[prop(optional, into)]
    key: Option<String>,
    error: Signal<Option<ShownError>>,
) -> impl IntoView {
    let ids = match key {
        Some(key) => FieldIds::new(&format!("{name}-{key}"), hint.is_some()),
        None => FieldIds::new(name, hint.is_some()),
    };
    let mine = own_error(error, name);
    let described_by = ids.described_by(mine);
    view! {
        <div class="field">
            <label for=ids.input.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=ids.hint.clone()>{hint}</p> })}
            <textarea
                id=ids.input.clone()
                name=name
                rows="3"
                required=required
                aria-invalid=move || mine().is_some().then_some("true")
                aria-describedby=described_by
            ></textarea>
            <Show when=move || mine().is_some()>
                <p class="field-error" id=ids.error.clone()>{mine}</p>
            </Show>
        </div>
    }
}

/// A choice among `options` (value, text); an empty first option when the choice is optional.
#[component]
pub fn Choice(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    #[prop(optional_no_strip)] selected: Option<String>,
    #[prop(optional)] none: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    error: Signal<Option<ShownError>>,
) -> impl IntoView {
    let ids = FieldIds::new(name, hint.is_some());
    let mine = own_error(error, name);
    let described_by = ids.described_by(mine);
    view! {
        <div class="field">
            <label for=ids.input.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=ids.hint.clone()>{hint}</p> })}
            <select
                id=ids.input.clone()
                name=name
                required=none.is_none()
                aria-invalid=move || mine().is_some().then_some("true")
                aria-describedby=described_by
            >
                {none.map(|text| view! { <option value="">{text}</option> })}
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let chosen = selected.as_deref() == Some(value.as_str());
                        view! { <option value=value selected=chosen>{text}</option> }
                    })
                    .collect_view()}
            </select>
            <Show when=move || mine().is_some()>
                <p class="field-error" id=ids.error.clone()>{mine}</p>
            </Show>
        </div>
    }
}

/// One checkbox per action, named as the server functions take them (`action_read`, …); reading is ticked at first.
#[component]
pub fn ActionChoices(error: Signal<Option<ShownError>>) -> impl IntoView {
    let mine = own_error(error, "actions");
    view! {
        <fieldset class="field choices" id="field-actions">
            <legend>{td_string!(current_locale(), common.words.allowed_actions)}</legend>
            {Action::ALL
                .into_iter()
                .map(|action| {
                    let name = format!("action_{}", action.as_str());
                    view! {
                        <label class="choice">
                            <input type="checkbox" name=name value="on" checked=action == Action::Read/>
                            " "
                            {action_name(action)}
                        </label>
                    }
                })
                .collect_view()}
            <Show when=move || mine().is_some()>
                <p class="field-error">{mine}</p>
            </Show>
        </fieldset>
    }
}

/// The reason codes as options of a [`Choice`].
pub fn reason_options() -> Vec<(String, String)> {
    ReasonCode::ALL
        .into_iter()
        .map(|code| (code.as_str().to_owned(), reason_name(code).to_owned()))
        .collect()
}

/// A confirmation after a redirect (`?done=…`), in the words of `text` for that flag.
#[component]
pub fn DoneNotice(text: fn(&str) -> Option<&'static str>) -> impl IntoView {
    let done = super::forms::query_flag("done");
    view! {
        {move || {
            done.get()
                .and_then(|flag| text(&flag))
                .map(|text| view! { <Outcome id=Some("done-notice")>{text}</Outcome> })
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_reads_at_the_scale_that_matters() {
        assert_eq!(time_left_in(Locale::fr, 59), "moins d’une minute");
        assert_eq!(time_left_in(Locale::fr, 61), "1 min");
        assert_eq!(time_left_in(Locale::fr, 2 * 3600), "2 h");
        assert_eq!(
            time_left_in(Locale::fr, 2 * 3600 + 5 * 60 + 30),
            "2 h 05 min"
        );
        assert_eq!(time_left_in(Locale::fr, 86_400 + 3600 * 3 + 59), "1 j 3 h");
        assert_eq!(time_left_in(Locale::fr, 2 * 86_400 + 120), "2 j");
        assert_eq!(duration(90), "1 h 30 min");
    }

    #[test]
    fn time_left_reads_in_english_too() {
        assert_eq!(time_left_in(Locale::en, 59), "less than a minute");
        assert_eq!(time_left_in(Locale::en, 86_400 + 3600 * 3 + 59), "1 d 3 h");
    }
}
