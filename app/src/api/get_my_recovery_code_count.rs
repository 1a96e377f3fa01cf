use leptos::prelude::*;

use super::AppError;

/// How many of the signed-in account's recovery codes are still unused; `None` when nobody is fully signed in. Only
/// the security page shows it, so it is not part of `get_me`, which every page reads for its header.
#[server(prefix = "/sf", endpoint = "get-my-recovery-code-count")]
pub async fn get_my_recovery_code_count() -> Result<Option<u32>, AppError> {
    server_side::count().await
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::context::{app_context, internal, signed_in_fully};
    use super::AppError;

    pub async fn count() -> Result<Option<u32>, AppError> {
        let context = app_context()?;
        let Some(auth) = signed_in_fully(&context).await? else {
            return Ok(None);
        };
        context
            .store
            .unused_recovery_codes(auth.account.id)
            .await
            .map(Some)
            .map_err(internal)
    }
}
