//! The document's `<title>`. leptos_meta writes it after the page's first chunk, outside the request's reactive arena,
//! where reading a signal can panic when another request ran last on that thread (a 500 under concurrent requests;
//! test: `pages_loaded_at_once_each_get_their_own_title`). So a title is text fixed when the page is built, never a
//! closure: the language never changes in place (the switch reloads the page), so nothing is lost.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::*;
use crate::ui::locale::current_locale;

/// The page's own title, shown before the site's name.
#[component]
pub fn PageTitle(text: &'static str) -> impl IntoView {
    view! { <Title text/> }
}

/// Puts the site's name after every page's title, in the language the page is built in.
#[component]
pub fn SiteTitle() -> impl IntoView {
    let locale = current_locale();
    view! { <Title formatter=move |page: String| td_string!(locale, common.title_suffix, page).to_string()/> }
}

#[cfg(test)]
mod tests {
    /// A `<Title>` elsewhere could take a closure again; the type of `PageTitle` is what rules that out.
    #[test]
    fn pages_set_their_title_through_page_title_only() {
        let files = crate::api::error_french::tests::rust_sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        );
        let direct: Vec<_> = files
            .iter()
            .filter(|path| !path.ends_with("ui/title.rs"))
            .filter(|path| {
                std::fs::read_to_string(path)
                    .expect("a source file")
                    .contains("<Title")
            })
            .collect();
        assert!(
            direct.is_empty(),
            "a <Title> outside ui/title.rs: {direct:?}"
        );
        assert!(files.len() > 20, "the sources were found");
    }
}
