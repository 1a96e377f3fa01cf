use leptos::prelude::*;

use super::AppError;

/// The signed-in customer acknowledges a published version of the charter; the acknowledgement is recorded with
/// the version and the time, and audited. `back` is the page of the customer area to return to.
#[server(prefix = "/sf", endpoint = "acknowledge-charter")]
pub async fn acknowledge_charter(version: String, back: Option<String>) -> Result<(), AppError> {
    use super::consent_flows::{parsed, refuse};
    use super::context::*;
    use crate::domain::charter::VersionNumber;
    use crate::usecases::charter::acknowledge;

    let context = app_context()?;
    let customer = require_customer(&context).await?;
    let number = parsed("version", VersionNumber::parse(&version))?;
    let published = context
        .store
        .charter_version(number)
        .await
        .map_err(internal)?
        .is_some_and(|stored| stored.asks_acknowledgement());
    if !published {
        return refuse("version", "There is no such version to acknowledge.");
    }
    acknowledge(
        context.store.as_ref(),
        customer.customer(),
        number,
        context.clock.now(),
    )
    .await
    .map_err(internal)?;
    // Only a page of the customer area: never an address someone else chose.
    let back = back
        .filter(|path| {
            (path == "/account" || path.starts_with("/account/"))
                && !path.contains("//")
                && !path.contains(['?', '#', '\\'])
        })
        .unwrap_or_else(|| "/account".to_owned());
    go_to(&format!("{back}?done=charter-acknowledged"));
    Ok(())
}
