use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::Role;

/// Who is signed in, for greetings and menus. It decides nothing: every server function checks again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub display_name: String,
    pub email: String,
    pub is_staff: bool,
    pub roles: Vec<Role>,
    pub second_factor_enrolled: bool,
}

#[server(prefix = "/sf", endpoint = "get-me")]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    super::context::who_am_i(server_side::me).await
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::context::{app_context, roles_for_menus, signed_in_fully};
    use super::{AppError, Me};
    use crate::ports::Principal;

    pub async fn me() -> Result<Option<Me>, AppError> {
        let context = app_context()?;
        let Some(auth) = signed_in_fully(&context).await? else {
            return Ok(None);
        };
        let roles = roles_for_menus(&context, &auth).await?;
        Ok(Some(Me {
            display_name: auth.display_name,
            email: auth.account.email.to_string(),
            is_staff: matches!(auth.account.principal, Principal::Staff(_)),
            roles,
            second_factor_enrolled: auth.account.totp_secret.is_some(),
        }))
    }
}
