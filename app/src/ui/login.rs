//! Signing in: password, then (for staff always, for customers who chose it) a code from an authenticator app.

use leptos::prelude::*;
use leptos_router::components::A;

use super::forms::{form_error, query_flag, ErrorSummary, ErrorText, Field, Outcome};
use crate::api::{
    begin_enrolment, get_me, take_recovery_codes, ConfirmEnrolment, LogIn, VerifySecondFactor,
};
use crate::i18n::*;
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let log_in = ServerAction::<LogIn>::new();
    let error = form_error(log_in.value());
    let next = query_flag("next");
    let signed_out = query_flag("signed-out");
    let reset = query_flag("reset");
    let welcome = query_flag("welcome");
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), auth.login.title)/>
        <h1>{t!(i18n, auth.login.title)}</h1>
        <Show when=move || signed_out.get().is_some()>
            <Outcome id=Some("signed-out")>{t!(i18n, auth.login.signed_out)}</Outcome>
        </Show>
        <Show when=move || welcome.get().is_some()>
            <Outcome id=Some("login-ready")>{t!(i18n, auth.login.login_ready)}</Outcome>
        </Show>
        <Show when=move || reset.get().is_some()>
            <Outcome id=Some("password-changed")>{t!(i18n, auth.login.password_changed)}</Outcome>
        </Show>
        <ActionForm action=log_in attr:class="form" attr:id="login-form">
            <ErrorSummary error/>
            <Field name="email" label=td_string!(locale, auth.login.email) kind="email" autocomplete="username" error/>
            <Field name="password" label=td_string!(locale, auth.login.password) kind="password" autocomplete="current-password" error/>
            <input type="hidden" name="next" value=move || next.get().unwrap_or_default()/>
            <button type="submit" class="button">{t!(i18n, auth.login.submit)}</button>
        </ActionForm>
        <p><A href="/password-reset">{t!(i18n, auth.login.forgot_password)}</A></p>
    }
}

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let i18n = use_i18n();
    let verify = ServerAction::<VerifySecondFactor>::new();
    let error = form_error(verify.value());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), auth.second_factor.title)/>
        <h1>{t!(i18n, auth.second_factor.title)}</h1>
        <p>{t!(i18n, auth.second_factor.intro)}</p>
        <ActionForm action=verify attr:class="form" attr:id="second-factor-form">
            <ErrorSummary error/>
            <Field name="code" label=td_string!(current_locale(), auth.second_factor.code) autocomplete="one-time-code" inputmode="text" error/>
            <button type="submit" class="button">{t!(i18n, auth.second_factor.submit)}</button>
        </ActionForm>
    }
}

#[component]
pub fn EnrolPage() -> impl IntoView {
    let i18n = use_i18n();
    let enrolment = Resource::new(|| (), |_| begin_enrolment());
    let confirm = ServerAction::<ConfirmEnrolment>::new();
    let error = form_error(confirm.value());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), auth.enrol.title)/>
        <h1>{t!(i18n, auth.enrol.title)}</h1>
        <Suspense fallback=move || view! { <p>{t!(i18n, auth.enrol.preparing)}</p> }>
            {move || {
                enrolment
                    .get()
                    .map(|result| match result {
                        Ok(enrolment) => {
                            view! {
                                <ol class="steps">
                                    <li>
                                        {t!(i18n, auth.enrol.scan)}
                                        <div class="qr" role="img" aria-label=move || t_string!(i18n, auth.enrol.qr_label) inner_html=enrolment.qr_svg></div>
                                        <p>
                                            {t!(i18n, auth.enrol.manual_key)}
                                            <code id="totp-secret">{enrolment.secret}</code>
                                        </p>
                                    </li>
                                    <li>{t!(i18n, auth.enrol.enter_code)}</li>
                                </ol>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! {
                                <ErrorText error/>
                                <p><A href="/login">{t!(i18n, auth.enrol.sign_in)}</A></p>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
        <ActionForm action=confirm attr:class="form" attr:id="enrol-form">
            <ErrorSummary error/>
            <Field name="code" label=td_string!(current_locale(), auth.enrol.code) autocomplete="one-time-code" inputmode="numeric" error/>
            <button type="submit" class="button">{t!(i18n, auth.enrol.submit)}</button>
        </ActionForm>
    }
}

#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    let i18n = use_i18n();
    let codes = Resource::new(|| (), |_| take_recovery_codes());
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), auth.recovery_codes.title)/>
        <h1>{t!(i18n, auth.recovery_codes.heading)}</h1>
        <Suspense fallback=|| ()>
            {move || {
                codes
                    .get()
                    .map(|result| match result {
                        Ok(codes) if !codes.is_empty() => {
                            view! {
                                <p>{t!(i18n, auth.recovery_codes.intro)}</p>
                                <ul class="recovery-codes" id="recovery-codes">
                                    {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Ok(_) => view! { <p>{t!(i18n, auth.recovery_codes.already_shown)}</p> }.into_any(),
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    })
            }}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || {
                me.get()
                    .map(|me| {
                        let home = if me.ok().flatten().is_some_and(|me| me.is_staff) { "/staff" } else { "/account" };
                        view! { <p><a class="button" href=home id="continue">{t!(i18n, auth.recovery_codes.continue_button)}</a></p> }
                    })
            }}
        </Suspense>
    }
}
