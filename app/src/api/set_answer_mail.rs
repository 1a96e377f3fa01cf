use leptos::prelude::*;

use super::AppError;

/// Whether the signed-in staff member is mailed when a request of theirs is answered or expires (the box ticked).
/// Their queue marks those requests either way.
#[server(prefix = "/sf", endpoint = "set-answer-mail")]
pub async fn set_answer_mail(answer_mail: Option<String>) -> Result<(), AppError> {
    use super::consent_flows::require_operational;
    use super::context::*;

    let context = app_context()?;
    let staff = require_operational(&context).await?;
    context
        .store
        .set_answer_mail(staff.staff(), answer_mail.is_some())
        .await
        .map_err(internal)?;
    go_to("/staff/consents?done=answer-mail");
    Ok(())
}
