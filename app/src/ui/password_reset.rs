use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::forms::{form_error, query_flag, ErrorSummary, Field, Outcome};
use crate::api::{AcceptInvitation, RequestPasswordReset, ResetPassword};
use crate::i18n::*;
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

#[component]
pub fn RequestResetPage() -> impl IntoView {
    let i18n = use_i18n();
    let request = ServerAction::<RequestPasswordReset>::new();
    let error = form_error(request.value());
    let sent = query_flag("sent");
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), auth.reset_request.title)/>
        <h1>{t!(i18n, auth.reset_request.title)}</h1>
        <Show
            when=move || sent.get().is_none()
            fallback=move || {
                view! {
                    <Outcome id=Some("reset-sent")>{t!(i18n, auth.reset_request.sent)}</Outcome>
                }
            }
        >
            <ActionForm action=request attr:class="form" attr:id="reset-request-form">
                <ErrorSummary error/>
                <Field name="email" label=td_string!(current_locale(), auth.reset_request.email) kind="email" autocomplete="username" error/>
                <button type="submit" class="button">{t!(i18n, auth.reset_request.submit)}</button>
            </ActionForm>
        </Show>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let params = use_params_map();
    let token = move || params.with(|params| params.get("token").unwrap_or_default());
    let reset = ServerAction::<ResetPassword>::new();
    let error = form_error(reset.value());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), auth.reset.title)/>
        <h1>{t!(i18n, auth.reset.heading)}</h1>
        <ActionForm action=reset attr:class="form" attr:id="reset-form">
            <ErrorSummary error/>
            <input type="hidden" name="token" value=token/>
            <Field
                name="password"
                label=td_string!(locale, auth.reset.password)
                kind="password"
                autocomplete="new-password"
                hint=td_string!(locale, auth.reset.password_hint)
                error
            />
            <button type="submit" class="button">{t!(i18n, auth.reset.submit)}</button>
        </ActionForm>
    }
}

/// Where an invited customer chooses their password; the form is the reset form's, the words its own.
#[component]
pub fn WelcomePage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let params = use_params_map();
    let token = move || params.with(|params| params.get("token").unwrap_or_default());
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = form_error(accept.value());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), auth.welcome.title)/>
        <h1>{t!(i18n, auth.welcome.heading)}</h1>
        <p class="lead">{t!(i18n, auth.welcome.lead)}</p>
        <ActionForm action=accept attr:class="form" attr:id="welcome-form">
            <ErrorSummary error/>
            <input type="hidden" name="token" value=token/>
            <Field
                name="password"
                label=td_string!(locale, auth.welcome.password)
                kind="password"
                autocomplete="new-password"
                hint=td_string!(locale, auth.reset.password_hint)
                error
            />
            <button type="submit" class="button">{t!(i18n, auth.welcome.submit)}</button>
        </ActionForm>
    }
}
