use leptos::prelude::*;

use super::AppError;

/// A privacy officer publishes the working draft they previewed (`revision`) as the next version, in force from
/// `effective_on`, with a short summary of what changes. The publication and its audit entry are written together;
/// then every customer is sent the terms-change notice, and asked to acknowledge the version at their next visit.
#[server(prefix = "/sf", endpoint = "publish-charter")]
pub async fn publish_charter(
    revision: String,
    effective_on: String,
    summary: String,
) -> Result<(), AppError> {
    use super::consent_flows::{on_field, parsed, refuse};
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;
    use crate::domain::charter;
    use crate::ports::{NewCharterVersion, PublishError};
    use crate::usecases::charter::{publish_version, PublishCharterError};

    let context = app_context()?;
    let officer = require_role::<AsPrivacyOfficer>(&context).await?;
    let staff = officer.staff();
    let now = context.clock.now();
    let Ok(draft_revision) = revision.trim().parse::<i64>() else {
        return refuse("revision", "Save the draft before publishing it.");
    };
    let day = parsed("effective_on", charter::parse_day(&effective_on))?;
    let effective_at = parsed("effective_on", charter::effective_at(day, now))?;
    let summary = match charter::summary(&summary) {
        Ok(summary) => summary,
        Err(invalid) => return fail(on_field(invalid.field, invalid)),
    };
    let version = NewCharterVersion {
        draft_revision,
        summary,
        effective_at,
        published_by: staff.staff(),
    };
    match publish_version(
        context.store.as_ref(),
        version,
        staff.roles(),
        &context.auth.public_origin,
        now,
    )
    .await
    {
        Ok((number, customers)) => {
            go_to(&format!(
                "/privacy/charter?done=published&version={number}&customers={customers}"
            ));
            Ok(())
        }
        Err(PublishCharterError::Publish(error)) => match error {
            PublishError::NoDraft => refuse("revision", "There is no draft to publish."),
            PublishError::DraftChanged => refuse(
                "revision",
                "The draft was changed in the meantime: check the new preview, then publish again.",
            ),
            PublishError::Unchanged => refuse(
                "revision",
                "The draft is the same as the latest version: there is nothing to publish.",
            ),
            PublishError::BeforeLatest { latest } => refuse(
                "effective_on",
                &format!(
                    "The new version cannot come into force before the latest one ({}).",
                    latest.format("%Y-%m-%d")
                ),
            ),
            PublishError::Storage(error) => Err(internal(error)),
        },
        // Published and audited; only the notice failed. The page offers to send it again.
        Err(PublishCharterError::Notice { version, error }) => {
            tracing::error!(%version, %error, "charter published, notice not queued");
            go_to(&format!(
                "/privacy/charter?done=published-without-notice&version={version}"
            ));
            Ok(())
        }
    }
}
