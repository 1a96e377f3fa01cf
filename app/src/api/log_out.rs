use leptos::prelude::*;

use super::AppError;

/// Ends this session on the server, not only in the browser.
#[server(prefix = "/sf", endpoint = "log-out")]
pub async fn log_out() -> Result<(), AppError> {
    use super::context::{app_context, event, go_to, internal, record, session, signed_in};
    use crate::domain::SecurityEventKind;

    let context = app_context()?;
    if let Some(auth) = signed_in(&context).await? {
        let mut logout = event(SecurityEventKind::Logout, &context);
        logout.account = Some(auth.account.id);
        record(&context, logout).await?;
    }
    session().await?.flush().await.map_err(internal)?;
    go_to("/login?signed-out=1");
    Ok(())
}
