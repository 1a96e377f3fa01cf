use leptos::prelude::*;

use super::consent_views::OneGrant;
use super::AppError;

/// One access the signed-in customer gave, as the one-click revoke page shows it; `None` for anyone else's. Not
/// an error, which would send a page being rendered elsewhere.
#[server(prefix = "/sf", endpoint = "get-my-grant")]
pub async fn get_my_grant(grant: String) -> Result<Option<OneGrant>, AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::domain::consent::GrantId;

    let context = app_context()?;
    let me = require_customer(&context).await?;
    let Ok(id) = GrantId::parse(&grant) else {
        return Ok(None);
    };
    let Some(record) = context
        .store
        .grant(id)
        .await
        .map_err(internal)?
        .filter(|record| record.customer == me.customer())
    else {
        return Ok(None);
    };
    let now = context.clock.now();
    let grant = Labels::new(context.store.as_ref())
        .grant(&record, now)
        .await
        .map_err(internal)?;
    Ok(Some(OneGrant { now, grant }))
}
