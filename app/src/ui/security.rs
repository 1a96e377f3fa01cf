//! Account security: password, sign-in email, second factor and active sessions. Used by customers and staff alike.

use leptos::prelude::*;
use leptos_router::components::A;

use super::forms::{form_error, query_flag, ErrorSummary, Field, Outcome};
use crate::api::{
    get_me, get_my_recovery_code_count, list_sessions, AppError, ChangePassword,
    DisableSecondFactor, EndSession, Me,
};
use crate::i18n::*;
use crate::ui::consent_parts::when;
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

type MeResource = Resource<Result<Option<Me>, AppError>>;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let i18n = use_i18n();
    let changed = query_flag("changed");
    let me: MeResource = Resource::new(|| (), |_| get_me());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), auth.security.title)/>
        <h1>{t!(i18n, auth.security.title)}</h1>
        <Show when=move || changed.get().is_some()>
            <Outcome id=Some("changed-notice")>{t!(i18n, auth.security.changed)}</Outcome>
        </Show>
        <ChangePasswordForm/>
        <SignInAddressSection me/>
        <SecondFactorSection me/>
        <SessionsSection/>
    }
}

#[component]
fn ChangePasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    let change = ServerAction::<ChangePassword>::new();
    let error = form_error(change.value());
    view! {
        <section aria-labelledby="password-heading">
            <h2 id="password-heading">{t!(i18n, auth.security.password.heading)}</h2>
            <ActionForm action=change attr:class="form" attr:id="change-password-form">
                <ErrorSummary error/>
                <Field name="current_password" label=td_string!(locale, auth.security.password.current) kind="password" autocomplete="current-password" error/>
                <Field
                    name="new_password"
                    label=td_string!(locale, auth.security.password.new)
                    kind="password"
                    autocomplete="new-password"
                    hint=td_string!(locale, auth.security.password.hint)
                    error
                />
                <button type="submit" class="button">{t!(i18n, auth.security.password.submit)}</button>
            </ActionForm>
        </section>
    }
}

/// The sign-in address is the customer's contact address, so it changes only where that one does: on "my data",
/// confirmed by a link sent to the new address. Staff addresses are the operator's and are changed by an administrator.
#[component]
fn SignInAddressSection(me: MeResource) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="email-heading">
            <h2 id="email-heading">{t!(i18n, auth.security.address.heading)}</h2>
            <Suspense fallback=|| ()>
                {move || {
                    me.get()
                        .and_then(Result::ok)
                        .flatten()
                        .map(|me| {
                            let how = if me.is_staff {
                                view! {
                                    <p>{t!(i18n, auth.security.address.staff)}</p>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <p>
                                        {t!(i18n, auth.security.address.customer_before)}
                                        <A href="/account/data#email">{t!(i18n, auth.security.address.customer_link)}</A>
                                        {t!(i18n, auth.security.address.customer_after)}
                                    </p>
                                }
                                    .into_any()
                            };
                            view! {
                                <p>{t!(i18n, auth.security.address.current)} <strong id="sign-in-address">{me.email}</strong></p>
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
    let i18n = use_i18n();
    let codes = Resource::new(|| (), |_| get_my_recovery_code_count());
    let locale = current_locale();
    let disable = ServerAction::<DisableSecondFactor>::new();
    let error = form_error(disable.value());
    view! {
        <section aria-labelledby="second-factor-heading">
            <h2 id="second-factor-heading">{t!(i18n, auth.security.second_factor.heading)}</h2>
            <Suspense fallback=|| ()>
                {move || {
                    let remaining = codes.get().and_then(Result::ok).flatten().unwrap_or_default();
                    me.get()
                        .and_then(Result::ok)
                        .flatten()
                        .map(|me| {
                            if !me.second_factor_enrolled {
                                view! {
                                    <p>{t!(i18n, auth.security.second_factor.off)}</p>
                                    <p><A href="/login/enrol" attr:class="button">{t!(i18n, auth.security.second_factor.turn_on)}</A></p>
                                }
                                    .into_any()
                            } else if me.is_staff {
                                view! {
                                    <p>{t!(i18n, auth.security.second_factor.on_staff, remaining = remaining)}</p>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <p>{t!(i18n, auth.security.second_factor.on, remaining = remaining)}</p>
                                    <ActionForm action=disable attr:class="form" attr:id="disable-second-factor-form">
                                        <ErrorSummary error/>
                                        <Field name="password" label=td_string!(locale, auth.security.second_factor.password) kind="password" autocomplete="current-password" error/>
                                        <button type="submit" class="button secondary">{t!(i18n, auth.security.second_factor.turn_off)}</button>
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
    let i18n = use_i18n();
    let end = ServerAction::<EndSession>::new();
    let sessions = Resource::new(|| (), |_| list_sessions());
    let error = form_error(end.value());
    view! {
        <section aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">{t!(i18n, auth.security.sessions.heading)}</h2>
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
                                let seen = when(session.last_seen_at);
                                let since = when(session.created_at);
                                view! {
                                    <li>
                                        <span class="device">{session.device}</span>
                                        <span class="muted">" — " {t!(i18n, auth.security.sessions.times, since, seen)}</span>
                                        {if session.current {
                                            view! { <strong class="badge">{t!(i18n, auth.security.sessions.current)}</strong> }.into_any()
                                        } else {
                                            view! {
                                                <ActionForm action=end attr:class="inline-form">
                                                    <input type="hidden" name="handle" value=session.handle/>
                                                    <button type="submit" class="button secondary">{t!(i18n, auth.security.sessions.end)}</button>
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
