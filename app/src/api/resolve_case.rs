use leptos::prelude::*;

use super::AppError;

/// Support resolves a case, which ends every mailbox access given for it.
#[server(prefix = "/sf", endpoint = "resolve-case")]
pub async fn resolve_case(case: String) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::auth::guard::AsSupport;
    use crate::domain::consent::SupportCaseId;
    use crate::ports::EventSource;
    use crate::usecases::cases::{self, Outcome};

    let context = app_context()?;
    let support = require_role::<AsSupport>(&context).await?;
    let Ok(id) = SupportCaseId::parse(&case) else {
        return fail(AppError::NotFound);
    };
    let outcome = cases::resolve_case(
        context.store.as_ref(),
        case_handler(support.staff()),
        id,
        EventSource::Portal,
        context.clock.now(),
    )
    .await
    .or_else(case_refusal)?;
    if let Outcome::AsItWas(_) = outcome {
        return refuse("case", "This support case is already resolved.");
    }
    go_to(&format!("/staff/cases?done=resolved&case={id}"));
    Ok(())
}
