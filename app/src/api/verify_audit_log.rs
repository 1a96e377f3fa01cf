use leptos::prelude::*;

use super::AppError;

/// A privacy officer runs the verification of the chain against the signed checkpoints now; the log pages then
/// show its outcome.
#[server(prefix = "/sf", endpoint = "verify-audit-log")]
pub async fn verify_audit_log() -> Result<(), AppError> {
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;

    let context = app_context()?;
    require_role::<AsPrivacyOfficer>(&context).await?;
    context
        .audit_verifier
        .verify_now()
        .await
        .map_err(internal)?;
    go_to("/privacy/log?done=verified");
    Ok(())
}
