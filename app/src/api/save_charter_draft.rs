use leptos::prelude::*;

use super::AppError;

/// A privacy officer saves the working draft of the next version (Markdown, French and English); the page then
/// shows its preview and its differences with the version in force.
#[server(prefix = "/sf", endpoint = "save-charter-draft")]
pub async fn save_charter_draft(text_fr: String, text_en: String) -> Result<(), AppError> {
    use super::consent_flows::on_field;
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;
    use crate::domain::charter::CharterText;

    let context = app_context()?;
    let officer = require_role::<AsPrivacyOfficer>(&context).await?;
    let text = match CharterText::parse(&text_fr, &text_en) {
        Ok(text) => text,
        Err(invalid) => return fail(on_field(invalid.field, invalid)),
    };
    let revision = context
        .store
        .save_charter_draft(&text, officer.staff().staff(), context.clock.now())
        .await
        .map_err(internal)?;
    // No `#preview` fragment: a page loaded at a fragment ignores `autofocus`, and the confirmation, which takes the
    // focus, is where the reader continues.
    go_to(&format!("/privacy/charter?done=saved&revision={revision}"));
    Ok(())
}
