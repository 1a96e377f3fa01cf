//! Steps several sign-in server functions share.

#[cfg(feature = "ssr")]
mod server_side {
    use crate::api::context::{client_addr, fail, internal, is_portal_path, AppContext};
    use crate::api::AppError;
    use crate::domain::throttle::wait_before_next_attempt;
    use crate::ports::Principal;

    /// Where a fully signed-in account lands.
    pub fn home_of(principal: Principal) -> &'static str {
        match principal {
            Principal::Customer(_) => "/account",
            Principal::Staff(_) => "/staff",
        }
    }

    /// Only a path of this portal inside the account's own area is followed, so `next` cannot send anyone away.
    pub fn safe_next(next: Option<&str>, principal: Principal) -> String {
        let home = home_of(principal);
        match next {
            Some(path) if path.starts_with(home) && is_portal_path(path) => path.to_owned(),
            _ => home.to_owned(),
        }
    }

    /// The throttle keys of an attempt: the account named and the client address.
    /// The first key is the account's; the address key is per purpose (`flow`), so that password-reset requests
    /// from an office do not slow down its sign-ins.
    pub fn throttle_keys(flow: &str, account_key: &str) -> Vec<String> {
        let mut keys = vec![format!("{flow}:{account_key}")];
        if let Some(addr) = client_addr() {
            keys.push(format!("{flow}-ip:{addr}"));
        }
        keys
    }

    /// Refuses the attempt when any key is still waiting out its delay.
    pub async fn check_throttle(context: &AppContext, keys: &[String]) -> Result<(), AppError> {
        let now = context.clock.now();
        for key in keys {
            if let Some((failures, last)) = context.store.throttle(key).await.map_err(internal)? {
                if let Some(wait) = wait_before_next_attempt(failures, last, now) {
                    let whole_seconds = (wait.num_milliseconds() + 999) / 1000;
                    let seconds = u32::try_from(whole_seconds.max(1)).unwrap_or(60);
                    return fail(AppError::TooManyAttempts {
                        retry_after_secs: seconds,
                    });
                }
            }
        }
        Ok(())
    }

    pub async fn count_failure(context: &AppContext, keys: &[String]) -> Result<(), AppError> {
        let now = context.clock.now();
        for key in keys {
            context
                .store
                .record_throttle_failure(key, now)
                .await
                .map_err(internal)?;
        }
        Ok(())
    }

    pub async fn clear_throttle(context: &AppContext, keys: &[String]) -> Result<(), AppError> {
        for key in keys {
            context.store.clear_throttle(key).await.map_err(internal)?;
        }
        Ok(())
    }
}

#[cfg(feature = "ssr")]
pub use server_side::*;
