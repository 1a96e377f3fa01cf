use leptos::prelude::*;

use super::charter_views::CharterPage;
use super::AppError;

/// One version of the charter, for anyone (charter §7: the version in force is always public): `version` names it,
/// none means the version in force.
#[server(prefix = "/sf", endpoint = "get-charter")]
pub async fn get_charter(version: Option<String>) -> Result<CharterPage, AppError> {
    use super::charter_views::convert;
    use super::consent_flows::parsed;
    use super::context::*;
    use crate::domain::charter::VersionNumber;
    use crate::usecases::charter::render_markdown;

    let context = app_context()?;
    let now = context.clock.now();
    let versions = context.store.charter_versions().await.map_err(internal)?;
    let in_force = convert::in_force(&versions, now);
    let wanted = match version
        .as_deref()
        .map(str::trim)
        .filter(|raw| !raw.is_empty())
    {
        Some(raw) => Some(parsed("version", VersionNumber::parse(raw))?.get()),
        None => in_force,
    };
    let Some(version) = wanted.and_then(|wanted| {
        versions
            .iter()
            .find(|version| version.number.get() == wanted)
    }) else {
        return fail(AppError::NotFound);
    };
    let number = version.number.get();
    let key = context.log_prover.published_key();
    Ok(CharterPage {
        number,
        status: convert::status(number, in_force),
        effective_on: version.effective_at.date_naive(),
        published_at: version.published_at,
        summary: version.summary.clone(),
        html_fr: render_markdown(version.text.french()),
        html_en: render_markdown(version.text.english()),
        in_force,
        previous: (number > 1).then(|| number - 1),
        log_origin: key.origin,
        log_public_key: key.public_key,
    })
}
