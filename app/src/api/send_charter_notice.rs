use leptos::prelude::*;

use super::AppError;

/// A privacy officer sends the terms-change notice of a published version whose notice could not be queued when it
/// was published. A notice already queued is not queued again.
#[server(prefix = "/sf", endpoint = "send-charter-notice")]
pub async fn send_charter_notice(version: String) -> Result<(), AppError> {
    use super::consent_flows::{parsed, refuse};
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;
    use crate::domain::charter::VersionNumber;
    use crate::usecases::charter::send_notice;

    let context = app_context()?;
    require_role::<AsPrivacyOfficer>(&context).await?;
    let number = parsed("version", VersionNumber::parse(&version))?;
    let Some(stored) = context
        .store
        .charter_version(number)
        .await
        .map_err(internal)?
        .filter(|stored| stored.asks_acknowledgement())
    else {
        return refuse(
            "version",
            "No version with this number was published in the portal.",
        );
    };
    let customers = send_notice(
        context.store.as_ref(),
        number,
        &stored.summary,
        &context.auth.public_origin,
        context.clock.now(),
    )
    .await
    .map_err(internal)?;
    go_to(&format!(
        "/privacy/charter?done=published&version={number}&customers={customers}"
    ));
    Ok(())
}
