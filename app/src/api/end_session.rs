use leptos::prelude::*;

use super::AppError;

/// Ends one of the signed-in account's sessions, named by its handle; another account's session cannot be named.
#[server(prefix = "/sf", endpoint = "end-session")]
pub async fn end_session(handle: String) -> Result<(), AppError> {
    use super::context::*;
    use crate::domain::SecurityEventKind;

    let context = app_context()?;
    let auth = require_signed_in(&context).await?;
    if !context
        .store
        .end_session(auth.account.id, handle.trim())
        .await
        .map_err(internal)?
    {
        return fail(AppError::invalid(
            "handle",
            "There is no such session on your account.",
        ));
    }
    let mut ended = event(SecurityEventKind::SessionEnded, &context);
    ended.account = Some(auth.account.id);
    record(&context, ended).await?;
    go_to("/security?changed=sessions");
    Ok(())
}
