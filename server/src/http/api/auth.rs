//! Bearer-token authentication of calling services, and their scopes.
//!
//! A live token is remembered for [`cache::TTL`] (two seconds) after it was read from the database, so that a busy
//! service does not cost a lookup per request. A token revoked with `server revoke-service-token` is therefore
//! refused at the latest that long after the revocation, by every instance. Unknown and revoked tokens are never
//! remembered, so nothing an outsider sends can fill the cache.

use axum::{extract::FromRequestParts, http::header, http::request::Parts};
use std::{marker::PhantomData, sync::Arc};

use app::ports::Storage;

use super::cache::{self, TtlCache};
use super::{error::ApiError, ApiState};
use crate::tokens::{self, Scope};

/// The service a request comes from, as its token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub scopes: Vec<Scope>,
}

/// Live tokens by their SHA-256.
#[derive(Debug)]
pub struct TokenCache(TtlCache<[u8; 32], Arc<Caller>>);

impl Default for TokenCache {
    fn default() -> Self {
        Self(TtlCache::new(cache::TTL))
    }
}

impl TokenCache {
    /// The live token's caller, or `None` for a token that is unknown or revoked.
    pub async fn caller(
        &self,
        store: &dyn Storage,
        token: &str,
    ) -> Result<Option<Arc<Caller>>, ApiError> {
        let hash = tokens::hash(token);
        let fetch = async {
            let stored = store
                .service_token(&hash)
                .await
                .map_err(|error| ApiError::unavailable(&error))?;
            Ok(stored
                .filter(|token| token.revoked_at.is_none())
                .map(|token| {
                    Arc::new(Caller {
                        name: token.name,
                        // Scopes were checked when the token was created; one this version does not know
                        // grants nothing.
                        scopes: token
                            .scopes
                            .iter()
                            .filter_map(|scope| Scope::parse(scope).ok())
                            .collect(),
                    })
                }))
        };
        self.0.get_or_fetch(&hash, fetch).await
    }
}

/// Names the scope an endpoint needs, so that the extractor refuses a token without it before the body is read.
pub trait RequiredScope {
    const SCOPE: Scope;
    /// A second scope that is also enough, for an endpoint two kinds of service need.
    const OR: Option<Scope> = None;
}

macro_rules! scope_marker {
    ($($(#[$doc:meta])* $name:ident => $scope:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl RequiredScope for $name {
            const SCOPE: Scope = $scope;
        }
    )*};
}

scope_marker! {
    AccessChecks => Scope::AccessChecks;
    AccessEvents => Scope::AccessEvents;
    ConsentRequests => Scope::ConsentRequests;
    MailboxStatsScope => Scope::MailboxStats;
    BackupsScope => Scope::Backups;
    EventsScope => Scope::Events;
    MetricsScope => Scope::Metrics;
    SupportCasesScope => Scope::SupportCases;
    DirectoryScope => Scope::Directory;
}

/// Reading a consent request: the service that opened it, or the ticketing system following its case.
#[derive(Debug, Clone, Copy)]
pub struct ReadConsentRequests;
impl RequiredScope for ReadConsentRequests {
    const SCOPE: Scope = Scope::ConsentRequests;
    const OR: Option<Scope> = Some(Scope::SupportCases);
}

/// A request from a service whose token is live and holds scope `S`.
#[derive(Debug)]
pub struct Authorized<S> {
    pub caller: Arc<Caller>,
    scope: PhantomData<S>,
}

/// `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 9110).
fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl<S: RequiredScope + Send + Sync> FromRequestParts<ApiState> for Authorized<S> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        let token = bearer_token(parts).ok_or(ApiError::unauthorized(
            "send the service's token as Authorization: Bearer <token>",
        ))?;
        let caller = state
            .tokens
            .caller(state.store.as_ref(), token)
            .await?
            .ok_or(ApiError::unauthorized("this token is unknown or revoked"))?;
        let held = |scope: Scope| caller.scopes.contains(&scope);
        if !held(S::SCOPE) && !S::OR.is_some_and(held) {
            return Err(ApiError::forbidden(S::SCOPE));
        }
        Ok(Self {
            caller,
            scope: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts_with(authorization: Option<&str>) -> Parts {
        let mut request = Request::builder();
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        request
            .body(())
            .map(|r| r.into_parts().0)
            .unwrap_or_else(|_| Request::new(()).into_parts().0)
    }

    #[test]
    fn only_a_bearer_token_is_taken() {
        assert_eq!(
            bearer_token(&parts_with(Some("Bearer pps_abc"))),
            Some("pps_abc")
        );
        assert_eq!(
            bearer_token(&parts_with(Some("bearer  pps_abc "))),
            Some("pps_abc")
        );
        for value in [
            None,
            Some("Basic dXNlcjpwdw=="),
            Some("Bearer "),
            Some("pps_abc"),
        ] {
            assert_eq!(bearer_token(&parts_with(value)), None, "{value:?}");
        }
    }
}
