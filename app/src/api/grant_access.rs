// One argument per form field, so the form posts without JavaScript: the four action boxes are four fields. At module
// level because the hydrate build's generated client function does not carry the attribute of the function.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::AppError;

/// The customer lets staff into one of their backup spaces or mailboxes without being asked: the actions ticked,
/// for a duration in minutes, for the teams chosen in `usable_by` (nobody asked, so no one person is named), and
/// for a mailbox the open support case it is for.
#[server(prefix = "/sf", endpoint = "grant-access")]
pub async fn grant_access(
    resource: String,
    usable_by: String,
    action_list: Option<String>,
    action_read: Option<String>,
    action_write: Option<String>,
    action_restore: Option<String>,
    duration_minutes: String,
    case: Option<String>,
) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::domain::consent::{ConsentDraft, GrantTerms, Teams};
    use crate::domain::AuditEvent;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let resource = resource_of(&context, me.customer(), &resource).await?;
    let actions = ticked_actions([action_list, action_read, action_write, action_restore])?;
    let teams = parsed("usable_by", Teams::parse(&usable_by))?;
    let duration = minutes("duration_minutes", &duration_minutes)?;
    let case = open_case_of(&context, me.customer(), case).await?;
    let now = context.clock.now();
    let draft = ConsentDraft {
        resource: resource.clone(),
        case,
        actions,
        duration,
    };
    let terms = GrantTerms::on_customer_initiative(draft, teams, now)
        .or_else(|error| fail(scope_error(error)))?;
    let audit = audit_entry(
        now,
        AuditEvent::GrantGivenByCustomer,
        customer_actor(&me),
        me.customer(),
        Some(resource),
        crate::log_detail!(
            "{actions} for {minutes} min, usable by {holder}",
            minutes = duration.get().num_minutes(),
            holder = teams.as_str()
        ),
    );
    let id = context
        .store
        .create_grant(me.customer(), &terms, None, None, &audit)
        .await
        .map_err(internal)?;
    go_to(&format!("/account/consents?done=granted&grant={id}"));
    Ok(())
}
