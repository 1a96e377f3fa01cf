use leptos::prelude::*;

use super::AppError;

/// The customer withdraws an access they gave; no access check allows through it once this returns. Another
/// customer's grant is not found.
#[server(prefix = "/sf", endpoint = "revoke-grant")]
pub async fn revoke_grant(grant: String) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::domain::consent::GrantId;
    use crate::domain::AuditEvent;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let Ok(id) = GrantId::parse(&grant) else {
        return fail(AppError::NotFound);
    };
    let Some(record) = context
        .store
        .grant(id)
        .await
        .map_err(internal)?
        .filter(|record| record.customer == me.customer())
    else {
        return fail(AppError::NotFound);
    };
    let now = context.clock.now();
    if record.grant.revoke(now, record.case_resolved_at).is_err() {
        return refuse("grant", "This access has already ended.");
    }
    let audit = audit_entry(
        now,
        AuditEvent::GrantRevoked,
        customer_actor(&me),
        me.customer(),
        Some(record.grant.terms().scope().resource()),
        crate::log_detail!("grant {id}"),
    );
    if !context
        .store
        .revoke_grant(id, me.customer(), &audit)
        .await
        .map_err(internal)?
    {
        return refuse("grant", "This access has already ended.");
    }
    go_to(&format!("/account/consents?done=revoked&grant={id}"));
    Ok(())
}
