//! What the customer's and the staff's consent screens share: French wording of the consent vocabulary, times and
//! durations as people read them, and the form inputs `forms.rs` does not have (optional fields, choices, text
//! areas), all usable without JavaScript.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use super::forms::{form_error, ShownError};
use crate::api::{AppError, CaseRef, ResourceLabel, StaffLabel};
use crate::domain::consent::{Action, EndReason, ReasonCode, RequestStateKind, ResourceKind};
use crate::domain::Role;

pub fn when(at: DateTime<Utc>) -> String {
    at.format("%d.%m.%Y à %H:%M UTC").to_string()
}

/// A remaining time, rounded down to what matters at that scale.
pub fn time_left(seconds: i64) -> String {
    let minutes = seconds / 60;
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => "moins d’une minute".to_owned(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m:02} min"),
        (d, 0, _) => format!("{d} j"),
        (d, h, _) => format!("{d} j {h} h"),
    }
}

pub fn duration(minutes: i64) -> String {
    time_left(minutes * 60)
}

pub fn action_name(action: Action) -> &'static str {
    match action {
        Action::List => "lister",
        Action::Read => "lire",
        Action::Write => "modifier",
        Action::Restore => "restaurer",
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
    match code {
        ReasonCode::CustomerSupport => "Assistance demandée par le client",
        ReasonCode::IncidentResponse => "Réponse à un incident",
        ReasonCode::OperatorMaintenance => "Maintenance de l’infrastructure",
        ReasonCode::LegalObligation => "Obligation légale",
    }
}

pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Support => "support",
        Role::Sysadmin => "administration système",
        Role::PrivacyOfficer => "protection des données",
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

pub fn state_name(state: RequestStateKind) -> &'static str {
    match state {
        RequestStateKind::Pending => "en attente",
        RequestStateKind::Approved => "acceptée",
        RequestStateKind::Denied => "refusée",
        RequestStateKind::Expired => "expirée sans réponse",
        RequestStateKind::Withdrawn => "retirée",
    }
}

pub fn end_reason_name(reason: EndReason) -> &'static str {
    match reason {
        EndReason::Revoked => "retiré par vous",
        EndReason::CaseResolved => "cas de support résolu",
        EndReason::TimeLimit => "durée écoulée",
    }
}

pub fn resource(label: &ResourceLabel) -> String {
    let kind = match label.kind {
        ResourceKind::Mailbox => "boîte mail",
        ResourceKind::BackupSpace => "espace de backup",
        ResourceKind::WebSpace => "espace web",
        ResourceKind::Snapshot => "sauvegarde",
    };
    format!("{kind} {}", label.name)
}

pub fn case(case: &CaseRef) -> String {
    let state = if case.resolved_at.is_some() {
        " (résolu)"
    } else {
        ""
    };
    format!("cas n° {} : {}{state}", case.id, case.subject)
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
            message: error.to_string(),
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
            <legend>"Actions autorisées"</legend>
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
                .map(|text| view! { <p class="notice" role="status" id="done-notice">{text}</p> })
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_reads_at_the_scale_that_matters() {
        assert_eq!(time_left(59), "moins d’une minute");
        assert_eq!(time_left(61), "1 min");
        assert_eq!(time_left(2 * 3600), "2 h");
        assert_eq!(time_left(2 * 3600 + 5 * 60 + 30), "2 h 05 min");
        assert_eq!(time_left(86_400 + 3600 * 3 + 59), "1 j 3 h");
        assert_eq!(time_left(2 * 86_400 + 120), "2 j");
        assert_eq!(duration(90), "1 h 30 min");
    }
}
