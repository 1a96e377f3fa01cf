//! Account security: password, sign-in email, second factor and active sessions. Used by customers and staff alike.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::forms::{form_error, query_flag, ErrorSummary, Field};
use crate::api::{
    get_me, list_sessions, AppError, ChangePassword, DisableSecondFactor, EndSession, Me,
};

type MeResource = Resource<Result<Option<Me>, AppError>>;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let changed = query_flag("changed");
    let me: MeResource = Resource::new(|| (), |_| get_me());
    view! {
        <Title text="Sécurité du compte"/>
        <h1>"Sécurité du compte"</h1>
        <Show when=move || changed.get().is_some()>
            <p class="notice" role="status" id="changed-notice">"C’est fait. Vos autres sessions ont été fermées si cela était nécessaire."</p>
        </Show>
        <ChangePasswordForm/>
        <SignInAddressSection me/>
        <SecondFactorSection me/>
        <SessionsSection/>
    }
}

#[component]
fn ChangePasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = form_error(change.value());
    view! {
        <section aria-labelledby="password-heading">
            <h2 id="password-heading">"Mot de passe"</h2>
            <ActionForm action=change attr:class="form" attr:id="change-password-form">
                <ErrorSummary error/>
                <Field name="current_password" label="Mot de passe actuel" kind="password" autocomplete="current-password" error/>
                <Field
                    name="new_password"
                    label="Nouveau mot de passe"
                    kind="password"
                    autocomplete="new-password"
                    hint="De 12 à 128 caractères. Vos autres sessions seront fermées."
                    error
                />
                <button type="submit" class="button">"Changer le mot de passe"</button>
            </ActionForm>
        </section>
    }
}

/// The sign-in address is the customer's contact address, so it changes only where that one does: on "my data",
/// confirmed by a link sent to the new address. Staff addresses are the operator's and are changed by an administrator.
#[component]
fn SignInAddressSection(me: MeResource) -> impl IntoView {
    view! {
        <section aria-labelledby="email-heading">
            <h2 id="email-heading">"Adresse de connexion"</h2>
            <Suspense fallback=|| ()>
                {move || {
                    me.get()
                        .and_then(Result::ok)
                        .flatten()
                        .map(|me| {
                            let how = if me.is_staff {
                                view! {
                                    <p>"Elle est gérée par un administrateur : adressez-lui votre demande de changement."</p>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <p>
                                        "C’est aussi votre adresse de contact. Pour la changer, "
                                        <A href="/account/data#email">"indiquez la nouvelle dans « Mes données »"</A>
                                        " : elle ne remplace l’actuelle qu’une fois confirmée par le lien que nous y envoyons."
                                    </p>
                                }
                                    .into_any()
                            };
                            view! {
                                <p>"Actuellement : " <strong id="sign-in-address">{me.email}</strong></p>
                                {how}
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn SecondFactorSection(me: MeResource) -> impl IntoView {
    let disable = ServerAction::<DisableSecondFactor>::new();
    let error = form_error(disable.value());
    view! {
        <section aria-labelledby="second-factor-heading">
            <h2 id="second-factor-heading">"Vérification en deux étapes"</h2>
            <Suspense fallback=|| ()>
                {move || {
                    me.get()
                        .and_then(Result::ok)
                        .flatten()
                        .map(|me| {
                            if !me.second_factor_enrolled {
                                view! {
                                    <p>"Elle n’est pas active. Activez-la pour protéger votre compte même si votre mot de passe est dérobé."</p>
                                    <p><A href="/login/enrol" attr:class="button">"Activer"</A></p>
                                }
                                    .into_any()
                            } else if me.is_staff {
                                view! {
                                    <p>"Active et obligatoire pour le personnel. Codes de secours restants : " {me.unused_recovery_codes}</p>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <p>"Active. Codes de secours restants : " {me.unused_recovery_codes}</p>
                                    <ActionForm action=disable attr:class="form" attr:id="disable-second-factor-form">
                                        <ErrorSummary error/>
                                        <Field name="password" label="Mot de passe actuel" kind="password" autocomplete="current-password" error/>
                                        <button type="submit" class="button secondary">"Désactiver"</button>
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn SessionsSection() -> impl IntoView {
    let end = ServerAction::<EndSession>::new();
    let sessions = Resource::new(move || end.version().get(), |_| list_sessions());
    let error = form_error(end.value());
    view! {
        <section aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Sessions actives"</h2>
            <ErrorSummary error/>
            <Suspense fallback=|| ()>
                <ul class="sessions" id="sessions">
                    {move || {
                        sessions
                            .get()
                            .and_then(Result::ok)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|session| {
                                let seen = session.last_seen_at.format("%d.%m.%Y %H:%M UTC").to_string();
                                let since = session.created_at.format("%d.%m.%Y %H:%M UTC").to_string();
                                view! {
                                    <li>
                                        <span class="device">{session.device}</span>
                                        <span class="muted">" — ouverte le " {since} ", active le " {seen}</span>
                                        {if session.current {
                                            view! { <strong class="badge">"Cette session"</strong> }.into_any()
                                        } else {
                                            view! {
                                                <ActionForm action=end attr:class="inline-form">
                                                    <input type="hidden" name="handle" value=session.handle/>
                                                    <button type="submit" class="button secondary">"Fermer"</button>
                                                </ActionForm>
                                            }
                                                .into_any()
                                        }}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Suspense>
        </section>
    }
}
