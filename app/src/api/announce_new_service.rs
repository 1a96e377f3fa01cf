use leptos::prelude::*;

use super::AppError;

/// The privacy officer announces a new service to every customer who did not turn these announcements off.
#[server(prefix = "/sf", endpoint = "announce-new-service")]
pub async fn announce_new_service(title: String, description: String) -> Result<(), AppError> {
    use super::consent_flows::*;
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;
    use crate::usecases::notices::{self, NoticeError};

    let context = app_context()?;
    let officer = require_role::<AsPrivacyOfficer>(&context).await?;
    let announced = notices::announce_new_service(
        context.store.as_ref(),
        &title,
        &description,
        officer.staff().staff(),
        officer.staff().roles(),
        &context.auth.public_origin,
        context.clock.now(),
    )
    .await;
    match announced {
        Ok(customers) => {
            go_to(&format!(
                "/privacy/announcements?done=announced&customers={customers}"
            ));
            Ok(())
        }
        Err(NoticeError::Invalid(invalid)) => fail(on_field(invalid.field, invalid)),
        Err(NoticeError::Storage(error)) => Err(internal(error)),
    }
}
