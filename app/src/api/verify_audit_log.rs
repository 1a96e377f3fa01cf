use leptos::prelude::*;

use super::AppError;

/// A privacy officer runs the verification of the chain against the signed checkpoints now; the log pages then
/// show its outcome.
#[server(prefix = "/sf", endpoint = "verify-audit-log")]
pub async fn verify_audit_log() -> Result<(), AppError> {
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;
    use crate::ports::AuditVerifier;
    use std::sync::Arc;

    let context = app_context()?;
    require_role::<AsPrivacyOfficer>(&context).await?;
    // The server provides the verifier as context; without it there is nothing to run, which is its fault.
    let Some(verifier) = use_context::<Arc<dyn AuditVerifier>>() else {
        return fail(internal(
            "no audit verifier is provided to server functions",
        ));
    };
    verifier.verify_now().await.map_err(internal)?;
    go_to("/privacy/log?done=verified");
    Ok(())
}
