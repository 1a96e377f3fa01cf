//! Form building blocks that work with and without JavaScript: errors come either from the action's result
//! (hydrated) or from the `?error=` query the server redirects a plain form post to.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::AppError;
use crate::i18n::*;
use crate::ui::locale::error_message;

/// An error to show with a form: the field it belongs to (if any) and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownError {
    pub field: Option<String>,
    pub message: String,
}

/// The error of the last submission of `value`, else the one in the page's query.
pub fn form_error<S>(value: S) -> Signal<Option<ShownError>>
where
    S: Get<Value = Option<Result<(), AppError>>> + Send + Sync + 'static,
{
    let query = use_query_map();
    let i18n = use_i18n();
    Signal::derive(move || {
        let locale = i18n.get_locale();
        match value.get() {
            Some(Err(error)) => {
                return Some(ShownError {
                    field: error.field().map(str::to_owned),
                    message: error_message(locale, &error),
                })
            }
            // A successful submission clears an error the page was loaded with.
            Some(Ok(())) => return None,
            None => {}
        }
        query.with(|query| {
            let code = query.get("error")?;
            let field = query.get("field");
            let error =
                AppError::from_code(&code, field.as_deref(), query.get("detail").as_deref())?;
            Some(ShownError {
                field,
                message: error_message(locale, &error),
            })
        })
    })
}

/// What an action led to (done, or why not), where the reader continues: it takes the focus when the page that says
/// it loads (every form is a plain form post that comes back to a page, with or without JavaScript). Otherwise a
/// keyboard or screen-reader user is left at the top of the page, and has to hunt for what happened.
#[component]
pub fn Outcome(
    #[prop(optional)] failed: bool,
    #[prop(optional_no_strip)] id: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <p
            class=if failed { "form-error" } else { "notice" }
            role=if failed { "alert" } else { "status" }
            tabindex="-1"
            autofocus=true
            id=id
        >
            {children()}
        </p>
    }
}

/// A failed load or action, said in the reader's language and announced to screen readers.
#[component]
pub fn ErrorText(error: AppError, #[prop(optional)] id: Option<&'static str>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Outcome failed=true id=id>
            {move || error_message(i18n.get_locale(), &error)}
        </Outcome>
    }
}

/// The message summary at the top of a form, announced to screen readers and focused when it appears.
#[component]
pub fn ErrorSummary(error: Signal<Option<ShownError>>) -> impl IntoView {
    view! {
        <Show when=move || error.with(Option::is_some)>
            <Outcome failed=true>
                {move || error.get().map(|error| error.message)}
            </Outcome>
        </Show>
    }
}

/// A labelled input whose error, when it is this field's, is tied to it with `aria-describedby`.
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] value: Option<String>,
    #[prop(optional)] inputmode: Option<&'static str>,
    error: Signal<Option<ShownError>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let mine = move || {
        error
            .get()
            .filter(|error| error.field.as_deref() == Some(name))
            .map(|error| error.message)
    };
    let described_by = {
        let hint_id = hint_id.clone();
        let error_id = error_id.clone();
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if mine().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=id.clone()
                name=name
                type=kind
                autocomplete=autocomplete
                inputmode=inputmode
                value=value
                required=true
                aria-invalid=move || mine().is_some().then_some("true")
                aria-describedby=described_by
            />
            <Show when=move || mine().is_some()>
                <p class="field-error" id=error_id.clone()>{mine}</p>
            </Show>
        </div>
    }
}

/// A notice from a `?changed=` or similar query flag, for confirmations after a redirect.
pub fn query_flag(name: &'static str) -> Signal<Option<String>> {
    let query = use_query_map();
    Signal::derive(move || query.with(|query| query.get(name)))
}
