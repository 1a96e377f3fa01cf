use leptos::prelude::*;

use super::AppError;

/// Remembers the reader's language in this browser and goes back to the page the switch was on. A customer's
/// language of record (for emails, and at each sign-in) is changed on the "my data" page, where it is audited.
#[server(prefix = "/sf", endpoint = "set-language")]
pub async fn set_language(language: String, back: Option<String>) -> Result<(), AppError> {
    use super::context::{app_context, fail, go_to};
    use crate::domain::Language;

    let context = app_context()?;
    let language = Language::parse(&language).or_else(|invalid| fail(invalid.into()))?;
    remember_language(&context, language);
    go_to(&local_path(back.as_deref()));
    Ok(())
}

/// Remembers the language in this browser, for a year, on every path.
#[cfg(feature = "ssr")]
pub(super) fn remember_language(
    context: &super::context::AppContext,
    language: crate::domain::Language,
) {
    let secure = if context.auth.public_origin.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
        crate::ui::locale::LANGUAGE_COOKIE,
        language.code()
    );
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// Only a path on this site: anything else (another origin, `//host`, control characters) goes to the home page.
#[cfg(feature = "ssr")]
fn local_path(back: Option<&str>) -> String {
    back.filter(|path| super::context::is_portal_path(path))
        .unwrap_or("/")
        .to_owned()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::local_path;

    #[test]
    fn the_switch_only_goes_back_to_a_page_of_this_site() {
        assert_eq!(
            local_path(Some("/account/data?done=corrected")),
            "/account/data?done=corrected"
        );
        assert_eq!(local_path(Some("//evil.example/")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(Some("/a\r\nSet-Cookie: x=1")), "/");
        assert_eq!(local_path(None), "/");
    }
}
