use leptos::prelude::*;

use super::charter_views::CharterPrompt;
use super::AppError;

/// The published version the signed-in customer has yet to acknowledge, if any. Anyone else gets none: the banner
/// it feeds is shown on every page, so asking is not a refused access.
#[server(prefix = "/sf", endpoint = "get-charter-prompt")]
pub async fn get_charter_prompt() -> Result<Option<CharterPrompt>, AppError> {
    use super::context::*;
    use crate::auth::guard;

    let context = app_context()?;
    let auth = signed_in(&context).await?;
    let Ok(customer) = guard::as_customer(auth.as_ref()) else {
        return Ok(None);
    };
    let pending = context
        .store
        .charter_to_acknowledge(customer.customer())
        .await
        .map_err(internal)?;
    Ok(pending.map(|version| {
        let number = version.number.get();
        CharterPrompt {
            number,
            effective_on: version.effective_at.date_naive(),
            summary: version.summary,
            previous: (number > 1).then(|| number - 1),
        }
    }))
}
