//! The reader's language and how dates, times and numbers are written in it (fr-CH and en). The language comes from
//! the preference cookie, which signing in sets from the account's language; without one, from the browser's
//! `Accept-Language`; the switch in the header changes it on every page, with a plain form that needs no JavaScript.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::AppError;
use crate::i18n::*;

/// The reader's language where a component or view is being built. Untracked: changing the language reloads the
/// page (the switch is a plain form), so nothing has to re-render in place. Outside a page (tests), the default.
pub fn current_locale() -> Locale {
    use_context::<leptos_i18n::I18nContext<Locale>>()
        .map(|i18n| i18n.get_locale_untracked())
        .unwrap_or_default()
}

/// The cookie that remembers this browser's language: set by the switch, by a customer's correction of their language
/// of record, and at sign-in from the account when the browser has not chosen yet. Written only by the server.
pub const LANGUAGE_COOKIE: &str = "i18n_pref_locale";

/// This browser's chosen language, from a request's `Cookie` header.
pub fn chosen_language(cookie_header: &str) -> Option<&str> {
    cookie_header
        .split(';')
        .find_map(|pair| pair.trim().strip_prefix(LANGUAGE_COOKIE)?.strip_prefix('='))
}

/// This browser's chosen language, from a request's headers (HTTP/2 may split cookies over several headers).
#[cfg(feature = "ssr")]
pub fn chosen_language_in(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(chosen_language)
        .map(str::to_owned)
}

/// The language a request's page is written in: the chosen one, else the first of `Accept-Language` the portal has,
/// else French. (`requested_languages` hands it to the page renderer.)
#[cfg(feature = "ssr")]
pub fn preferred_locale(headers: &http::HeaderMap) -> Locale {
    let accepted = headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    chosen_language_in(headers)
        .into_iter()
        .chain(accepted.split(',').map(|entry| {
            entry
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned()
        }))
        .find_map(|tag| {
            let primary = tag
                .split('-')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            match primary.as_str() {
                "fr" => Some(Locale::fr),
                "en" => Some(Locale::en),
                _ => None,
            }
        })
        .unwrap_or_default()
}

/// The page's translations context. Not `<I18nContextProvider>`: it also renders an empty `<script>`, which carries
/// no CSP nonce. On the server the context is made under an owner that is paused once it is made: the library starts
/// an isomorphic effect (to write its cookie, which is off here) that runs as a detached task, and under load that
/// task's first run came after the request had ended and its signals were disposed, and panicked. Pausing must come
/// after: an effect's owner does not inherit a pause made before it exists, only one that reaches it as a child.
/// Paused, it never runs; nothing is lost, as the page's language is fixed for the request and the cookie is written
/// by the server's own handlers.
pub fn page_i18n_context() -> leptos_i18n::I18nContext<Locale> {
    let init = || {
        leptos_i18n::context::init_i18n_context_with_options::<Locale>(
            leptos_i18n::context::I18nContextOptions::default()
                .enable_cookie(false)
                .ssr_lang_header_getter(requested_languages()),
        )
    };
    #[cfg(feature = "ssr")]
    {
        if let Some(parent) = Owner::current() {
            let quiet = parent.child();
            let i18n = quiet.with(init);
            quiet.pause();
            // The context's signals live in `quiet`: it must last as long as the page, not this function.
            on_cleanup(move || drop(quiet));
            return i18n;
        }
    }
    init()
}

/// How the page's language is found on the server: `preferred_locale`, the one rule the server functions also follow.
/// (The library's own cookie handling is off: it would store whatever was guessed from the first page as if chosen.)
pub fn requested_languages() -> leptos_use::UseLocalesOptions {
    let options = leptos_use::UseLocalesOptions::default();
    #[cfg(feature = "ssr")]
    let options = options.ssr_lang_header_getter(|| {
        with_context::<http::request::Parts, _>(|parts| {
            preferred_locale(&parts.headers).as_str().to_owned()
        })
    });
    options
}

/// A day: `27.11.2026` in Swiss French, `27 Nov 2026` in English.
pub fn day(locale: Locale, date: NaiveDate) -> String {
    match locale {
        Locale::fr => date.format("%d.%m.%Y").to_string(),
        Locale::en => date.format("%-d %b %Y").to_string(),
    }
}

/// A moment, in UTC as every time the portal records.
pub fn moment(locale: Locale, at: DateTime<Utc>) -> String {
    let date = day(locale, at.date_naive());
    let time = at.format("%H:%M").to_string();
    td_string!(locale, common.at_utc, date, time).to_string()
}

/// A whole number with the thousands separated: `12 345` (narrow no-break space) in Swiss French, `12,345` in English.
pub fn count(locale: Locale, value: u64) -> String {
    let separator = match locale {
        Locale::fr => '\u{202f}',
        Locale::en => ',',
    };
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

/// What to tell the reader about an error, in their language. Field errors carry their own message from the server.
pub fn error_message(locale: Locale, error: &AppError) -> String {
    match error {
        AppError::SignInRequired => td_string!(locale, common.errors.sign_in_required).to_owned(),
        AppError::Forbidden => td_string!(locale, common.errors.forbidden).to_owned(),
        AppError::SecondFactorTooOld => {
            td_string!(locale, common.errors.second_factor_too_old).to_owned()
        }
        AppError::Invalid { message, .. } => message.clone(),
        AppError::BadCredentials => td_string!(locale, common.errors.bad_credentials).to_owned(),
        AppError::BadCode => td_string!(locale, common.errors.bad_code).to_owned(),
        AppError::TooManyAttempts { retry_after_secs } => {
            let seconds = retry_after_secs;
            td_string!(locale, common.errors.too_many_attempts, seconds).to_string()
        }
        AppError::LinkExpired => td_string!(locale, common.errors.link_expired).to_owned(),
        AppError::NotFound => td_string!(locale, common.errors.not_found).to_owned(),
        AppError::Internal { reference } => {
            td_string!(locale, common.errors.internal, reference).to_string()
        }
        AppError::Request(detail) => td_string!(locale, common.errors.request, detail).to_string(),
    }
}

/// The link to the other language. A form post sets the preference and comes back to the same page.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let back = move || format!("{}{}", location.pathname.get(), location.search.get());
    view! {
        <form method="post" action="/sf/set-language" class="inline-form language-switch">
            <input type="hidden" name="language" value=move || t_string!(i18n, common.language_other_code)/>
            <input type="hidden" name="back" value=back/>
            <button
                type="submit"
                class="link-button"
                lang=move || t_string!(i18n, common.language_other_code)
                aria-label=move || t_string!(i18n, common.language_switch)
                id="language-switch"
            >
                {t!(i18n, common.language_other)}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chosen_language_is_read_among_other_cookies() {
        assert_eq!(
            chosen_language("id=abc; i18n_pref_locale=en; theme=dark"),
            Some("en")
        );
        assert_eq!(chosen_language("i18n_pref_locale=fr"), Some("fr"));
        assert_eq!(chosen_language("id=abc; i18n_pref_locale_old=en"), None);
        assert_eq!(chosen_language(""), None);
    }

    #[test]
    fn days_are_written_the_swiss_french_and_the_english_way() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        assert_eq!(day(Locale::fr, date), "07.03.2026");
        assert_eq!(day(Locale::en, date), "7 Mar 2026");
    }

    #[test]
    fn moments_say_their_time_zone_in_the_reader_s_words() {
        let at = DateTime::parse_from_rfc3339("2026-11-27T08:05:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(moment(Locale::fr, at), "27.11.2026 à 08:05 UTC");
        assert_eq!(moment(Locale::en, at), "27 Nov 2026 at 08:05 UTC");
    }

    #[test]
    fn thousands_are_grouped_by_language() {
        assert_eq!(count(Locale::fr, 1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(count(Locale::en, 1_234_567), "1,234,567");
        assert_eq!(count(Locale::en, 999), "999");
        assert_eq!(count(Locale::fr, 0), "0");
    }

    #[test]
    fn errors_are_told_in_the_reader_s_language() {
        let throttled = AppError::TooManyAttempts {
            retry_after_secs: 30,
        };
        assert_eq!(
            error_message(Locale::en, &throttled),
            "Too many attempts. Please wait 30 seconds and try again."
        );
        assert!(error_message(Locale::fr, &throttled)
            .starts_with("Trop de tentatives. Attendez 30 secondes"));
        assert_eq!(
            error_message(Locale::fr, &AppError::Forbidden),
            "Vous n’êtes pas autorisé à faire ceci."
        );
    }
}
