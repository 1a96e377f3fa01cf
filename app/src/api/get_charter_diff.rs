use leptos::prelude::*;

use super::charter_views::CharterDiff;
use super::AppError;

/// The word-level differences between two versions, in French (the text that prevails) or English. Public. Without
/// `to`, the latest version; without `from`, the one before `to`.
#[server(prefix = "/sf", endpoint = "get-charter-diff")]
pub async fn get_charter_diff(
    from: Option<String>,
    to: Option<String>,
    lang: Option<String>,
) -> Result<CharterDiff, AppError> {
    use super::charter_views::{convert, Change};
    use super::consent_flows::{parsed, refuse};
    use super::context::*;
    use crate::domain::charter::VersionNumber;
    use crate::usecases::charter::word_diff;

    fn number(field: &str, raw: Option<&str>) -> Result<Option<u32>, AppError> {
        match raw.map(str::trim).filter(|raw| !raw.is_empty()) {
            Some(raw) => Ok(Some(parsed(field, VersionNumber::parse(raw))?.get())),
            None => Ok(None),
        }
    }

    let context = app_context()?;
    let versions = context.store.charter_versions().await.map_err(internal)?;
    let latest = versions.last().map_or(1, |version| version.number.get());
    let to = number("to", to.as_deref())?.unwrap_or(latest);
    let from = number("from", from.as_deref())?.unwrap_or(to.saturating_sub(1).max(1));
    let language = match lang.as_deref().map(str::trim) {
        None | Some("") | Some("fr") => "fr",
        Some("en") => "en",
        Some(_) => return refuse("lang", "The language must be fr or en."),
    };
    let text = |wanted: u32| {
        versions
            .iter()
            .find(|version| version.number.get() == wanted)
            .map(|version| match language {
                "en" => version.text.english(),
                _ => version.text.french(),
            })
    };
    let Some(old) = text(from) else {
        return refuse("from", &format!("There is no version {from}."));
    };
    let Some(new) = text(to) else {
        return refuse("to", &format!("There is no version {to}."));
    };
    let parts = convert::parts(word_diff(old, new));
    let count = |change: Change| parts.iter().filter(|part| part.change == change).count();
    Ok(CharterDiff {
        from,
        to,
        language: language.to_owned(),
        added: count(Change::Added),
        removed: count(Change::Removed),
        parts,
        versions: versions
            .iter()
            .map(|version| version.number.get())
            .collect(),
    })
}
