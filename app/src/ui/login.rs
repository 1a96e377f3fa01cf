//! Signing in: password, then (for staff always, for customers who chose it) a code from an authenticator app.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::forms::{form_error, query_flag, ErrorSummary, Field};
use crate::api::{
    begin_enrolment, get_me, take_recovery_codes, ConfirmEnrolment, LogIn, VerifySecondFactor,
};

#[component]
pub fn LoginPage() -> impl IntoView {
    let log_in = ServerAction::<LogIn>::new();
    let error = form_error(log_in.value());
    let next = query_flag("next");
    let signed_out = query_flag("signed-out");
    let reset = query_flag("reset");
    view! {
        <Title text="Se connecter"/>
        <h1>"Se connecter"</h1>
        <Show when=move || signed_out.get().is_some()>
            <p class="notice" role="status">"Vous êtes déconnecté·e."</p>
        </Show>
        <Show when=move || reset.get().is_some()>
            <p class="notice" role="status">"Votre mot de passe a été changé. Connectez-vous avec le nouveau."</p>
        </Show>
        <ActionForm action=log_in attr:class="form" attr:id="login-form">
            <ErrorSummary error/>
            <Field name="email" label="Adresse e-mail" kind="email" autocomplete="username" error/>
            <Field name="password" label="Mot de passe" kind="password" autocomplete="current-password" error/>
            <input type="hidden" name="next" value=move || next.get().unwrap_or_default()/>
            <button type="submit" class="button">"Se connecter"</button>
        </ActionForm>
        <p><A href="/password-reset">"Mot de passe oublié ?"</A></p>
    }
}

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let verify = ServerAction::<VerifySecondFactor>::new();
    let error = form_error(verify.value());
    view! {
        <Title text="Code de vérification"/>
        <h1>"Code de vérification"</h1>
        <p>"Saisissez le code à six chiffres de votre application d’authentification, ou l’un de vos codes de secours."</p>
        <ActionForm action=verify attr:class="form" attr:id="second-factor-form">
            <ErrorSummary error/>
            <Field name="code" label="Code" autocomplete="one-time-code" inputmode="text" error/>
            <button type="submit" class="button">"Vérifier"</button>
        </ActionForm>
    }
}

#[component]
pub fn EnrolPage() -> impl IntoView {
    let enrolment = Resource::new(|| (), |_| begin_enrolment());
    let confirm = ServerAction::<ConfirmEnrolment>::new();
    let error = form_error(confirm.value());
    view! {
        <Title text="Configurer la vérification en deux étapes"/>
        <h1>"Configurer la vérification en deux étapes"</h1>
        <Suspense fallback=|| view! { <p>"Préparation…"</p> }>
            {move || {
                enrolment
                    .get()
                    .map(|result| match result {
                        Ok(enrolment) => {
                            view! {
                                <ol class="steps">
                                    <li>
                                        "Scannez ce code avec votre application d’authentification (par exemple FreeOTP, Aegis ou Google Authenticator)."
                                        <div class="qr" role="img" aria-label="Code QR de configuration" inner_html=enrolment.qr_svg></div>
                                        <p>
                                            "Ou saisissez cette clé à la main : "
                                            <code id="totp-secret">{enrolment.secret}</code>
                                        </p>
                                    </li>
                                    <li>"Saisissez le code à six chiffres qu’elle affiche."</li>
                                </ol>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! {
                                <p class="form-error" role="alert">{error.to_string()}</p>
                                <p><A href="/login">"Se connecter"</A></p>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
        <ActionForm action=confirm attr:class="form" attr:id="enrol-form">
            <ErrorSummary error/>
            <Field name="code" label="Code" autocomplete="one-time-code" inputmode="numeric" error/>
            <button type="submit" class="button">"Activer"</button>
        </ActionForm>
    }
}

#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    let codes = Resource::new(|| (), |_| take_recovery_codes());
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Title text="Codes de secours"/>
        <h1>"Vos codes de secours"</h1>
        <Suspense fallback=|| ()>
            {move || {
                codes
                    .get()
                    .map(|result| match result {
                        Ok(codes) if !codes.is_empty() => {
                            view! {
                                <p>
                                    "La vérification en deux étapes est active. Gardez ces codes en lieu sûr : chacun remplace une fois un code de l’application si vous la perdez. Ils ne seront plus affichés."
                                </p>
                                <ul class="recovery-codes" id="recovery-codes">
                                    {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Ok(_) => view! { <p>"Ces codes ont déjà été affichés."</p> }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    })
            }}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || {
                me.get()
                    .map(|me| {
                        let home = if me.ok().flatten().is_some_and(|me| me.is_staff) { "/staff" } else { "/account" };
                        view! { <p><a class="button" href=home id="continue">"Continuer"</a></p> }
                    })
            }}
        </Suspense>
    }
}
