use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::forms::{form_error, query_flag, ErrorSummary, Field};
use crate::api::{RequestPasswordReset, ResetPassword};

#[component]
pub fn RequestResetPage() -> impl IntoView {
    let request = ServerAction::<RequestPasswordReset>::new();
    let error = form_error(request.value());
    let sent = query_flag("sent");
    view! {
        <Title text="Mot de passe oublié"/>
        <h1>"Mot de passe oublié"</h1>
        <Show
            when=move || sent.get().is_none()
            fallback=|| {
                view! {
                    <p class="notice" role="status" id="reset-sent">
                        "Si un compte utilise cette adresse, nous venons d’y envoyer un lien valable 30 minutes."
                    </p>
                }
            }
        >
            <ActionForm action=request attr:class="form" attr:id="reset-request-form">
                <ErrorSummary error/>
                <Field name="email" label="Adresse e-mail" kind="email" autocomplete="username" error/>
                <button type="submit" class="button">"Recevoir un lien"</button>
            </ActionForm>
        </Show>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|params| params.get("token").unwrap_or_default());
    let reset = ServerAction::<ResetPassword>::new();
    let error = form_error(reset.value());
    view! {
        <Title text="Nouveau mot de passe"/>
        <h1>"Choisir un nouveau mot de passe"</h1>
        <ActionForm action=reset attr:class="form" attr:id="reset-form">
            <ErrorSummary error/>
            <input type="hidden" name="token" value=token/>
            <Field
                name="password"
                label="Nouveau mot de passe"
                kind="password"
                autocomplete="new-password"
                hint="De 12 à 128 caractères. Une phrase facile à retenir convient très bien."
                error
            />
            <button type="submit" class="button">"Enregistrer"</button>
        </ActionForm>
    }
}
